#!/usr/bin/env bash
# Installs what the project needs on a machine that has only rustup's stable toolchain:
# the wasm32v1-none target (EEs), the wasm32-unknown-unknown target (the client crate,
# which the JavaScript package wraps), cargo-make and chisel. Idempotent; does nothing
# when present.
set -euo pipefail

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
