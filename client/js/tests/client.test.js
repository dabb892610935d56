// The JS package against a real devnet process on loopback: the method table, typed
// results, deploy/send/read back/decode, a VHEE deposit, a JS-signed transfer and a
// cross-shard transfer the devnet accepts, BLS cross-verification with the host's blst,
// and typed errors for bad input that leave the devnet's state unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as c from '../index.js';
import { startDevnet, ee, eesDir } from './devnet.js';

const ETH = c.GWEI_PER_ETH;
const VHEE = 0;
const TRANSFER_EE = 1;
let net;
let provider;

before(async () => {
  net = await startDevnet({ shards: 2, slotMs: 200 });
  provider = await c.Provider.connect(net.url);
});
after(async () => {
  await net?.stop();
});

const alice = c.SecretKey.devKey(0);
const bob = c.SecretKey.fromSeed('bob');
const carol = c.SecretKey.fromSeed('carol');

async function committed(sent) {
  const loc = await provider.waitForTransaction(sent.hash, { timeoutMs: 30_000 });
  return loc;
}

async function untilSlot(slot) {
  while ((await provider.head()).slot <= slot) await new Promise((r) => setTimeout(r, 50));
}

test('every method of the Rust table is a Provider method, and no other', () => {
  const table = c.methods().map((m) => m.name.replace(/^ee_/, '')).map((n) => n[0].toLowerCase() + n.slice(1));
  for (const name of table) assert.equal(typeof c.Provider.prototype[name], 'function', `Provider.${name}`);
  const helpers = ['constructor', 'request', 'getDecodedBlock', 'waitForTransaction', 'deployCode', 'vhee'];
  const own = Object.getOwnPropertyNames(c.Provider.prototype).filter((n) => !helpers.includes(n));
  assert.deepEqual(own.sort(), [...table].sort());
  assert.ok(c.errorCodes().some((e) => e.name === 'UnknownEe'));
});

test('results are typed: bigint for 64-bit integers, numbers for ids', async () => {
  const head = await provider.head();
  assert.equal(typeof head.slot, 'bigint');
  assert.equal(head.shards, 2);
  assert.equal(head.shard_roots.length, 2);
  const ees = await provider.listEes();
  assert.deepEqual(ees.map((e) => e.id).sort((a, b) => a - b), [VHEE, TRANSFER_EE, c.META_EE]);
  assert.equal(ees.find((e) => e.id === c.META_EE).role, 'meta');
  const m = await provider.getMatrix(TRANSFER_EE);
  assert.equal(typeof m[0][0], 'bigint');
  assert.equal(m[0][0], 1000n * ETH, 'genesis: 1,000 ETH on each diagonal');
  const config = await provider.getConfig();
  assert.equal(config.shards, 2);
});

test('deploy from JS, send a transfer, read it back and decode it', async () => {
  const code = readFileSync(join(eesDir, 'relay_ee.wasm'));
  const deployed = await provider.deployCode(code, alice, { sender: 0 });
  assert.equal(deployed.applied, true);
  const info = await provider.getEe(deployed.ee);
  assert.equal(info.code_hash, createHash('sha256').update(code).digest('hex'));
  assert.equal(info.code_bytes, BigInt(code.length));

  const before = await provider.getMatrix(TRANSFER_EE);
  const data = c.transferData([{ amount: 5n * ETH, shard: 1 }]);
  const sent = await provider.sendTransaction({ shard: 0, ee: TRANSFER_EE, data });
  assert.equal(sent.hash, c.txHash(0, TRANSFER_EE, data));
  const loc = await committed(sent);
  assert.equal(loc.result.ok, true, loc.result.error);
  assert.equal(loc.result.outputs, 1);
  assert.ok(loc.result.fee > 0n, 'the sender paid a fee');

  const block = await provider.getBlock(loc.slot, 0);
  assert.ok(block.transactions.some((t) => t.hash === sent.hash));
  assert.deepEqual(
    block.netting.map((r) => [r.source_ee, r.target, r.rejected]),
    [[TRANSFER_EE, [1, TRANSFER_EE, 5n * ETH], null]],
  );
  const raw = await provider.getDecodedBlock(loc.slot, 0);
  assert.equal(raw.slot, loc.slot);
  assert.equal(raw.transactions.at(-1).ee, c.META_EE, "the meta-EE's transaction is last");
  const meta = c.decode.metaTransaction(raw.transactions.at(-1).data);
  assert.deepEqual(meta.ee_ids, [TRANSFER_EE], 'the meta-EE nets the EE that printed');
  const ours = raw.transactions.find((t) => t.hash === sent.hash);
  assert.deepEqual(c.decode.transferData(ours.data), [{ amount: 5n * ETH, shard: 1, ee: null }]);

  const after = await provider.getMatrix(TRANSFER_EE);
  assert.equal(after[0][1], before[0][1] + 5n * ETH, 'off-diagonal cell grew by the amount');
  assert.ok(after[0][0] <= before[0][0] - 5n * ETH, 'diagonal fell by the amount and the fee');
});

