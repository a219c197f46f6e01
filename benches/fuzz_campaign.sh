#!/usr/bin/env bash
# The fuzz campaign behind BENCHMARKS.md: every cargo-fuzz target for SECONDS (default
# 600), two at a time, each pinned to one core; seeds from the shipped scenarios and
# examples; prints each target's executions and whether it crashed.
# Usage: benches/fuzz_campaign.sh [SECONDS]   (needs cargo-fuzz and the nightly toolchain)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-600}
targets=(scenario history prometheus run_json limits_json fleet catalogue forecast_dir import)
mkdir -p corpus logs
seed() {
    mkdir -p "corpus/$1"
    case $1 in
        scenario) cp ../scenarios/*.yaml "corpus/$1/" ;;
        catalogue) cp ../examples/prices.csv "corpus/$1/" ;;
        fleet) cp ../examples/placement.csv "corpus/$1/" ;;
        import) cp ../examples/shop.har ../examples/petstore.yaml "corpus/$1/" ;;
        history) printf 'timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T01:00:00Z,2\n2024-01-01T02:00:00Z,3\n' > "corpus/$1/seed.csv" ;;
        *) ;;
    esac
}
cargo +nightly fuzz build -O >/dev/null
run() {
    local target=$1 core=$2
    seed "$target"
    taskset -c "$core" cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 >"logs/$target.log" 2>&1 \
        && echo "$target: ok, $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "logs/$target.log")" \
        || echo "$target: CRASHED, see fuzz/logs/$target.log and fuzz/artifacts/$target"
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run "${targets[i]}" 0 &
    if ((i + 1 < ${#targets[@]})); then run "${targets[i + 1]}" 1 & fi
    wait
done
