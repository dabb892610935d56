#!/usr/bin/env bash
# Builds every EE of the workspace with `ee build` (wasm32v1-none, `ee` profile: opt-level z,
# LTO, panic=abort, one codegen unit, stripped; then chisel) into target/ees/, plus the
# proof EE's pure-wasm-sha256 variant. Builds the `ee` tool first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p ee-cli --bin ee
EE=target/release/ee
"$EE" build . --budget ee-size-budget.json "$@"
"$EE" build examples/proof-ee --features pure-sha256 --out-name proof_ee_pure --budget ee-size-budget.json "$@"
