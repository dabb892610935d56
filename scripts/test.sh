#!/usr/bin/env bash
# The README's test command (and what .ci/run calls): builds the EEs and the JavaScript
# package, runs every Rust test of the workspace in both tiers (native and wasm), then the
# package's tests under node's test runner (a real devnet each; headless Chromium for the
# explorer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cargo make test
cargo make test-js
