// The explorer in headless Chromium (Debian's package, driven by playwright-core) against
// a real devnet: it loads from the devnet's RPC port, shows a block, follows a transfer
// live into the transfer EE's matrix (cell and real balance equal to what RPC returns),
// deep-links to the block, and saves a screenshot under target/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import * as c from '../index.js';
import { startDevnet, root } from './devnet.js';

const ETH = c.GWEI_PER_ETH;
let net;
let provider;
let browser;

before(async () => {
  net = await startDevnet({ shards: 4, slotMs: 300 });
  provider = await c.Provider.connect(net.url);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await net?.stop();
});

test('the explorer shows live blocks and a matrix equal to what RPC returns', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto(`${net.url}/`);
  await page.waitForSelector('#blocks tbody tr', { timeout: 30_000 });
  const firstRender = Number(await page.evaluate(() => document.documentElement.dataset.firstRenderMs));
  assert.ok(firstRender > 0);
  console.log(`explorer first render: ${firstRender} ms after navigation`);
  assert.equal(await page.locator('#shards tbody tr').count(), 4);
  const head = await provider.head();
  const root0 = await page.locator('#shards tbody tr[data-shard="0"] td.hash').getAttribute('title');
  assert.ok(head.shard_roots.includes(root0) || root0.length === 64, root0);

  mkdirSync(join(root, 'target'), { recursive: true });
  await page.screenshot({ path: join(root, 'target/explorer-overview.png'), fullPage: true });

  // A cross-shard transfer, then the matrix page follows it live.
  await page.goto(`${net.url}/#/ee/1`);
  await page.waitForSelector('#matrix td[data-row="0"][data-col="1"]');
  const sent = await provider.sendTransaction({ shard: 0, ee: 1, data: c.transferData([{ amount: 7n * ETH, shard: 2 }]) });
  const loc = await provider.waitForTransaction(sent.hash);
  assert.equal(loc.result.ok, true);
  const matrix = await provider.getMatrix(1);
  assert.equal(matrix[0][2], 7n * ETH);
  await page.waitForFunction(
    (v) => document.querySelector('#matrix td[data-row="0"][data-col="2"]')?.dataset.value === v,
    matrix[0][2].toString(),
    { timeout: 15_000 },
  );
  const real2 = matrix.reduce((s, row) => s + row[2], 0n);
  assert.equal(await page.locator('#matrix td[data-real="2"]').getAttribute('data-value'), real2.toString());
  assert.equal(await page.locator('#matrix td[data-row="1"][data-col="1"]').getAttribute('data-value'), matrix[1][1].toString());

  // Shard 2 spends more than its own cell holds, against the 7 ETH shard 0 netted to it:
  // the diagonal cell goes negative (seed 001), the page shows it in red.
  await provider.waitForTransaction(sent.hash);
  while ((await provider.head()).slot <= loc.slot + 1n) await new Promise((r) => setTimeout(r, 50));
  const over = await provider.sendTransaction({ shard: 2, ee: 1, data: c.transferData([{ amount: 1003n * ETH, shard: 3 }]) });
  const overLoc = await provider.waitForTransaction(over.hash);
  const overBlock = await provider.getBlock(overLoc.slot, 2);
  assert.deepEqual(overBlock.netting.map((r) => r.rejected), [null], 'netted against the foreign cell');
  const negative = (await provider.getMatrix(1))[2][2];
  assert.ok(negative < 0n, `M[2][2] = ${negative}`);
  await page.waitForFunction(
    (v) => document.querySelector('#matrix td[data-row="2"][data-col="2"]')?.dataset.value === v,
    negative.toString(),
    { timeout: 15_000 },
  );
  assert.equal(await page.locator('#matrix td[data-row="2"][data-col="2"]').getAttribute('class'), 'neg');

  // The block deep link shows the transaction and the meta-EE's decision.
  await page.goto(`${net.url}/#/block/${loc.slot}/0`);
  await page.waitForSelector('#txs');
  const txs = await page.locator('#txs').innerText();
  assert.ok(txs.includes(sent.hash.slice(0, 10)), txs);
  assert.match(await page.locator('#netting').innerText(), /accepted/);
  assert.match(await page.locator('#meta').innerText(), /nets transfer-EE/);

  // EE list with code hashes and sizes.
  await page.goto(`${net.url}/#/ees`);
  await page.waitForSelector('#ees tr[data-ee="0"]');
  const ees = await provider.listEes();
  const vhee = ees.find((e) => e.id === 0);
  assert.equal(await page.locator('#ees tr[data-ee="0"] td.hash').getAttribute('title'), vhee.code_hash);

  await page.goto(`${net.url}/#/ee/1`);
  await page.waitForSelector('#matrix td[data-row="0"][data-col="2"]');
  await page.screenshot({ path: join(root, 'target/explorer.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
