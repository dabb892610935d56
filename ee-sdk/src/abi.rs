//! The host ABI, declared once.
//!
//! [`for_each_host_fn!`] is an x-macro holding the single table of every host function an
//! EE can import. Each consumer passes its own macro and gets one expansion per entry:
//!
//! * this crate's [`raw`](crate::raw) module expands it into the `extern "C"` imports;
//! * the host (`ee-host`) expands it into the wasmer linker registrations, the native
//!   test backend's exported symbols, the allowed-import check per EE role, the gas cost
//!   keys (`HostFn`) with their default prices, and the generated ABI reference (`docs/ABI.md`).
//!
//! A function added here therefore appears everywhere at once; one missing anywhere is a
//! compile error (the host matches exhaustively on the generated `HostFn` enum), and the
//! host has a test that instantiates a module importing every entry.
//!
//! # Entry syntax
//!
//! ```text
//! /// docs …
//! module "env" fn name(param: Kind, …) -> Kind; roles(Role, …) gas(base, per_byte);
//! ```
//!
//! Parameter kinds (see [`kinds`]) say both the Rust type an EE sees and how the host meters
//! the call: the gas charged is `base + per_byte × bytes`, where `bytes` is the sum of every
//! `Len` argument plus 32 for every `In32`/`Out32` argument.
//!
//! Roles are `Ee` (any execution environment) and `Meta` (the netting meta-EE). A
//! function listed only for `Meta` is rejected at load time in any other EE.
//!
//! `aliases[...]` lists extra `(module, name)` pairs under which the same function is
//! importable (ewasm Scout exposes its ABI both as `env.eth2_*` and under `eth2`/`debug`/
//! `bignum` modules).

/// Parameter and result kinds of the ABI table.
///
/// Each kind maps to a Rust type on the EE side (`sdk_ty!`), to a wasm value type, and to a
/// metering rule. They are plain marker names; the macros in this crate and in the host
/// translate them.
pub mod kinds {
    /// Pointer to bytes the host reads; length given by a following `Len`.
    pub const IN_PTR: &str = "InPtr";
    /// Pointer to bytes the host writes; length given by a following `Len`.
    pub const OUT_PTR: &str = "OutPtr";
    /// Byte count: metered per byte.
    pub const LEN: &str = "Len";
    /// Pointer to exactly 32 bytes the host reads (metered as 32 bytes).
    pub const IN32: &str = "In32";
    /// Pointer to exactly 32 bytes the host writes (metered as 32 bytes).
    pub const OUT32: &str = "Out32";
    /// Unsigned 32-bit integer (wasm `i32`).
    pub const U32: &str = "U32";
    /// Unsigned 64-bit integer (wasm `i64`).
    pub const U64: &str = "U64";
    /// Signed 64-bit integer (wasm `i64`).
    pub const I64: &str = "I64";
}

