//! The host ABI, declared once.
//!
//! [`for_each_host_fn!`] is an x-macro holding the single table of every host function an
//! EE can import. It hands the table to a consumer macro in one normalised shape, which
//! every consumer matches with the same one-line pattern:
//!
//! ```text
//! $( $(#[doc = $doc:literal])* fn $name:ident($($p:ident: $k:ident),*) -> $r:ident $info:tt; )*
//! ```
//!
//! * `$k` / `$r` name a parameter-kind *type* in [`kinds`] (`Unit` for "no result"). Each
//!   side attaches its own meaning through a trait: [`GuestKind`] here (the Rust type an EE
//!   passes), `ee_host::abi::HostKind` in the host (host type, wasm type, metering).
//! * `$info` is `{ roles: [..], gas: (base, per_byte), aliases: [module::name, ..] }`; only
//!   this module destructures it (into [`HostFn`]'s metadata), other consumers ask
//!   [`HostFn`].
//!
//! Consumers: this crate's [`raw`](crate::raw) imports and [`HostFn`] (names, roles, default
//! prices, aliases, signatures, docs); the host's logic dispatch, wasmer linker, native test
//! backend, gatekeeper, gas keys and `docs/ABI.md` — a host function added here appears in
//! all of them at once, and the host matches exhaustively on [`HostFn`].
//!
//! Every function lives in module `env`. Gas charged per call is `base + per_byte × bytes`,
//! where `bytes` is the sum of every `Len` argument plus 32 for every `In32`/`Out32`
//! argument. Roles are `Ee` (any execution environment), `Meta` (the netting meta-EE) and
//! `Child` (an instance an EE runs with `spawn`); a function not listed for a role is
//! refused at load time. `aliases` are further
//! `module::name` pairs the same function is importable under: ewasm Scout's names
//! (`env.eth2_*`, and the `eth2`, `debug`, `bignum` modules).
use core::fmt;

/// Parameter and result kinds of the ABI table, as types.
///
/// Each kind is a zero-sized type; [`GuestKind`] gives the Rust type an EE passes for it,
/// the host's `HostKind` trait its host-side type, wasm type and metering rule, and
/// [`Kind`] names it at run time.
pub mod kinds {
    use super::{GuestKind, Kind};

    macro_rules! kinds {
        ($($(#[doc = $doc:literal])* $name:ident => $guest:ty;)*) => {$(
            $(#[doc = $doc])*
            #[derive(Clone, Copy, Debug)]
            pub struct $name;
            impl GuestKind for $name {
                const KIND: Kind = Kind::$name;
                type Guest = $guest;
            }
        )*};
    }

    kinds! {
        /// Pointer to bytes the host reads; length given by a following `Len`.
        InPtr => *const u8;
        /// Pointer to bytes the host writes; length given by a following `Len`.
        OutPtr => *mut u8;
        /// Byte count: metered per byte.
        Len => u32;
        /// Pointer to exactly 32 bytes the host reads (metered as 32 bytes).
        In32 => *const u8;
        /// Pointer to exactly 32 bytes the host writes (metered as 32 bytes).
        Out32 => *mut u8;
        /// Unsigned 32-bit integer (wasm `i32`).
        U32 => u32;
        /// Unsigned 64-bit integer (wasm `i64`).
        U64 => u64;
        /// Signed 64-bit integer (wasm `i64`).
        I64 => i64;
        /// No value (a function without a result).
        Unit => ();
    }
}

/// The EE side of a parameter kind: the Rust type an EE passes or receives.
pub trait GuestKind {
    /// The kind's name.
    const KIND: Kind;
    /// The type in the raw `extern "C"` import.
    type Guest;
}

/// A parameter or result kind, by name (see [`kinds`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Kind {
    /// Pointer to input bytes (length in a following `Len`).
    InPtr,
    /// Pointer to output bytes (length in a following `Len`).
    OutPtr,
    /// Metered byte count.
    Len,
    /// Pointer to 32 input bytes.
    In32,
    /// Pointer to 32 output bytes.
    Out32,
    /// `u32` (wasm i32).
    U32,
    /// `u64` (wasm i64).
    U64,
    /// `i64` (wasm i64).
    I64,
    /// No value.
    Unit,
}

/// A wasm value type used by the ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WasmType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

impl WasmType {
    /// `i32` or `i64`.
    pub fn name(self) -> &'static str {
        match self {
            WasmType::I32 => "i32",
            WasmType::I64 => "i64",
        }
    }
}

