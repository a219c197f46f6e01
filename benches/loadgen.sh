#!/usr/bin/env bash
# Load-generator efficiency, side by side in one run: wrk, a raw goose attack with a
# hand-written transaction, and `headroom run`, each with the same number of
# connections against the same nginx on loopback, interleaved ROUNDS times; headroom
# twice, without and with live Prometheus metrics (`--metrics-listen`).
# Needs: nginx and wrk (Debian packages). Usage: benches/loadgen.sh [CONNECTIONS] [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-32}; seconds=${2:-10}; rounds=${3:-3}; port=18090

cargo build --release --locked --benches -q
headroom=target/release/headroom
raw_goose=$(ls -t target/release/deps/raw_goose-* | grep -v '\.d$' | head -1)

. benches/lib.sh
start_nginx "$port"

cat > "$work/bench.yaml" <<YAML
name: bench
journeys: [{name: get, steps: [{get: /}]}]
load: {stages: [{users: $connections, hold: ${seconds}s}]}
YAML

printf "round,wrk_rps,raw_goose_rps,headroom_rps,headroom_metrics_rps\n"
for round in $(seq 1 "$rounds"); do
    wrk_rps=$(wrk -t2 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}')
    goose_rps=$("$raw_goose" "http://127.0.0.1:$port" "$connections" "$seconds" 2>/dev/null | tail -1)
    step_rps='import json,sys; print(round(json.load(sys.stdin)["steps"][0]["throughput_rps"]))'
    headroom_rps=$("$headroom" run "$work/bench.yaml" --target "http://127.0.0.1:$port" --out "$work/out" --json 2>/dev/null \
        | python3 -c "$step_rps")
    metrics_rps=$("$headroom" run "$work/bench.yaml" --target "http://127.0.0.1:$port" --out "$work/out" --json \
        --metrics-listen 127.0.0.1:0 2>/dev/null | python3 -c "$step_rps")
    printf "%s,%s,%s,%s,%s\n" "$round" "$wrk_rps" "$goose_rps" "$headroom_rps" "$metrics_rps"
done
