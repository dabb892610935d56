#!/usr/bin/env bash
# Builds the JavaScript package (client/js): ee-client-js for wasm32-unknown-unknown,
# wasm-bindgen (the CLI pinned to the crate's version) into an ES module with TypeScript
# types under client/js/pkg/, then "${CARGO_HOME:-$HOME/.cargo}/bin/wasm-opt" -Oz. Prints the wasm size before and after
# wasm-opt. Needs scripts/bootstrap.sh (target, wasm-bindgen-cli, wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."
out=client/js/pkg
cargo rustc --lib --crate-type cdylib --profile js -p ee-client-js --target wasm32-unknown-unknown
rm -rf "$out"
"${CARGO_HOME:-$HOME/.cargo}/bin/wasm-bindgen" --target web --out-dir "$out" --out-name ee_client \
    target/wasm32-unknown-unknown/js/ee_client_js.wasm
before=$(stat -c %s "$out/ee_client_bg.wasm")
"${CARGO_HOME:-$HOME/.cargo}/bin/wasm-opt" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
    "$out/ee_client_bg.wasm" -o "$out/ee_client_bg.opt.wasm"
mv "$out/ee_client_bg.opt.wasm" "$out/ee_client_bg.wasm"
after=$(stat -c %s "$out/ee_client_bg.wasm")
printf '{"wasm_bindgen_bytes": %s, "wasm_opt_bytes": %s}\n' "$before" "$after" > "$out/size.json"
echo "client/js: ee_client_bg.wasm $before B after wasm-bindgen, $after B after wasm-opt -Oz" >&2
