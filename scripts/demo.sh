#!/usr/bin/env bash
# The README's demo command: seed 000's example from the built, chiselled wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cargo make demo "$@"
