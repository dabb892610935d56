#!/usr/bin/env bash
# Installs what the project needs on a machine that has only rustup's stable toolchain:
# the wasm32v1-none target (EEs), the wasm32-unknown-unknown target (the JavaScript
# package's wasm), cargo-make, chisel, wasm-bindgen-cli (the version the crate pins),
# binaryen's wasm-opt (the `wasm-opt` crate: Debian's binaryen 108 breaks wasm-bindgen's
# externref table), the package's npm dev-dependencies (playwright-core) and Debian's
# Chromium for the explorer's browser test. Idempotent; does nothing when present.
set -euo pipefail
cd "$(dirname "$0")/.."

for target in wasm32v1-none wasm32-unknown-unknown; do
    if ! rustup target list --installed | grep -qx "$target"; then
        echo "bootstrap: rustup target add $target" >&2
        rustup target add "$target"
    fi
done

need_install() { ! command -v "$1" >/dev/null 2>&1; }

if need_install cargo-make; then
    echo "bootstrap: cargo install --locked cargo-make" >&2
    cargo install --locked cargo-make --version 0.37.24
fi
if need_install chisel; then
    echo "bootstrap: cargo install --locked chisel" >&2
    cargo install --locked chisel --version 0.6.0
fi

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
# wasm-bindgen-cli must be the version of the `wasm-bindgen` crate in client/js/Cargo.toml.
# Not --locked: its lock file names a webpki-roots release the registry no longer serves.
wasm_bindgen_version=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' client/js/Cargo.toml)
if ! "$cargo_bin/wasm-bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $wasm_bindgen_version"; then
    echo "bootstrap: cargo install wasm-bindgen-cli $wasm_bindgen_version" >&2
    cargo install --force wasm-bindgen-cli --version "$wasm_bindgen_version"
fi
if ! "$cargo_bin/wasm-opt" --version 2>/dev/null | grep -q "version 116"; then
    echo "bootstrap: cargo install --locked wasm-opt (binaryen 116)" >&2
    cargo install --locked --force wasm-opt --version 0.116.1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null 2>&1; then
    echo "bootstrap: apt-get install chromium (the explorer's browser test)" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d client/js/node_modules/playwright-core ]; then
    echo "bootstrap: npm ci in client/js" >&2
    (cd client/js && npm ci --no-audit --no-fund)
fi