impl Kind {
    /// The wasm value type of this kind (`None` for [`Kind::Unit`]).
    pub fn wasm_type(self) -> Option<WasmType> {
        match self {
            Kind::U64 | Kind::I64 => Some(WasmType::I64),
            Kind::Unit => None,
            _ => Some(WasmType::I32),
        }
    }
}

/// The role an EE plays; decides which host functions it may import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Role {
    /// An ordinary execution environment.
    Ee,
    /// The netting meta-EE (runs last in every block; reads outputs, writes balances).
    Meta,
    /// A child instance an EE runs with `spawn` (wasm-spawning-wasm): pure computation on
    /// its input — no state, outputs, deposits or calls; it may spawn children of its own.
    Child,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Ee => "ee",
            Role::Meta => "meta",
            Role::Child => "child",
        })
    }
}

/// Price of a host function: `base + per_byte × metered bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HostGas {
    /// Charged on every call.
    pub base: u64,
    /// Charged per metered byte (`Len` arguments, 32 per `In32`/`Out32`).
    pub per_byte: u64,
}

/// The module every host function is imported from (aliases may name others).
pub const MODULE: &str = "env";

/// Destructures an entry's `$info` for [`HostFn`]'s metadata.
macro_rules! host_fn_info {
    (roles { roles: [$($role:ident),*], gas: ($b:literal, $pb:literal), aliases: [$($am:ident :: $an:ident),*] }) => {
        &[$(Role::$role),*]
    };
    (gas { roles: [$($role:ident),*], gas: ($b:literal, $pb:literal), aliases: [$($am:ident :: $an:ident),*] }) => {
        HostGas { base: $b, per_byte: $pb }
    };
    (aliases { roles: [$($role:ident),*], gas: ($b:literal, $pb:literal), aliases: [$($am:ident :: $an:ident),*] }) => {
        &[$((stringify!($am), stringify!($an))),*]
    };
}

macro_rules! define_host_fns {
    ($( $(#[doc = $doc:literal])* fn $name:ident($($p:ident: $k:ident),*) -> $r:ident $info:tt; )*) => {
        /// Every host function of the ABI table; also the host-call gas cost key.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum HostFn {
            $($(#[doc = $doc])* $name,)*
        }

        impl HostFn {
            /// All host functions, in table order.
            pub const ALL: &'static [HostFn] = &[$(HostFn::$name),*];

            /// The function's import name in module [`MODULE`].
            pub fn name(self) -> &'static str {
                match self { $(HostFn::$name => stringify!($name),)* }
            }

            /// Further `(module, name)` pairs the function is importable under.
            pub fn aliases(self) -> &'static [(&'static str, &'static str)] {
                match self { $(HostFn::$name => host_fn_info!(aliases $info),)* }
            }

            /// Roles allowed to import the function.
            pub fn roles(self) -> &'static [Role] {
                match self { $(HostFn::$name => host_fn_info!(roles $info),)* }
            }

            /// Default gas price from the ABI table.
            pub fn default_gas(self) -> HostGas {
                match self { $(HostFn::$name => host_fn_info!(gas $info),)* }
            }

            /// Parameter names and kinds.
            pub fn params(self) -> &'static [(&'static str, Kind)] {
                match self { $(HostFn::$name => &[$((stringify!($p), <kinds::$k as GuestKind>::KIND)),*],)* }
            }

            /// Result kind ([`Kind::Unit`] when the function returns nothing).
            pub fn result(self) -> Kind {
                match self { $(HostFn::$name => <kinds::$r as GuestKind>::KIND,)* }
            }

            /// Documentation from the table.
            pub fn docs(self) -> &'static str {
                match self { $(HostFn::$name => concat!($($doc, "\n"),*),)* }
            }
        }
    };
}

