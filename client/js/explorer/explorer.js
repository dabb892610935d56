// The devnet explorer: live shard heads and roots, recent blocks with their transactions,
// gas, fees and the meta-EE's decisions, proof bytes per block, deployed EEs, and any EE's
// balance matrix as a colour-scaled grid with real balances per column. Served by
// `ee devnet` at `/`; talks to the same origin's JSON-RPC through the JS package.
// Routes: #/ (overview), #/ees, #/ee/ID, #/block/SLOT/SHARD.
import { Provider, decode, META_EE } from '/js/index.js';

const provider = new Provider(new URL('/', location.href).href);
const MAX_BLOCKS = 48;
const MAX_SHARDS_POLLED = 16;
const state = { head: null, ees: [], blocks: [], seen: new Set(), error: null, firstRender: null };
const main = document.getElementById('main');
const status = document.getElementById('status');

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v;
    else if (k.startsWith('data-')) e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}
const short = (hex) => (hex ? `${hex.slice(0, 10)}…` : '–');
const fmt = (n) => (typeof n === 'bigint' ? n.toLocaleString('en-US') : Number(n).toLocaleString('en-US'));
const table = (head, rows, attrs = {}) =>
  h('table', attrs, h('thead', {}, h('tr', {}, head.map((c) => h('th', { class: /^(gas|fee|fees|bytes|txs|size|pending|deposit|slot)/.test(c) ? 'num' : '' }, c)))), h('tbody', {}, rows));
const eeName = (id) => state.ees.find((e) => e.id === id)?.name ?? `EE ${id}`;
const blockLink = (slot, shard) => h('a', { href: `#/block/${slot}/${shard}` }, `${slot}/${shard}`);
const eeLink = (id) => h('a', { href: `#/ee/${id}` }, eeName(id));

function decisions(b) {
  const accepted = b.netting.filter((r) => r.status === 'accepted' || r.status === 'Accepted').length;
  return { accepted, rejected: b.netting.length - accepted };
}

async function poll() {
  const head = await provider.head();
  const changed = !state.head || head.slot !== state.head.slot || head.ees !== state.head.ees;
  state.head = head;
  if (head.ees !== state.ees.length) state.ees = await provider.listEes();
  // Blocks of the newest committed slots (head.slot is the next slot to produce).
  const shards = Math.min(head.shards, MAX_SHARDS_POLLED);
  const fetches = [];
  for (let slot = head.slot - 1n; slot >= 0n && slot >= head.slot - 3n; slot--) {
    for (let shard = 0; shard < shards; shard++) {
      const key = `${slot}/${shard}`;
      if (state.seen.has(key)) continue;
      state.seen.add(key);
      fetches.push(provider.getBlock(slot, shard).catch(() => null));
    }
  }
  for (const b of await Promise.all(fetches)) if (b) state.blocks.push(b);
  for (const key of state.seen) if (BigInt(key.split('/')[0]) < head.slot - 4n) state.seen.delete(key);
  state.blocks.sort((a, b) => (a.slot === b.slot ? a.shard - b.shard : a.slot < b.slot ? 1 : -1));
  state.blocks.length = Math.min(state.blocks.length, MAX_BLOCKS);
  state.error = null;
  return changed;
}

function renderStatus() {
  const hd = state.head;
  status.textContent = state.error
    ? `error: ${state.error}`
    : `slot ${fmt(hd.slot)} · ${hd.shards} shards · ${hd.ees} EEs · ${fmt(hd.committed_txs)} txs · fees ${fmt(hd.fees)} Gwei · gas price ${fmt(hd.gas_price)}`;
  status.className = state.error ? 'bad' : 'muted';
}

