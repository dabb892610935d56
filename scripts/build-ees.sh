#!/usr/bin/env bash
# Builds every EE for wasm32v1-none with the `ee` profile (opt-level z, LTO, panic=abort,
# one codegen unit, stripped) and minifies it with chisel into target/ees/.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p target/ees

# chisel NAME [OUT]: minify target/wasm32v1-none/ee/NAME.wasm into target/ees/OUT.wasm.
chisel_ee() {
    local src=target/wasm32v1-none/ee/$1.wasm dst=target/ees/${2:-$1}.wasm log
    if ! log=$(chisel -m trimexports,dropnames,snip,checkfloat,checkstartfunc \
        -c trimexports.preset=ewasm -c checkstartfunc.require_start=false \
        "$src" -o "$dst" 2>&1); then
        echo "$log" >&2
        exit 1
    fi
    printf '%-16s %7d -> %7d bytes\n' "${2:-$1}" "$(stat -c %s "$src")" "$(stat -c %s "$dst")" >&2
}

build() { cargo build --profile ee --target wasm32v1-none "$@"; }

# Separate builds: cargo unifies features per build, and an EE should carry only its own.
build -p meta-ee -p transfer-ee -p relay-ee -p scout-hello -p scout-hasher
for name in meta_ee transfer_ee relay_ee scout_hello scout_hasher; do chisel_ee "$name"; done
build -p vhee
chisel_ee vhee
build -p proof-ee
chisel_ee proof_ee
# The same proof verifier hashing in wasm, to compare with the host's sha256.
build -p proof-ee --features pure-sha256
chisel_ee proof_ee proof_ee_pure
