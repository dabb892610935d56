#!/usr/bin/env bash
# Installs what the project needs on a machine that has only rustup's stable toolchain:
# the wasm32v1-none target, cargo-make and chisel. Idempotent; does nothing when present.
set -euo pipefail

if ! rustup target list --installed | grep -qx wasm32v1-none; then
    echo "bootstrap: rustup target add wasm32v1-none" >&2
    rustup target add wasm32v1-none
fi

need_install() { ! command -v "$1" >/dev/null 2>&1; }

if need_install cargo-make; then
    echo "bootstrap: cargo install --locked cargo-make" >&2
    cargo install --locked cargo-make --version 0.37.24
fi
if need_install chisel; then
    echo "bootstrap: cargo install --locked chisel" >&2
    cargo install --locked chisel --version 0.6.0
fi