function proofChart(blocks) {
  const data = [...blocks].reverse();
  const W = 640, H = 120, max = data.reduce((m, b) => (b.witness_bytes > m ? b.witness_bytes : m), 1n);
  const bw = W / Math.max(data.length, 1);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 14}`);
  svg.setAttribute('width', W);
  svg.setAttribute('id', 'proof-chart');
  data.forEach((b, i) => {
    const hgt = Math.max(1, Number((b.witness_bytes * BigInt(H)) / max));
    const r = document.createElementNS(svg.namespaceURI, 'rect');
    Object.entries({ x: i * bw + 1, y: H - hgt, width: Math.max(1, bw - 2), height: hgt, class: 'bar' }).forEach(([k, v]) => r.setAttribute(k, v));
    const t = document.createElementNS(svg.namespaceURI, 'title');
    t.textContent = `slot ${b.slot} shard ${b.shard}: ${b.witness_bytes} proof bytes`;
    r.append(t);
    svg.append(r);
  });
  const label = document.createElementNS(svg.namespaceURI, 'text');
  label.setAttribute('x', 0);
  label.setAttribute('y', H + 12);
  label.textContent = `max ${fmt(max)} B · oldest left, newest right`;
  svg.append(label);
  return svg;
}

function overview() {
  const hd = state.head;
  const latest = new Map();
  for (const b of state.blocks) if (!latest.has(b.shard)) latest.set(b.shard, b);
  const shardRows = hd.shard_roots.map((root, s) =>
    h('tr', { 'data-shard': s },
      h('td', {}, s), h('td', { class: 'hash', title: root }, short(root)), h('td', { class: 'num' }, fmt(hd.pending[s] ?? 0)),
      h('td', {}, latest.has(s) ? blockLink(latest.get(s).slot, s) : '–'),
      h('td', { class: 'num' }, latest.has(s) ? fmt(latest.get(s).witness_bytes) : '–')));
  const blockRows = state.blocks.map((b) => {
    const d = decisions(b);
    return h('tr', { 'data-block': `${b.slot}/${b.shard}` },
      h('td', {}, blockLink(b.slot, b.shard)), h('td', { class: 'num' }, b.transactions.length),
      h('td', { class: 'num' }, fmt(b.gas)), h('td', { class: 'num' }, fmt(b.fees)), h('td', { class: 'num' }, fmt(b.witness_bytes)),
      h('td', {}, h('span', { class: 'ok' }, `${d.accepted} accepted`), d.rejected ? h('span', { class: 'bad' }, ` · ${d.rejected} rejected`) : ''),
      h('td', { class: 'hash' }, short(b.post_root)));
  });
  return [
    h('h2', {}, 'Shards'),
    table(['shard', 'crosslinked root', 'pending', 'latest block', 'bytes of proof'], shardRows, { id: 'shards' }),
    hd.shards > MAX_SHARDS_POLLED ? h('p', { class: 'muted' }, `blocks polled for the first ${MAX_SHARDS_POLLED} shards`) : null,
    h('h2', {}, 'Proof bytes per block'),
    proofChart(state.blocks),
    h('h2', {}, 'Recent blocks'),
    table(['slot/shard', 'txs', 'gas', 'fees', 'bytes of proof', "meta-EE's decisions", 'post root'], blockRows, { id: 'blocks' }),
  ];
}

function eeList() {
  return [
    h('h2', {}, 'Execution environments'),
    table(['id', 'name', 'role', 'code hash', 'size (B)', 'deposit (Gwei)', 'from slot', 'deployer'],
      state.ees.map((e) => h('tr', { 'data-ee': e.id },
        h('td', {}, h('a', { href: `#/ee/${e.id}` }, e.id)), h('td', {}, e.name), h('td', {}, e.role),
        h('td', { class: 'hash', title: e.code_hash }, short(e.code_hash)), h('td', { class: 'num' }, fmt(e.code_bytes)),
        h('td', { class: 'num' }, fmt(e.deposit)), h('td', { class: 'num' }, fmt(e.registered_at)),
        h('td', {}, e.deployer === null || e.deployer === undefined ? 'genesis' : `validator ${e.deployer}`))),
      { id: 'ees' }),
  ];
}

function colour(v, max) {
  if (v === 0n || max === 0n) return '';
  const t = Math.min(1, Math.abs(Number(v)) / Number(max));
  return v < 0n ? `background: rgba(198, 40, 40, ${0.35 + 0.65 * t})` : `background: rgba(47, 91, 211, ${0.06 + 0.5 * t})`;
}

async function eeView(id) {
  const [ee, matrix] = await Promise.all([provider.getEe(id), provider.getMatrix(id)]);
  const n = matrix.length;
  const max = matrix.flat().reduce((m, v) => (v < 0n ? (-v > m ? -v : m) : v > m ? v : m), 0n);
  const real = Array.from({ length: n }, (_, c) => matrix.reduce((s, row) => s + (row[c] ?? 0n), 0n));
  const rows = matrix.map((row, r) =>
    h('tr', {}, h('th', {}, `shard ${r}`), row.map((v, c) =>
      h('td', { class: v < 0n ? 'neg' : '', style: colour(v, max), 'data-row': r, 'data-col': c, 'data-value': v, title: `M[${r}][${c}] = ${v} Gwei` }, fmt(v)))));
  rows.push(h('tr', { class: 'real' }, h('th', {}, 'real balance'), real.map((v, c) =>
    h('td', { class: v < 0n ? 'bad' : '', 'data-real': c, 'data-value': v }, fmt(v)))));
  return [
    h('h2', {}, `EE ${ee.id}: ${ee.name}`),
    h('p', { class: 'muted' }, `${ee.role} · code ${short(ee.code_hash)} · ${fmt(ee.code_bytes)} B · deposit ${fmt(ee.deposit)} Gwei`),
    h('p', { class: 'muted' }, 'Row r holds the cells stored on shard r; column c is what the EE owns on shard c, so its real balance there is the column sum. Diagonal cells fall as the EE pays out; off-diagonal cells only grow.'),
    h('table', { class: 'matrix', id: 'matrix' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), real.map((_, c) => h('th', { class: 'num' }, `shard ${c}`)))),
      h('tbody', {}, rows)),
  ];
}