test('a deposit, a JS-signed VHEE transfer and a cross-shard transfer are accepted', async () => {
  const vhee = provider.vhee(VHEE);
  const { index } = await vhee.deposit({ key: alice, validator: 0, shard: 0, amount: 32n * ETH });
  const receipts = await provider.listDeposits();
  const decoded = c.decode.depositReceipt(receipts.find((d) => d.index === index).receipt);
  assert.deepEqual([decoded.amount, decoded.ee, decoded.signature_ok], [32n * ETH, VHEE, true]);

  const claim = await committed(await vhee.claimDeposit({ shard: 0, index }));
  assert.equal(claim.result.ok, true, claim.result.error);
  assert.deepEqual(await vhee.account(0, alice.address(0)).then((a) => [a.balance, a.nonce]), [32n * ETH, 0n]);

  // Signed in JS (pure-Rust BLS in wasm), verified on chain by the host's blst.
  const sent = await vhee.transfer({ key: alice, to: bob.address(0), amount: 10n * ETH, shard: 0 });
  assert.equal(sent.prepared.refused, null);
  const loc = await committed(sent);
  assert.equal(loc.result.ok, true, loc.result.error);
  assert.equal((await vhee.account(0, bob.address(0))).balance, 10n * ETH);
  assert.deepEqual(await vhee.account(0, alice.address(0)).then((a) => [a.balance, a.nonce]), [22n * ETH, 1n]);

  // Cross-shard: receipts to Carol on shard 1, netted by the meta-EE, claimed there.
  const rs = [{ from: alice.address(0), to: carol.address(0), amount: 4n * ETH, callData: '' }];
  const cross = await committed(await vhee.crossShard({ key: alice, targetShard: 1, receipts: rs, shard: 0 }));
  assert.equal(cross.result.ok, true, cross.result.error);
  assert.equal(cross.result.outputs, 1);
  await untilSlot(cross.slot + 1n); // crosslinked
  const claimed = await committed(await vhee.claim({ shard: 1, sourceShard: 0, receipts: rs, index: 0 }));
  assert.equal(claimed.result.ok, true, claimed.result.error);
  assert.equal((await vhee.account(1, carol.address(0))).balance, 4n * ETH);
  // A replayed claim is refused before sending.
  await assert.rejects(vhee.claim({ shard: 1, sourceShard: 0, receipts: rs, index: 0 }), c.RefusedError);
});

test('SCALE decoding of netting outputs and reports refuses trailing bytes', () => {
  const out = new Uint8Array(48);
  const view = new DataView(out.buffer);
  view.setUint32(0, 3, true);
  view.setUint32(4, 7, true);
  view.setBigUint64(8, 5n * ETH, true);
  out.fill(0xab, 16);
  assert.deepEqual(c.decode.nettingOutput(out), { target_shard: 3, target_ee: 7, amount: 5n * ETH, data_root: 'ab'.repeat(32) });
  assert.throws(() => c.decode.nettingOutput(new Uint8Array([...out, 0])), c.DecodeError);
  // source 1, first index 2, two statuses: Accepted, Rejected(InsufficientBalance).
  const report = new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0, 2 << 2, 0x00, 0x01, 0x05]);
  assert.deepEqual(c.decode.nettingReport(report), {
    source_ee: 1,
    first_index: 2,
    statuses: ['accepted', 'rejected: InsufficientBalance'],
  });
  assert.throws(() => c.decode.nettingReport(report.slice(0, 11)), c.DecodeError);
});

