#!/usr/bin/env bash
# The README's test command (and what .ci/run calls): builds the EEs, then runs every
# test of the workspace in both tiers (native and wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cargo make test