function metaSummary(raw) {
  const last = raw.transactions.at(-1);
  if (!last || last.ee !== META_EE) return h('p', { class: 'muted' }, 'none (the block printed no netting outputs)');
  const m = decode.metaTransaction(last.data);
  return h('p', { id: 'meta' },
    `nets ${m.ee_ids.map(eeName).join(', ') || 'no EE'} · multiproof of other shards' cells: ${fmt(m.multiproof_bytes)} B`,
    m.proofs.length ? ` (${m.proofs.map((p) => `shard ${p.shard}: ${p.leaves.length} cells`).join(', ')})` : '');
}

async function blockView(slot, shard) {
  const [b, raw] = await Promise.all([provider.getBlock(slot, shard), provider.getDecodedBlock(slot, shard)]);
  const d = decisions(b);
  return [
    h('h2', {}, `Block ${b.slot}/${b.shard}`),
    h('p', {}, `gas ${fmt(b.gas)} · fees ${fmt(b.fees)} Gwei · ${fmt(b.witness_bytes)} bytes of proof · ${d.accepted} accepted, ${d.rejected} rejected · ${b.deferred} deferred, ${b.dropped} dropped`),
    h('p', { class: 'mono' }, `pre ${b.pre_root}`, h('br'), `post ${b.post_root}`),
    h('h2', {}, 'Transactions'),
    table(['#', 'EE', 'result', 'gas', 'fee', 'outputs', 'hash'], b.transactions.map((t) =>
      h('tr', {}, h('td', {}, t.index), h('td', {}, eeLink(t.ee)),
        h('td', { class: t.ok ? 'ok' : 'bad' }, t.ok ? 'ok' : t.error), h('td', { class: 'num' }, fmt(t.gas)),
        h('td', { class: 'num' }, fmt(t.fee)), h('td', { class: 'num' }, t.outputs), h('td', { class: 'hash' }, short(t.hash)))),
      { id: 'txs' }),
    h('h2', {}, "The meta-EE's decisions"),
    b.netting.length === 0 ? h('p', { class: 'muted' }, 'no netting outputs') :
      table(['source EE', 'output', 'to (shard, EE)', 'amount', 'decision'], b.netting.map((r) =>
        h('tr', {}, h('td', {}, eeLink(r.source_ee)), h('td', {}, r.index),
          h('td', {}, r.target ? `${r.target[0]}, ${eeName(r.target[1])}` : '–'), h('td', { class: 'num' }, r.target ? fmt(r.target[2]) : '–'),
          h('td', { class: r.rejected ? 'bad' : 'ok' }, r.rejected ? `rejected: ${r.rejected}` : 'accepted'))),
      { id: 'netting' }),
    h('h2', {}, "The meta-EE's transaction"),
    metaSummary(raw),
    h('h2', {}, 'Witness'),
    h('p', {}, `own shard: ${raw.witness.own ? `${raw.witness.own.leaves.length} leaves, ${raw.witness.own.proof_bytes} proof bytes` : 'none'} · foreign: ${raw.witness.foreign.map((p) => `shard ${p.shard} (${p.leaves.length} leaves)`).join(', ') || 'none'} · ${fmt(raw.witness.bytes)} B SCALE`),
  ];
}

async function render() {
  const route = location.hash.replace(/^#\/?/, '').split('/');
  let view;
  try {
    if (route[0] === 'ee' && route[1] !== undefined) view = await eeView(Number(route[1]));
    else if (route[0] === 'block' && route[2] !== undefined) view = await blockView(BigInt(route[1]), Number(route[2]));
    else if (route[0] === 'ees') view = eeList();
    else view = overview();
  } catch (e) {
    view = [h('p', { class: 'error' }, `${e.name}: ${e.message}`)];
  }
  main.replaceChildren(...view.filter(Boolean));
  if (state.firstRender === null) {
    state.firstRender = performance.now();
    document.documentElement.dataset.firstRenderMs = state.firstRender.toFixed(0);
  }
}

let rendering = false;
async function tick(force) {
  try {
    const changed = await poll();
    renderStatus();
    const live = !location.hash.startsWith('#/block/');
    if ((changed && live) || force) {
      if (!rendering) {
        rendering = true;
        try { await render(); } finally { rendering = false; }
      }
    }
  } catch (e) {
    state.error = e.message;
    if (state.head) renderStatus(); else { status.textContent = `error: ${e.message}`; status.className = 'bad'; }
  }
}

window.addEventListener('hashchange', () => tick(true));
await tick(true);
const period = Math.max(250, Number(state.head?.slot_ms ?? 1000n) / 2);
setInterval(() => tick(false), period);