test("signatures cross-verify with the host's blst, both ways", () => {
  const message = new TextEncoder().encode('phase 2 cross-check');
  const hex = c.toHex(message);
  // JS → host.
  const sig = c.toHex(alice.sign(message));
  assert.equal(ee('bls', 'verify', '--public', alice.publicKey, '--message', hex, '--signature', sig).trim(), 'valid');
  assert.throws(() => ee('bls', 'verify', '--public', bob.publicKey, '--message', hex, '--signature', sig));
  // `ee keygen` key, signed by blst → JS.
  const file = join(mkdtempSync(join(tmpdir(), 'ee-key-')), 'k.key');
  ee('keygen', '--out', file);
  const text = readFileSync(file, 'utf8');
  const key = c.SecretKey.fromKeyFile(text);
  assert.equal(key.publicKey, JSON.parse(text).public);
  const hostSig = ee('bls', 'sign', '--key', file, '--message', hex).trim();
  assert.ok(c.verify(key.publicKey, message, hostSig));
  assert.equal(c.toHex(key.sign(message)), hostSig, 'byte-identical signatures');
  assert.ok(!c.verify(key.publicKey, new TextEncoder().encode('other'), hostSig));
});

test('bad input gets typed errors and changes nothing', async () => {
  const vhee = provider.vhee(VHEE);
  const state = async () => ({
    root: (await provider.getProof(VHEE, 0, [])).root,
    alice: await vhee.account(0, alice.address(0)),
    committed: (await provider.getMatrix(VHEE))[0],
  });
  const before = await state();

  // Malformed hex: refused before anything is sent.
  await assert.rejects(provider.getProof(VHEE, 0, ['zz']), c.InvalidInputError);
  await assert.rejects(provider.sendTransaction({ shard: 0, ee: TRANSFER_EE, data: '0xzz' }), c.InvalidInputError);
  await assert.rejects(provider.getBlock('x', 0), c.InvalidInputError);
  assert.throws(() => c.SecretKey.fromBytes('00'.repeat(32)), c.InvalidInputError);
  assert.throws(() => c.decode.block('00ff'), c.DecodeError);
  // Unknown EE: the node's typed error.
  await assert.rejects(provider.getEe(999), (e) => e instanceof c.RpcError && e.codeName === 'UnknownEe');
  await assert.rejects(
    provider.sendTransaction({ shard: 0, ee: 999, data: '00' }),
    (e) => e instanceof c.RpcError && e.codeName === 'UnknownEe',
  );
  // A tampered proof from the state provider is caught before use.
  const tampering = new c.Provider(net.url, {
    fetch: async (url, init) => {
      const res = await fetch(url, init);
      const body = await res.json();
      if (JSON.parse(init.body).method === 'ee_getProof' && body.result) {
        body.result.leaves = body.result.leaves.map(([k, v]) => [k, v.replace(/^./, (ch) => (ch === '0' ? '1' : '0'))]);
      }
      return new Response(JSON.stringify(body));
    },
  });
  await assert.rejects(tampering.vhee(VHEE).account(0, alice.address(0)), c.ProofError);
  await assert.rejects(
    tampering.vhee(VHEE).transfer({ key: alice, to: bob.address(0), amount: 1n, shard: 0 }),
    c.ProofError,
  );
  // Signed for the wrong shard: refused locally; sent anyway, refused on chain.
  const wrong = { key: alice, to: bob.address(0), amount: 1n * ETH, shard: 0 };
  await assert.rejects(vhee.transfer(wrong, { signShard: 1 }), c.RefusedError);
  const sent = await vhee.transfer(wrong, { signShard: 1, anyway: true });
  const loc = await committed(sent);
  assert.equal(loc.result.ok, false);
  assert.match(loc.result.error, /signature/i);
  const after = await state();
  assert.deepEqual([after.root, after.alice], [before.root, before.alice], "the VHEE's accounts are unchanged");
});

test("the README's example runs as shipped, on a fresh devnet, and is the file it shows", async () => {
  const { execFile } = await import('node:child_process');
  const { root } = await import('./devnet.js');
  const file = join(root, 'client/js/examples/transfer.mjs');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes('```js\n' + readFileSync(file, 'utf8') + '```'), 'README shows examples/transfer.mjs');
  const fresh = await startDevnet({ shards: 2, slotMs: 200 });
  try {
    const out = await new Promise((resolve, reject) =>
      execFile('node', [file], { env: { ...process.env, EE_RPC: fresh.url } }, (e, stdout, stderr) =>
        (e ? reject(new Error(stderr)) : resolve(stdout))));
    assert.match(out, /^transfer ok, fee \d+ Gwei$/m);
    assert.match(out, /^bob: 10000000000 Gwei$/m);
  } finally {
    await fresh.stop();
  }
});
