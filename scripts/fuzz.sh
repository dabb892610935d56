#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz + libFuzzer) on the stable toolchain: builds the
# targets of fuzz/ (`--sanitizer none`: no nightly flag is needed), writes each target's
# seeds into fuzz/corpus/<target>/ (from the project's own types, scenarios and built EEs),
# runs each target for a bounded time, and prints executions per target and the total.
# Exits non-zero if any target crashed, timed out or ran out of memory (the input is in
# fuzz/artifacts/<target>/; reproduce with `fuzz/target/x86_64-unknown-linux-gnu/release/<target> <file>`).
#
# usage: scripts/fuzz.sh [--smoke] [--seconds N] [--build-only] [target[:seconds]...]
#   --smoke        CI mode: 20 s per target (the default otherwise is 300 s)
#   --seconds N    run each target N seconds (a `target:N` argument overrides it for one)
#   --build-only   build and seed, run nothing
#   targets        any of: module_load host_calls scale_decode witness_verify stateless
#                  scenario_yaml rpc (default: all)
# Environment: CARGO_BUILD_JOBS (default 2), EE_FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
ALL=(module_load host_calls scale_decode witness_verify stateless scenario_yaml rpc)
# Largest input per target (bytes): module_load takes whole EEs.
declare -A MAX_LEN=([module_load]=65536 [host_calls]=8192 [scale_decode]=16384 [witness_verify]=4096
    [stateless]=16384 [scenario_yaml]=81920 [rpc]=16384)

seconds=300
build_only=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) seconds=20 ;;
        --seconds) seconds="$2"; shift ;;
        --build-only) build_only=1 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL[@]}")
for t in "${targets[@]}"; do
    name="${t%%:*}"
    [ -n "${MAX_LEN[$name]:-}" ] || { echo "fuzz: no target $name (${ALL[*]})" >&2; exit 2; }
done

if ! cargo fuzz --version 2>/dev/null | grep -q "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    echo "fuzz: cargo install --locked cargo-fuzz --version $CARGO_FUZZ_VERSION" >&2
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# The targets that run real EEs need them built (stateless, scenario_yaml, rpc; the
# others seed from them when present).
if [ ! -f target/ees/meta_ee.wasm ] || [ ! -f target/ees/vhee.wasm ]; then
    echo "fuzz: building the EEs (scripts/build-ees.sh; needs scripts/bootstrap.sh's tools)" >&2
    scripts/build-ees.sh
fi

export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
started=$(date +%s)
# --sanitizer none: libFuzzer's coverage instrumentation only, with stable rustc flags
# (no -Z, no RUSTC_BOOTSTRAP); -O with debug assertions and overflow checks (cargo-fuzz's
# defaults); 16 codegen units instead of cargo-fuzz's 1 (wasmer's compilers build much
# faster for slightly slower targets).
cargo fuzz build --sanitizer none --release --debug-assertions --codegen-units 16
echo "fuzz: built in $(( $(date +%s) - started )) s" >&2

bin=fuzz/target/x86_64-unknown-linux-gnu/release
for t in "${targets[@]}"; do
    name="${t%%:*}"
    rm -rf fuzz/target/work/"$name"-*
    EE_FUZZ_SEEDS="fuzz/corpus/$name" "$bin/$name" 2>&1 | grep -v '^WARNING: Failed to find function' >&2
done
[ "$build_only" = 0 ] || exit 0

summary=()
total=0
failed=()
for t in "${targets[@]}"; do
    name="${t%%:*}"
    secs="$seconds"
    [ "$t" = "$name" ] || secs="${t#*:}"
    mkdir -p "fuzz/artifacts/$name" fuzz/target/logs
    log="fuzz/target/logs/$name.log"
    echo "fuzz: $name for ${secs}s" >&2
    status=0
    t0=$(date +%s)
    # -timeout: one input running 120 s is a hang (inputs take milliseconds; the margin is
    # for loaded machines). The corpus directory gets the new inputs libFuzzer keeps.
    # shellcheck disable=SC2086
    "$bin/$name" -max_total_time="$secs" -timeout=120 -rss_limit_mb=4096 -max_len="${MAX_LEN[$name]}" \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$name/" ${EE_FUZZ_ARGS:-} \
        "fuzz/corpus/$name" >"$log" 2>&1 || status=$?
    ran=$(( $(date +%s) - t0 ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    corpus=$(find "fuzz/corpus/$name" -type f | wc -l)
    total=$((total + execs))
    if [ "$status" = 0 ]; then
        result=ok
    else
        result="FAILED (exit $status, see $log)"
        failed+=("$name")
        grep -E "^(==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)" "$log" >&2 || tail -20 "$log" >&2
    fi
    summary+=("$(printf '%-15s %6ss %12s execs %9s/s %6s inputs  %s' "$name" "$ran" "$execs" \
        "$((execs / (ran > 0 ? ran : 1)))" "$corpus" "$result")")
done

echo
printf '%s\n' "${summary[@]}"
echo "total: $total executions in $(( $(date +%s) - started )) s (build included)"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
