// @phase2-ee/client: a JavaScript client for Phase 2 EE networks.
//
// The wasm half (pkg/, built by scripts/build-js.sh) is the Rust `ee-client` crate: the
// JSON-RPC method table that types every request and result, SCALE codecs, BLS12-381 keys
// and signatures, transaction building and proof checks. This file adds what JavaScript
// does best: `fetch` as the transport, async methods, and error classes.
//
// Conventions (as ethers/viem): 64-bit integers (slots, gas, fees, amounts, balances) are
// `bigint`; shard and EE ids are `number`; bytes are hex strings in results and
// `Uint8Array` or hex strings in arguments.
import init, * as wasm from './pkg/ee_client.js';

const wasmUrl = new URL('./pkg/ee_client_bg.wasm', import.meta.url);
if (wasmUrl.protocol === 'file:') {
  const { readFile } = await import('node:fs/promises');
  wasm.initSync({ module: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}

/** One ETH in Gwei, the unit of every amount. */
export const GWEI_PER_ETH = 1_000_000_000n;

/** The meta-EE's id on every chain this project builds. */
export const META_EE = 4294967295;

/** Base class of every error this package throws; `kind` names the subclass. */
export class EeError extends Error {
  constructor(kind, message, extra = {}) {
    super(message);
    this.name = this.constructor.name;
    this.kind = kind;
    Object.assign(this, extra);
  }
}
/** The caller passed something malformed; nothing was sent. */
export class InvalidInputError extends EeError {}
/** The node answered with a JSON-RPC error: `code` and its `codeName` (e.g. `UnknownEe`). */
export class RpcError extends EeError {}
/** The node could not be reached, or its answer was not the method's result. */
export class TransportError extends EeError {}
/** A state provider's answer does not verify against the root it names. */
export class ProofError extends EeError {}
/** The VHEE would refuse the operation (its reason in `message`); nothing was sent. */
export class RefusedError extends EeError {}
/** Bytes that are not the SCALE encoding asked for. */
export class DecodeError extends EeError {}
/** A transaction did not commit in time. */
export class TimeoutError extends EeError {}

const classes = {
  input: InvalidInputError,
  rpc: RpcError,
  transport: TransportError,
  proof: ProofError,
  refused: RefusedError,
  decode: DecodeError,
};

function toError(e) {
  if (e instanceof EeError) return e;
  if (e && typeof e === 'object' && typeof e.kind === 'string' && classes[e.kind]) {
    const extra = e.kind === 'rpc' ? { code: e.code, codeName: e.name ?? null } : {};
    return new classes[e.kind](e.kind, e.message, extra);
  }
  // wasm-bindgen's own argument checks (a string where a number goes, …).
  return new InvalidInputError('input', String(e?.message ?? e));
}

/** Runs a wasm export, turning what it throws into this package's errors. */
function w(fn, ...args) {
  try {
    return fn(...args);
  } catch (e) {
    throw toError(e);
  }
}

/** Bytes as lowercase hex (no `0x`). */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Hex (`0x` accepted) or a `Uint8Array` as a `Uint8Array`; throws `InvalidInputError`. */
export function toBytes(value, what = 'bytes') {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== 'string') throw new InvalidInputError('input', `${what}: expected hex or Uint8Array`);
  const text = value.startsWith('0x') ? value.slice(2) : value;
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new InvalidInputError('input', `${what}: not hex: ${value.slice(0, 40)}`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A BLS12-381 secret key (byte-identical to the host's `blst`). */
export class SecretKey {
  #inner;
  constructor(inner) {
    this.#inner = inner;
  }
  /** A fresh key: IETF KeyGen over 32 bytes of `crypto.getRandomValues`. */
  static generate() {
    return new SecretKey(w(wasm.SecretKey.fromIkm, globalThis.crypto.getRandomValues(new Uint8Array(32))));
  }
  /** A deterministic key from any seed (string or bytes); for tests and demos. */
  static fromSeed(seed) {
    const bytes = typeof seed === 'string' ? new TextEncoder().encode(seed) : toBytes(seed, 'seed');
    return new SecretKey(w(wasm.SecretKey.fromSeed, bytes));
  }
  /** The key with this 32-byte scalar. */
  static fromBytes(bytes) {
    return new SecretKey(w(wasm.SecretKey.fromBytes, toBytes(bytes, 'secret key')));
  }
  /** The key of an `ee keygen` key file (its JSON text); the public key is checked. */
  static fromKeyFile(json) {
    return new SecretKey(w(wasm.SecretKey.fromKeyFile, json));
  }
  /** The devnet's key of genesis validator `index` (`ee keygen --dev INDEX`). */
  static devKey(index) {
    return new SecretKey(w(wasm.SecretKey.devKey, index));
  }
  /** The compressed public key, hex. */
  get publicKey() {
    return this.#inner.publicKey;
  }
  /** The 32-byte scalar. */
  toBytes() {
    return this.#inner.toBytes();
  }
  /** An `ee keygen` key file (JSON text). */
  toKeyFile(validator) {
    return this.#inner.toKeyFile(validator);
  }
  /** The 96-byte signature of `message` (a `Uint8Array`, or a string signed as UTF-8). */
  sign(message) {
    const bytes = typeof message === 'string' ? new TextEncoder().encode(message) : toBytes(message, 'message');
    return this.#inner.sign(bytes);
  }
  /** This key's VHEE account in `portion`: `{portion, key}`. */
  address(portion = 0) {
    return w(() => this.#inner.address(portion));
  }
  /** @internal the wasm object. */
  get wasm() {
    return this.#inner;
  }
}

/** Whether `signature` by `publicKey` of `message` verifies (all bytes or hex). */
export function verify(publicKey, message, signature) {
  return wasm.verify(toBytes(publicKey, 'public key'), toBytes(message, 'message'), toBytes(signature, 'signature'));
}

/** SCALE decoders: blocks, witnesses, netting outputs and reports, the meta-EE's transaction, deposits, transfers. */
export const decode = {
  block: (bytes) => w(wasm.decodeBlock, toBytes(bytes)),
  witness: (bytes) => w(wasm.decodeWitness, toBytes(bytes)),
  nettingOutput: (bytes) => w(wasm.decodeNettingOutput, toBytes(bytes)),
  nettingReport: (bytes) => w(wasm.decodeNettingReport, toBytes(bytes)),
  metaTransaction: (bytes) => w(wasm.decodeMetaTransaction, toBytes(bytes)),
  depositReceipt: (bytes) => w(wasm.decodeDepositReceipt, toBytes(bytes)),
  transferData: (bytes) => w(wasm.decodeTransferData, toBytes(bytes)),
};

/** The hash the node answers for `data` sent to `ee` on `shard`. */
export function txHash(shard, ee, data) {
  return w(wasm.txHash, shard, ee, toBytes(data, 'data'));
}

/** The transfer EE's data for `[{amount, shard, ee?}]`. */
export function transferData(transfers) {
  return w(wasm.transferData, transfers);
}

/** Every JSON-RPC method of the devnet (from the Rust table): `{name, params, returns}`. */
export function methods() {
  return wasm.methods();
}

/** The devnet's error codes: `{code, name, meaning}`. */
export function errorCodes() {
  return wasm.errorCodes();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A connection to a devnet's JSON-RPC endpoint. Every method of the node's table is an
 * async method here (`ee_getBlock` → `getBlock`); parameters are checked against the
 * table's Rust types before anything is sent.
 */
export class Provider {
  #id = 1;
  /** `url`: the node's RPC address; `options.fetch` replaces the global `fetch`. */
  constructor(url, options = {}) {
    this.url = url;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.pollMs = options.pollMs ?? 50;
  }

  /** A provider for `url`, after checking the node answers. */
  static async connect(url, options) {
    const p = new Provider(url, options);
    await p.head();
    return p;
  }

  /** Calls `method` (e.g. `ee_head`) with positional `params`; resolves to its typed result. */
  async request(method, params = []) {
    const body = w(wasm.encodeRequest, method, this.#id++, params);
    let text;
    try {
      const res = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      text = await res.text();
    } catch (e) {
      throw new TransportError('transport', `${this.url}: ${e.message}`);
    }
    return w(wasm.decodeResponse, method, text);
  }

  /** The committed head: slot, shard roots, EE count, pending, fees. */
  head() { return this.request('ee_head'); }
  /** Queues `{shard, ee, data}` (data: bytes or hex); resolves to `{hash, shard, position}`. */
  async sendTransaction({ shard, ee, data }) {
    return this.request('ee_sendTransaction', [{ shard, ee, data: toHex(toBytes(data, 'data')) }]);
  }
  /** Where a committed transaction is and its result (RpcError `NotFound` until then). */
  getTransaction(hash) { return this.request('ee_getTransaction', [hash]); }
  /** Deploys a signed SCALE `NewExecutionScript` (see `deployCode`). */
  async deploy(script) { return this.request('ee_deploy', [toHex(toBytes(script, 'script'))]); }
  /** Validates a deployment as `deploy` does, changing nothing. */
  async estimateDeploy(script) { return this.request('ee_estimateDeploy', [toHex(toBytes(script, 'script'))]); }
  /** A committed block's report: transactions, gas, fees, the meta-EE's decisions. */
  getBlock(slot, shard) { return this.request('ee_getBlock', [slot, shard]); }
  /** The meta-EE's decisions in a committed block. */
  getReceipts(slot, shard) { return this.request('ee_getReceipts', [slot, shard]); }
  /** A registered EE. */
  getEe(id) { return this.request('ee_getEe', [id]); }
  /** An EE's balance matrix (`bigint[][]`, row r = shard r's cells). */
  getMatrix(id) { return this.request('ee_getMatrix', [id]); }
  /** A validator. */
  getValidator(index) { return this.request('ee_getValidator', [index]); }
  /** Every registered EE. */
  listEes() { return this.request('ee_listEes'); }
  /** An EE's wasm code (hex). */
  getCode(id) { return this.request('ee_getCode', [id]); }
  /** A committed block as produced (hex SCALE; see `getDecodedBlock`). */
  getRawBlock(slot, shard) { return this.request('ee_getRawBlock', [slot, shard]); }
  /** What a validator needs besides blocks: shards, layout, genesis roots, limits, costs. */
  getConfig() { return this.request('ee_getConfig'); }
  /** Submits a signed SCALE deposit receipt (see `Vhee.deposit`). */
  async deposit(receipt) { return this.request('ee_deposit', [toHex(toBytes(receipt, 'receipt'))]); }
  /** The beacon state's deposit receipts. */
  listDeposits() { return this.request('ee_listDeposits'); }
  /** The state provider: `keys` (hex) of EE `ee`'s tree on `shard`, with their multiproof. */
  getProof(ee, shard, keys) { return this.request('ee_getProof', [ee, shard, keys]); }
  /** Gwei the meta-EE on `source` netted towards `(target, ee)` for `root`. */
  getNetted(source, target, ee, root) { return this.request('ee_getNetted', [source, target, ee, root]); }
  /** How many outputs of `sourceEe` with data root `root` the meta-EE on `source` accepted towards `(target, ee)`. */
  getMessages(source, target, ee, sourceEe, root) { return this.request('ee_getMessages', [source, target, ee, sourceEe, root]); }
  /** EE `ee`'s state root on every shard after the last committed slot: `{slot, roots}`. */
  getRoots(ee) { return this.request('ee_getRoots', [ee]); }
  /** The node's place in a multi-node network: id (null for a lone devnet), owned shards, peers, counters. */
  getNetwork() { return this.request('ee_getNetwork'); }
  /** The state provider's witness for a pending transaction `{shard, ee, data}`. */
  async getWitness({ shard, ee, data }) {
    return this.request('ee_getWitness', [{ shard, ee, data: toHex(toBytes(data, 'data')) }]);
  }

  /** A committed block decoded from its SCALE bytes: transactions and witness. */
  async getDecodedBlock(slot, shard) {
    return decode.block(await this.getRawBlock(slot, shard));
  }

  /** Resolves when `hash` is committed (its location and result); `TimeoutError` after `timeoutMs`. */
  async waitForTransaction(hash, { timeoutMs = 60_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.getTransaction(hash);
      } catch (e) {
        if (!(e instanceof RpcError && e.codeName === 'NotFound')) throw e;
        if (Date.now() > deadline) throw new TimeoutError('timeout', `transaction ${hash} not committed in ${timeoutMs} ms`);
        await sleep(this.pollMs);
      }
    }
  }

  /** Deploys `code` signed by validator `sender`'s `key`; resolves to `{ee, code_hash, …}`. */
  async deployCode(code, key, { sender = 0 } = {}) {
    const { slot } = await this.head();
    const script = w(wasm.deployScript, BigInt(sender), slot, toBytes(code, 'code'), key.wasm);
    return this.deploy(script);
  }

  /** The VHEE registered as `id`. */
  vhee(id) {
    return new Vhee(this, id);
  }
}

/**
 * The VHEE (validator-held accounts, seed 000) through a provider: accounts read with
 * their proofs checked, validator deposits, and signed operations prepared with the
 * state provider's proofs, refused locally when the VHEE would refuse them, and sent.
 */
export class Vhee {
  constructor(provider, id) {
    this.provider = provider;
    this.id = id;
  }

  /** `address`'s account on `shard`: `{balance, nonce, root}`, its proof checked. */
  async account(shard, address) {
    const key = w(wasm.vheeAccountKey, address);
    const answer = await this.provider.getProof(this.id, shard, [key]);
    return w(wasm.vheeCheckAccount, address, answer);
  }

  /** What the host tells the VHEE on `shard` (for a claim, what was netted for `netted`). */
  async context(shard, netted) {
    const [head, ees, deposits] = await Promise.all([
      this.provider.head(),
      this.provider.listEes(),
      this.provider.listDeposits(),
    ]);
    const context = {
      shard,
      vhee: this.id,
      shards: head.shards,
      ees: ees.map((e) => e.id),
      deposits: deposits.map((d) => d.receipt),
    };
    if (netted) {
      const amount = await this.provider.getNetted(netted.source, shard, this.id, netted.root);
      context.netted = { source: netted.source, root: netted.root, amount };
    }
    return context;
  }

  /**
   * Prepares the SCALE operation `op` on `shard`: the VHEE's own state transition, with
   * the accounts it touches fetched from the state provider and checked. Resolves to
   * `{shard, ee, data, hash, refused, post_root, outputs, witness_leaves, proof_bytes}`.
   */
  async prepare(op, shard, netted) {
    const context = await this.context(shard, netted);
    const answers = [];
    for (let round = 0; round < 32; round++) {
      const step = w(wasm.vheePrepare, op, context, answers);
      if (!step.need) return step;
      answers.push({ keys: step.need.keys, proof: await this.provider.getProof(this.id, shard, step.need.keys) });
    }
    throw new ProofError('proof', 'the state transition kept asking for more leaves');
  }

  /**
   * Prepares `op`, refuses it locally (`RefusedError`) if the VHEE would, else sends it;
   * resolves to `{hash, prepared}`. `options.anyway` sends what will be refused.
   */
  async send(op, shard, { netted, anyway = false } = {}) {
    const prepared = await this.prepare(op, shard, netted);
    if (prepared.refused && !anyway) throw new RefusedError('refused', prepared.refused);
    const { hash } = await this.provider.sendTransaction({ shard, ee: this.id, data: prepared.data });
    return { hash, prepared };
  }

  async #signed(fields, key, shard, portion, options) {
    const from = key.address(portion);
    const { nonce } = await this.account(shard, from);
    const op = w(wasm.vheeOp, { ...fields, from, nonce });
    return this.send(w(wasm.vheeSign, op, key.wasm, this.id, options.signShard ?? shard), shard, options);
  }

  /**
   * Validator `validator` (key `key`) deposits `amount` Gwei into `portion` on `shard`: resolves to `{index, slot}`.
   * A node of a multi-node network applies it at `activation_slot`: this waits (at most `timeoutMs`) until the
   * node lists it and resolves with its final index, which `claimDeposit` names.
   */
  async deposit({ key, validator, shard, amount, portion = 0, timeoutMs = 60000 }) {
    const receipt = w(wasm.depositReceipt, key.wasm, BigInt(validator), shard, this.id, portion, BigInt(amount));
    const accepted = await this.provider.deposit(receipt);
    if (accepted.activation_slot === undefined || accepted.activation_slot === null) return accepted;
    const hex = toHex(receipt);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.provider.listDeposits()).find((d) => d.receipt.replace(/^0x/, '') === hex);
      if (found) return { ...accepted, index: found.index };
      const head = await this.provider.head();
      if (BigInt(head.slot) > BigInt(accepted.slot) + 1n) {
        throw new RefusedError('refused', `the deposit was refused at slot ${accepted.slot} (the nodes' logs say why)`);
      }
      if (Date.now() > deadline) throw new TimeoutError('timeout', `deposit not applied by slot ${accepted.slot}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Claims beacon deposit receipt `index` on `shard` (credits the validator's account). */
  async claimDeposit({ shard, index }, options = {}) {
    return this.send(w(wasm.vheeOp, { type: 'deposit', index }), shard, options);
  }

  /** `key` pays `amount` Gwei to account `to` on `shard` (signed, nonce read from the chain). */
  async transfer({ key, to, amount, shard, portion = 0 }, options = {}) {
    return this.#signed({ type: 'transfer', to, amount }, key, shard, portion, options);
  }

  /** `key` pays `amount` Gwei to EE `targetEe` on `targetShard` (a netting output). */
  async payEe({ key, targetShard, targetEe, amount, shard, portion = 0 }, options = {}) {
    return this.#signed({ type: 'payEe', targetShard, targetEe, amount }, key, shard, portion, options);
  }

  /** `key` sends `receipts` (`[{to, amount, callData?}]`) to `targetShard`, netted by the meta-EE. */
  async crossShard({ key, targetShard, receipts, shard, portion = 0 }, options = {}) {
    return this.#signed({ type: 'crossShard', targetShard, receipts }, key, shard, portion, options);
  }

  /** Claims receipt `index` of `receipts` (as sent from `sourceShard`, each with `from`) on `shard`. */
  async claim({ shard, sourceShard, receipts, index }, options = {}) {
    const op = w(wasm.vheeOp, { type: 'claim', sourceShard, receipts, index });
    const root = w(wasm.vheeReceiptsRoot, receipts);
    return this.send(op, shard, { ...options, netted: { source: sourceShard, root } });
  }
}

export { wasm };