crate::for_each_host_fn!(define_host_fns);

impl HostFn {
    /// The function's primary import module ([`MODULE`]).
    pub fn module(self) -> &'static str {
        MODULE
    }

    /// Whether an EE of `role` may import this function.
    pub fn allowed(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// Finds the function imported as `module.name` (primary name or alias).
    pub fn lookup(module: &str, name: &str) -> Option<HostFn> {
        HostFn::ALL.iter().copied().find(|f| {
            (module == MODULE && f.name() == name)
                || f.aliases().iter().any(|&(m, n)| m == module && n == name)
        })
    }

    /// Position in [`HostFn::ALL`] (for per-function counters).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Wasm parameter types.
    pub fn wasm_params(self) -> impl Iterator<Item = WasmType> {
        self.params().iter().filter_map(|(_, k)| k.wasm_type())
    }

    /// Wasm result type, if any.
    pub fn wasm_result(self) -> Option<WasmType> {
        self.result().wasm_type()
    }
}

impl fmt::Display for HostFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.module(), self.name())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for HostFn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Invokes `$m!` with the whole host-ABI table in its normalised shape. See the
/// [module docs](self).
#[macro_export]
macro_rules! for_each_host_fn {
    ($m:ident) => {
        $m! {
            // ---------------------------------------------------------------------
            // Transaction input and identity
            // ---------------------------------------------------------------------

            /// Size in bytes of the current transaction's data.
            fn block_data_size() -> U32
                { roles: [Ee, Meta, Child], gas: (20, 0), aliases: [env::eth2_blockDataSize, eth2::blockDataSize] };

            /// Copies `data[offset .. offset + len]` of the current transaction's data to
            /// `dst`. Traps if the range is outside the data or `dst` outside memory.
            /// (As Scout's `eth2_blockDataCopy` it copies the range Scout's API documents;
            /// Scout itself copied `data[offset .. len]`.)
            fn block_data_copy(dst: OutPtr, offset: U32, len: Len) -> Unit
                { roles: [Ee, Meta, Child], gas: (40, 1), aliases: [env::eth2_blockDataCopy, eth2::blockDataCopy] };

            /// The shard this block executes on.
            fn shard_id() -> U32
                { roles: [Ee, Meta], gas: (10, 0), aliases: [] };

            /// Number of shards in the system.
            fn shard_count() -> U32
                { roles: [Ee, Meta], gas: (10, 0), aliases: [] };

            /// The calling EE's own id (the host knows it; an EE cannot forge it).
            fn ee_id() -> U32
                { roles: [Ee, Meta], gas: (10, 0), aliases: [] };

            /// The slot of the current block.
            fn slot() -> U64
                { roles: [Ee, Meta], gas: (10, 0), aliases: [] };

            /// 1 if `ee` is registered on the beacon state, else 0.
            fn ee_exists(ee: U32) -> U32
                { roles: [Ee, Meta], gas: (20, 0), aliases: [] };

            // ---------------------------------------------------------------------
            // Lookback: the block so far (seed 002's fee markets)
            // ---------------------------------------------------------------------

            /// Number of transactions included in this block before the current one
            /// (failed ones too: a failed transaction is in the block and pays its fee).
            fn lookback_count() -> U32
                { roles: [Ee], gas: (20, 0), aliases: [] };

            /// Writes the hash of the block's transaction number `index` (counted from the
            /// block's first, `index < lookback_count()`) to `dst`: sha256 of the SCALE
            /// `(shard, ShardTransaction)`, the hash clients and the devnet name
            /// transactions by. Traps if `index` is out of range.
            fn lookback_hash(index: U32, dst: Out32) -> Unit
                { roles: [Ee], gas: (60, 1), aliases: [] };

            // ---------------------------------------------------------------------
            // The EE's own state root on this shard
            // ---------------------------------------------------------------------

            /// Writes the EE's 32-byte state root on this shard (before this transaction)
            /// to `dst`.
            fn load_pre_state_root(dst: Out32) -> Unit
                { roles: [Ee, Meta], gas: (60, 1), aliases: [env::eth2_loadPreStateRoot, eth2::loadPreStateRoot] };

            /// Sets the EE's state root on this shard to the 32 bytes at `src`. Takes effect
            /// only if the transaction completes.
            fn save_post_state_root(src: In32) -> Unit
                { roles: [Ee, Meta], gas: (200, 1), aliases: [env::eth2_savePostStateRoot, eth2::savePostStateRoot] };

            // ---------------------------------------------------------------------
            // Outputs (seed 000's `print_output` / `get_outputs`)
            // ---------------------------------------------------------------------

            /// Appends `Output { ee_id: <caller>, data: src[..len] }` to the block's output
            /// buffer. The host sets `ee_id`. Discarded if the transaction fails. Bounded by
            /// the host's output limits (size per output, outputs per transaction, bytes per
            /// block).
            fn print_output(src: InPtr, len: Len) -> Unit
                { roles: [Ee, Meta], gas: (100, 2), aliases: [] };

            /// Size in bytes of the SCALE-encoded `Vec<Vec<u8>>` of outputs that `ee`
            /// printed earlier in this block.
            fn get_outputs_size(ee: U32) -> U32
                { roles: [Meta], gas: (40, 0), aliases: [] };

            /// Copies the first `len` bytes of that encoding to `dst`; `len` must equal
            /// `get_outputs_size(ee)`.
            fn get_outputs_copy(ee: U32, dst: OutPtr, len: Len) -> Unit
                { roles: [Meta], gas: (40, 1), aliases: [] };

            // ---------------------------------------------------------------------
            // Balance matrices (meta-EE only)
            // ---------------------------------------------------------------------

            /// Reads cell `shard[row].balances[column][ee]` (row `row` of `ee`'s matrix,
            /// column `column`). The current shard's row is read from the current state;
            /// other rows from the latest crosslinked state of shard `row` (stateless:
            /// from the loaded multiproof; an uncovered cell traps).
            fn balance_get(row: U32, column: U32, ee: U32) -> I64
                { roles: [Meta], gas: (200, 0), aliases: [] };

            /// Adds `delta` to cell `shard[current].balances[column][ee]`. Only the current
            /// shard's row is writable. Traps on overflow.
            fn balance_add(column: U32, ee: U32, delta: I64) -> Unit
                { roles: [Meta], gas: (400, 0), aliases: [] };

            /// Reads the known minimum of `ee`'s foreign balance on this shard's column
            /// (DESIGN §2 "known minimum"): a proven lower bound of
            /// `Σ_{r ≠ current} shard[r].balances[current][ee]`.
            fn known_min_get(ee: U32) -> U64
                { roles: [Meta], gas: (200, 0), aliases: [] };

            /// Records a new known minimum for `ee` on this shard.
            fn known_min_set(ee: U32, value: U64) -> Unit
                { roles: [Meta], gas: (400, 0), aliases: [] };

            /// Writes the chain's netting rules to `dst`: a SCALE `NettingRules`,
            /// zero-padded to 32 bytes (ARCHITECTURE.md "Netting variants").
            fn netting_rules(dst: Out32) -> Unit
                { roles: [Meta], gas: (60, 1), aliases: [] };

            /// Reads `ee`'s reserve on this shard (the `reserve` variant), in Gwei.
            fn reserve_get(ee: U32) -> U64
                { roles: [Meta], gas: (200, 0), aliases: [] };

            /// Sets `ee`'s reserve on this shard. The meta-EE moves value between the
            /// reserve and the diagonal cell only, so the sum of cells and reserves is kept.
            fn reserve_set(ee: U32, value: U64) -> Unit
                { roles: [Meta], gas: (400, 0), aliases: [] };

            /// What shard `row` added to its cell `balances[column][ee]` during the slot
            /// before the current one (the `zero-capital` variant), or 0. Read like
            /// `balance_get`: the current shard's record from the current state, others
            /// from their latest crosslink (stateless: from the loaded multiproof).
            fn recent_get(row: U32, column: U32, ee: U32) -> U64
                { roles: [Meta], gas: (200, 0), aliases: [] };

            /// Adds `amount` to this shard's record of what cell `balances[column][ee]`
            /// received in the current slot (starting a new record if it holds an
            /// older slot).
            fn recent_add(column: U32, ee: U32, amount: U64) -> Unit
                { roles: [Meta], gas: (400, 0), aliases: [] };

            /// Verifies a SCALE-encoded `Witness` (multiproof) against this shard's pre-state
            /// root and the beacon state's latest shard roots, and makes its cells readable.
            /// A stateful host accepts an empty witness.
            fn multiproof_load(src: InPtr, len: Len) -> Unit
                { roles: [Meta], gas: (1000, 8), aliases: [] };

            /// Records that the meta-EE accepted outputs worth `amount` towards
            /// `(target_shard, target_ee)` with the data root at `root`: adds `amount` to this
            /// shard's `netted[target_shard][target_ee][root]`, which the target shard reads
            /// with `netted_get` to cap receipt claims.
            fn netted_add(target_shard: U32, target_ee: U32, root: In32, amount: U64) -> Unit
                { roles: [Meta], gas: (500, 1), aliases: [] };

            /// Records that the meta-EE accepted an output of `source_ee` towards
            /// `(target_shard, target_ee)` carrying the data root at `root`: adds 1 to this
            /// shard's `messages[target_shard][target_ee][source_ee][root]`. Unlike
            /// `netted_add`, the record names the source EE, so an EE can tell its own
            /// receipts from roots other EEs send it (non-ETH assets need that).
            fn message_add(target_shard: U32, target_ee: U32, source_ee: U32, root: In32) -> Unit
                { roles: [Meta], gas: (500, 1), aliases: [] };

            // ---------------------------------------------------------------------
            // Cross-shard receipts and beacon deposits
            // ---------------------------------------------------------------------

            /// How much the meta-EE on `shard` netted towards `(current shard, ee)` with the
            /// data root at `root`, as of `shard`'s latest crosslink (the current shard's own
            /// record if `shard` is the current one). Stateless: the cell must be in the
            /// block's witness.
            fn netted_get(shard: U32, ee: U32, root: In32) -> U64
                { roles: [Ee, Meta], gas: (300, 1), aliases: [] };

            /// How many outputs of `source_ee` carrying the data root at `root` the meta-EE
            /// on `shard` accepted towards `(current shard, caller)`, as of `shard`'s latest
            /// crosslink (the current shard's own record if `shard` is the current one).
            /// Stateless: the record must be in the block's witness.
            fn message_count(shard: U32, source_ee: U32, root: In32) -> U64
                { roles: [Ee, Meta], gas: (300, 1), aliases: [] };

            /// Size of the SCALE `DepositReceipt` number `index` of the beacon state, or 0
            /// if there is none.
            fn deposit_size(index: U64) -> U32
                { roles: [Ee], gas: (100, 0), aliases: [] };

            /// Claims beacon deposit receipt `index` for the calling EE and copies it to
            /// `dst` (`len` must equal `deposit_size`). The receipt must target this shard
            /// and name the caller in its `DepositData`; each receipt is claimed once (the
            /// claim is recorded in this shard's state). Credits the amount to the caller's
            /// cell `balances[current][caller]`: the only way new ETH enters the shards.
            fn deposit_claim(index: U64, dst: OutPtr, len: Len) -> Unit
                { roles: [Ee], gas: (2_000, 1), aliases: [] };

            // ---------------------------------------------------------------------
            // Synchronous calls between EEs
            // ---------------------------------------------------------------------

            /// Runs EE `ee`'s `main` synchronously with `src[..len]` as its data, inside
            /// this transaction: same gas budget, same state overlay, its outputs tagged with
            /// its own id. Returns the size of its return data. A failing callee fails the
            /// caller. Calls nest up to 4 deep; the meta-EE cannot be called.
            fn call_ee(ee: U32, src: InPtr, len: Len) -> U32
                { roles: [Ee], gas: (5_000, 1), aliases: [] };

            /// The EE that called this one through `call_ee`, or `u32::MAX` at top level.
            fn caller_ee() -> U32
                { roles: [Ee], gas: (10, 0), aliases: [] };

            /// Sets this call's return data to `src[..len]`.
            fn set_return_data(src: InPtr, len: Len) -> Unit
                { roles: [Ee, Child], gas: (50, 1), aliases: [] };

            /// Copies the return data of the last `call_ee` or `spawn` to `dst`; `len` must
            /// equal its size.
            fn return_data_copy(dst: OutPtr, len: Len) -> Unit
                { roles: [Ee, Child], gas: (50, 1), aliases: [] };

            /// Size of the return data of the last `call_ee` or `spawn` (0 after a failed
            /// spawn).
            fn return_data_size() -> U32
                { roles: [Ee, Child], gas: (20, 0), aliases: [] };

            // ---------------------------------------------------------------------
            // Wasm-spawning-wasm (seed 002's glossary; umbrella EEs)
            // ---------------------------------------------------------------------

            /// Runs the wasm module `code[..code_len]` as a child instance whose `main`
            /// reads `input[..input_len]` as its data: checked by the same gatekeeper for
            /// role `Child` (its imports limited to its data, return data, `sha256`,
            /// `debug_log`, `abort` and `spawn`), its own memory, metered from this
            /// call's gas (at most `gas`; 0 means all that is left), compiled once per
            /// code hash. Returns a `SpawnStatus` code: 0 when the child finished (its
            /// return data then readable with `return_data_copy`), else why it failed —
            /// a failed child is reported, never fails the parent by itself; the gas it
            /// used stays spent. Nests, with `call_ee`, up to 4 deep. The price covers
            /// compilation whether or not the module is cached (the same on every node).
            fn spawn(code: InPtr, code_len: Len, input: InPtr, input_len: Len, gas: U64) -> U32
                { roles: [Ee, Child], gas: (20_000, 8), aliases: [] };

            // ---------------------------------------------------------------------
            // Crypto and diagnostics
            // ---------------------------------------------------------------------

            /// 1 if `sig[..sig_len]` (96-byte compressed G2) is a valid BLS12-381 signature
            /// of `msg[..msg_len]` by `pk[..pk_len]` (48-byte compressed G1), Eth2's
            /// proof-of-possession scheme (`BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`),
            /// else 0. Malformed keys or signatures give 0.
            fn bls_verify(pk: InPtr, pk_len: Len, msg: InPtr, msg_len: Len, sig: InPtr, sig_len: Len) -> U32
                { roles: [Ee, Meta], gas: (1_500_000, 2), aliases: [] };

            /// Writes sha256(`src[..len]`) to `dst`.
            fn sha256(src: InPtr, len: Len, dst: Out32) -> Unit
                { roles: [Ee, Meta, Child], gas: (60, 3), aliases: [] };

            /// Emits `src[..len]` (UTF-8, lossy) to the host's debug log. Never part of
            /// consensus; bounded like every other call.
            fn debug_log(src: InPtr, len: Len) -> Unit
                { roles: [Ee, Meta, Child], gas: (50, 1), aliases: [] };

            /// Aborts the transaction with the message `src[..len]`: no outputs, no state
            /// change.
            fn abort(src: InPtr, len: Len) -> Unit
                { roles: [Ee, Meta, Child], gas: (10, 0), aliases: [] };

            // ---------------------------------------------------------------------
            // ewasm Scout's ABI (second namespace): importable as `env.eth2_*`,
            // `env.debug_*`, `env.bignum_*` or under the `eth2`, `debug`, `bignum`
            // modules, so Scout-era EEs run unmodified. Metered like every entry.
            // ---------------------------------------------------------------------

            /// Scout: emits a deposit receipt (for Scout's vectors, an SSZ Phase 0 `Deposit`
            /// of 184 bytes). Discarded if the transaction fails; bounded like outputs.
            fn eth2_pushNewDeposit(src: InPtr, len: Len) -> Unit
                { roles: [Ee], gas: (100, 2), aliases: [eth2::pushNewDeposit] };

            /// Scout: charges `ticks` gas on top of the call's base price; out of gas traps.
            /// (Every EE is metered anyway; this lets a Scout EE account for work the way
            /// it did in Scout.)
            fn eth2_useTicks(ticks: U32) -> Unit
                { roles: [Ee], gas: (10, 0), aliases: [eth2::useTicks] };

            /// Scout: logs a 32-bit value.
            fn debug_print32(value: U32) -> Unit
                { roles: [Ee], gas: (20, 0), aliases: [debug::print32] };

            /// Scout: logs a 64-bit value.
            fn debug_print64(value: U64) -> Unit
                { roles: [Ee], gas: (20, 0), aliases: [debug::print64] };

            /// Scout: logs `src[..len]` as text.
            fn debug_printMem(src: InPtr, len: Len) -> Unit
                { roles: [Ee], gas: (50, 1), aliases: [debug::printMem] };

            /// Scout: logs `src[..len]` as hex.
            fn debug_printMemHex(src: InPtr, len: Len) -> Unit
                { roles: [Ee], gas: (50, 2), aliases: [debug::printMemHex] };

            /// Scout: `c = a + b` on 32-byte big-endian numbers; traps on overflow.
            fn bignum_add256(a: In32, b: In32, c: Out32) -> Unit
                { roles: [Ee], gas: (30, 0), aliases: [bignum::add256] };

            /// Scout: `c = a - b` on 32-byte big-endian numbers; traps on underflow.
            fn bignum_sub256(a: In32, b: In32, c: Out32) -> Unit
                { roles: [Ee], gas: (30, 0), aliases: [bignum::sub256] };
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    #[test]
    fn names_and_aliases_are_unique() {
        let mut seen = BTreeSet::new();
        for f in HostFn::ALL {
            assert!(seen.insert((f.module(), f.name())), "duplicate import {f}");
            for alias in f.aliases() {
                assert!(seen.insert(*alias), "duplicate alias {alias:?}");
            }
        }
    }

    #[test]
    fn lookup_finds_every_entry_and_alias_and_nothing_else() {
        for &f in HostFn::ALL {
            assert_eq!(HostFn::lookup(f.module(), f.name()), Some(f));
            for &(m, n) in f.aliases() {
                assert_eq!(HostFn::lookup(m, n), Some(f));
            }
        }
        assert_eq!(HostFn::lookup("env", "eth2_blockDataCopy"), Some(HostFn::block_data_copy));
        assert_eq!(HostFn::lookup("env", "no_such_function"), None);
        assert_eq!(HostFn::lookup("wasi_snapshot_preview1", "fd_write"), None);
    }

    #[test]
    fn meta_only_functions_are_refused_to_ordinary_ees() {
        for f in [HostFn::get_outputs_size, HostFn::get_outputs_copy, HostFn::balance_add] {
            assert!(f.allowed(Role::Meta));
            assert!(!f.allowed(Role::Ee), "{f} must be meta-only");
        }
        assert!(HostFn::print_output.allowed(Role::Ee));
    }

    #[test]
    fn every_entry_is_documented() {
        for f in HostFn::ALL {
            assert!(!f.docs().trim().is_empty(), "{f} has no docs");
        }
    }

    #[test]
    fn pointers_come_with_lengths_and_only_values_are_results() {
        for &f in HostFn::ALL {
            let kinds: alloc::vec::Vec<Kind> = f.params().iter().map(|(_, k)| *k).collect();
            for (i, k) in kinds.iter().enumerate() {
                if matches!(k, Kind::InPtr | Kind::OutPtr) {
                    let next =
                        kinds[i + 1..].iter().find(|k| matches!(k, Kind::InPtr | Kind::OutPtr | Kind::Len));
                    assert_eq!(next, Some(&Kind::Len), "{f}: a pointer's Len comes before the next pointer");
                }
                assert_ne!(*k, Kind::Unit, "{f}: Unit is a result kind only");
            }
            assert!(matches!(f.result(), Kind::Unit | Kind::U32 | Kind::U64 | Kind::I64), "{f}");
        }
    }
}
