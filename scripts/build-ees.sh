#!/usr/bin/env bash
# Builds every EE for wasm32v1-none with the `ee` profile (opt-level z, LTO, panic=abort,
# one codegen unit, stripped) and minifies it with chisel into target/ees/.
set -euo pipefail
cd "$(dirname "$0")/.."

EES=(meta-ee transfer-ee)
args=()
for p in "${EES[@]}"; do args+=(-p "$p"); done
cargo build --profile ee --target wasm32v1-none "${args[@]}"

mkdir -p target/ees
for p in "${EES[@]}"; do
    name=${p//-/_}
    src=target/wasm32v1-none/ee/$name.wasm
    dst=target/ees/$name.wasm
    if ! log=$(chisel -m trimexports,dropnames,snip,checkfloat,checkstartfunc \
        -c trimexports.preset=ewasm -c checkstartfunc.require_start=false \
        "$src" -o "$dst" 2>&1); then
        echo "$log" >&2
        exit 1
    fi
    printf '%-14s %7d -> %7d bytes\n' "$name" "$(stat -c %s "$src")" "$(stat -c %s "$dst")" >&2
done
