#!/usr/bin/env bash
# Runs ewasm Scout YAML vectors many times under `ee` and prints per-block times.
#
#   scripts/scout-bench.sh [FILE.yaml ...]        # default: scenarios/scout/*.yaml
#   N=500 ENGINE=singlepass scripts/scout-bench.sh scenarios/scout/hasher.yaml
#
# Side by side with Scout's own binary: build Scout (github.com/ewasm/scout,
# `cargo build --release`, binary target/release/phase2-scout) and pass its path in SCOUT.
# Scout resolves wasm paths against its working directory, so both tools are run from the
# YAML file's directory; with `hyperfine` installed (Debian package) the whole-process
# times are compared statistically, otherwise each is timed over N runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
ENGINE=${ENGINE:-cranelift}
EE=${EE:-$PWD/target/release/ee}
[ -x "$EE" ] || cargo build --release -p ee-cli --bin ee
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(scenarios/scout/*.yaml)

for f in "${files[@]}"; do
    "$EE" run "$f" --repeat "$N" --engine "$ENGINE"
    if [ -n "${SCOUT:-}" ]; then
        dir=$(dirname "$f")
        name=$(basename "$f")
        if command -v hyperfine >/dev/null 2>&1; then
            (cd "$dir" && hyperfine --warmup 3 -N "$SCOUT $name" "$EE run $name --engine $ENGINE")
        else
            for tool in "$SCOUT $name" "$EE run $name --engine $ENGINE"; do
                start=$(date +%s%N)
                for _ in $(seq "$N"); do (cd "$dir" && $tool >/dev/null 2>&1); done
                end=$(date +%s%N)
                echo "$tool: $(( (end - start) / N / 1000 )) µs per whole run"
            done
        fi
    fi
done