/// Invokes `$m!` with the whole host-ABI table. See the [module docs](self).
#[macro_export]
macro_rules! for_each_host_fn {
    ($m:ident) => {
        $m! {
            // ---------------------------------------------------------------------
            // Transaction input and identity
            // ---------------------------------------------------------------------

            /// Size in bytes of the current transaction's data.
            module "env" fn block_data_size() -> U32; roles(Ee, Meta) gas(20, 0) aliases[];

            /// Copies `data[offset .. offset + len]` of the current transaction's data to
            /// `dst`. Traps if the range is outside the data or `dst` outside memory.
            module "env" fn block_data_copy(dst: OutPtr, offset: U32, len: Len);
                roles(Ee, Meta) gas(40, 1) aliases[];

            /// The shard this block executes on.
            module "env" fn shard_id() -> U32; roles(Ee, Meta) gas(10, 0) aliases[];

            /// Number of shards in the system.
            module "env" fn shard_count() -> U32; roles(Ee, Meta) gas(10, 0) aliases[];

            /// The calling EE's own id (the host knows it; an EE cannot forge it).
            module "env" fn ee_id() -> U32; roles(Ee, Meta) gas(10, 0) aliases[];

            /// The slot of the current block.
            module "env" fn slot() -> U64; roles(Ee, Meta) gas(10, 0) aliases[];

            /// 1 if `ee` is registered on the beacon state, else 0.
            module "env" fn ee_exists(ee: U32) -> U32; roles(Ee, Meta) gas(20, 0) aliases[];

            // ---------------------------------------------------------------------
            // The EE's own state root on this shard
            // ---------------------------------------------------------------------

            /// Writes the EE's 32-byte state root on this shard (before this transaction)
            /// to `dst`.
            module "env" fn load_pre_state_root(dst: Out32); roles(Ee, Meta) gas(60, 1) aliases[];

            /// Sets the EE's state root on this shard to the 32 bytes at `src`. Takes effect
            /// only if the transaction completes.
            module "env" fn save_post_state_root(src: In32); roles(Ee, Meta) gas(200, 1) aliases[];

            // ---------------------------------------------------------------------
            // Outputs (seed 000's `print_output` / `get_outputs`)
            // ---------------------------------------------------------------------

            /// Appends `Output { ee_id: <caller>, data: src[..len] }` to the block's output
            /// buffer. The host sets `ee_id`. Discarded if the transaction fails. Bounded by
            /// the host's output limits (size per output, outputs per transaction, bytes per
            /// block).
            module "env" fn print_output(src: InPtr, len: Len); roles(Ee, Meta) gas(100, 2) aliases[];

            /// Size in bytes of the SCALE-encoded `Vec<Vec<u8>>` of outputs that `ee`
            /// printed earlier in this block.
            module "env" fn get_outputs_size(ee: U32) -> U32; roles(Meta) gas(40, 0) aliases[];

            /// Copies the first `len` bytes of that encoding to `dst`; `len` must equal
            /// `get_outputs_size(ee)`.
            module "env" fn get_outputs_copy(ee: U32, dst: OutPtr, len: Len);
                roles(Meta) gas(40, 1) aliases[];

            // ---------------------------------------------------------------------
            // Balance matrices (meta-EE only)
            // ---------------------------------------------------------------------

            /// Reads cell `shard[row].balances[column][ee]` (row `row` of `ee`'s matrix,
            /// column `column`). The current shard's row is read from the current state;
            /// other rows from the latest crosslinked state of shard `row` (stateless:
            /// from the loaded multiproof; an uncovered cell traps).
            module "env" fn balance_get(row: U32, column: U32, ee: U32) -> I64;
                roles(Meta) gas(200, 0) aliases[];

            /// Adds `delta` to cell `shard[current].balances[column][ee]`. Only the current
            /// shard's row is writable. Traps on overflow.
            module "env" fn balance_add(column: U32, ee: U32, delta: I64);
                roles(Meta) gas(400, 0) aliases[];

            /// Reads the known minimum of `ee`'s foreign balance on this shard's column
            /// (DESIGN §2 "known minimum"): a proven lower bound of
            /// `Σ_{r ≠ current} shard[r].balances[current][ee]`.
            module "env" fn known_min_get(ee: U32) -> U64; roles(Meta) gas(200, 0) aliases[];

            /// Records a new known minimum for `ee` on this shard.
            module "env" fn known_min_set(ee: U32, value: U64); roles(Meta) gas(400, 0) aliases[];

            /// Verifies a SCALE-encoded `Witness` (multiproof) against this shard's pre-state
            /// root and the beacon state's latest shard roots, and makes its cells readable.
            /// A stateful host accepts an empty witness.
            module "env" fn multiproof_load(src: InPtr, len: Len); roles(Meta) gas(1000, 8) aliases[];

            /// Records that the meta-EE accepted outputs worth `amount` towards
            /// `(target_shard, target_ee)` with the data root at `root`: adds `amount` to this
            /// shard's `netted[target_shard][target_ee][root]`, which the target shard reads
            /// with `netted_get` to cap receipt claims.
            module "env" fn netted_add(target_shard: U32, target_ee: U32, root: In32, amount: U64);
                roles(Meta) gas(500, 1) aliases[];

            // ---------------------------------------------------------------------
            // Cross-shard receipts and beacon deposits
            // ---------------------------------------------------------------------

            /// How much the meta-EE on `shard` netted towards `(current shard, ee)` with the
            /// data root at `root`, as of `shard`'s latest crosslink (the current shard's own
            /// record if `shard` is the current one). Stateless: the cell must be in the
            /// block's witness.
            module "env" fn netted_get(shard: U32, ee: U32, root: In32) -> U64;
                roles(Ee, Meta) gas(300, 1) aliases[];

            /// Size of the SCALE `DepositReceipt` number `index` of the beacon state, or 0
            /// if there is none.
            module "env" fn deposit_size(index: U64) -> U32; roles(Ee) gas(100, 0) aliases[];

            /// Claims beacon deposit receipt `index` for the calling EE and copies it to
            /// `dst` (`len` must equal `deposit_size`). The receipt must target this shard
            /// and name the caller in its `DepositData`; each receipt is claimed once (the
            /// claim is recorded in this shard's state). Credits the amount to the caller's
            /// cell `balances[current][caller]`: the only way new ETH enters the shards.
            module "env" fn deposit_claim(index: U64, dst: OutPtr, len: Len);
                roles(Ee) gas(2_000, 1) aliases[];

            // ---------------------------------------------------------------------
            // Synchronous calls between EEs
            // ---------------------------------------------------------------------

            /// Runs EE `ee`'s `main` synchronously with `src[..len]` as its data, inside
            /// this transaction: same gas budget, same state overlay, its outputs tagged with
            /// its own id. Returns the size of its return data. A failing callee fails the
            /// caller. Calls nest up to 4 deep; the meta-EE cannot be called.
            module "env" fn call_ee(ee: U32, src: InPtr, len: Len) -> U32; roles(Ee) gas(5_000, 1) aliases[];

            /// The EE that called this one through `call_ee`, or `u32::MAX` at top level.
            module "env" fn caller_ee() -> U32; roles(Ee) gas(10, 0) aliases[];

            /// Sets this call's return data to `src[..len]`.
            module "env" fn set_return_data(src: InPtr, len: Len); roles(Ee) gas(50, 1) aliases[];

            /// Copies the return data of the last `call_ee` to `dst`; `len` must equal its
            /// size.
            module "env" fn return_data_copy(dst: OutPtr, len: Len); roles(Ee) gas(50, 1) aliases[];

            // ---------------------------------------------------------------------
            // Crypto and diagnostics
            // ---------------------------------------------------------------------

            /// 1 if `sig[..sig_len]` (96-byte compressed G2) is a valid BLS12-381 signature
            /// of `msg[..msg_len]` by `pk[..pk_len]` (48-byte compressed G1), Eth2's
            /// proof-of-possession scheme (`BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`),
            /// else 0. Malformed keys or signatures give 0.
            module "env" fn bls_verify(pk: InPtr, pk_len: Len, msg: InPtr, msg_len: Len, sig: InPtr, sig_len: Len) -> U32;
                roles(Ee, Meta) gas(1_500_000, 2) aliases[];

            /// Writes sha256(`src[..len]`) to `dst`.
            module "env" fn sha256(src: InPtr, len: Len, dst: Out32); roles(Ee, Meta) gas(60, 3) aliases[];

            /// Emits `src[..len]` (UTF-8, lossy) to the host's debug log. Never part of
            /// consensus; bounded like every other call.
            module "env" fn debug_log(src: InPtr, len: Len); roles(Ee, Meta) gas(50, 1) aliases[];

            /// Aborts the transaction with the message `src[..len]`: no outputs, no state
            /// change.
            module "env" fn abort(src: InPtr, len: Len); roles(Ee, Meta) gas(10, 0) aliases[];

            // ---------------------------------------------------------------------
            // ewasm Scout's ABI (second namespace): importable as `env.eth2_*`,
            // `env.debug_*`, `env.bignum_*` or under the `eth2`, `debug`, `bignum`
            // modules, so Scout-era EEs run unmodified. Metered like every entry.
            // ---------------------------------------------------------------------

            /// Scout: writes the EE's 32-byte pre-state root to `dst`.
            module "env" fn eth2_loadPreStateRoot(dst: Out32); roles(Ee) gas(60, 1)
                aliases[("eth2", "loadPreStateRoot")];

            /// Scout: size in bytes of the block data.
            module "env" fn eth2_blockDataSize() -> U32; roles(Ee) gas(20, 0)
                aliases[("eth2", "blockDataSize")];

            /// Scout: copies `data[offset .. offset + len]` to `dst` (Scout itself copied
            /// `data[offset .. len]`; the range here is the one its API documents). Traps if
            /// the range is outside the data.
            module "env" fn eth2_blockDataCopy(dst: OutPtr, offset: U32, len: Len); roles(Ee) gas(40, 1)
                aliases[("eth2", "blockDataCopy")];

            /// Scout: sets the EE's post-state root to the 32 bytes at `src`.
            module "env" fn eth2_savePostStateRoot(src: In32); roles(Ee) gas(200, 1)
                aliases[("eth2", "savePostStateRoot")];

            /// Scout: emits a deposit receipt (for Scout's vectors, an SSZ Phase 0 `Deposit`
            /// of 184 bytes). Discarded if the transaction fails; bounded like outputs.
            module "env" fn eth2_pushNewDeposit(src: InPtr, len: Len); roles(Ee) gas(100, 2)
                aliases[("eth2", "pushNewDeposit")];

            /// Scout: charges `ticks` gas on top of the call's base price; out of gas traps.
            /// (Every EE is metered anyway; this lets a Scout EE account for work the way
            /// it did in Scout.)
            module "env" fn eth2_useTicks(ticks: U32); roles(Ee) gas(10, 0)
                aliases[("eth2", "useTicks")];

            /// Scout: logs a 32-bit value.
            module "env" fn debug_print32(value: U32); roles(Ee) gas(20, 0) aliases[("debug", "print32")];

            /// Scout: logs a 64-bit value.
            module "env" fn debug_print64(value: U64); roles(Ee) gas(20, 0) aliases[("debug", "print64")];

            /// Scout: logs `src[..len]` as text.
            module "env" fn debug_printMem(src: InPtr, len: Len); roles(Ee) gas(50, 1)
                aliases[("debug", "printMem")];

            /// Scout: logs `src[..len]` as hex.
            module "env" fn debug_printMemHex(src: InPtr, len: Len); roles(Ee) gas(50, 2)
                aliases[("debug", "printMemHex")];

            /// Scout: `c = a + b` on 32-byte big-endian numbers; traps on overflow.
            module "env" fn bignum_add256(a: In32, b: In32, c: Out32); roles(Ee) gas(30, 0)
                aliases[("bignum", "add256")];

            /// Scout: `c = a - b` on 32-byte big-endian numbers; traps on underflow.
            module "env" fn bignum_sub256(a: In32, b: In32, c: Out32); roles(Ee) gas(30, 0)
                aliases[("bignum", "sub256")];
        }
    };
}
