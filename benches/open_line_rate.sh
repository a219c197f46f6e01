#!/usr/bin/env bash
# The open model at line rate, side by side in one run: one nginx worker (`return 200`)
# pinned to core 1, each generator alone on core 0: oha at a fixed rate with latency
# measured from each scheduled start (`-q RATE --latency-correction`), and headroom's
# open model (Poisson arrivals, latency from the scheduled arrival), optionally beside
# an earlier headroom build. Then the highest rate each headroom sustains on that one
# core with under 1% of arrivals started more than 1 ms late and nothing dropped.
# Needs: nginx (Debian package nginx-light), oha (`cargo install oha`), python3.
# Usage: benches/open_line_rate.sh [SECONDS] [EARLIER_HEADROOM_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}; before=${2:-}; port=18092

cargo build --release --locked -q
after=$PWD/target/release/headroom

. benches/lib.sh
start_nginx "$port" 1
url="http://127.0.0.1:$port/"

# headroom BINARY RATE -> "p50 p99 late_share dropped achieved_rps"
headroom_at() { headroom_open "$1" "$url" "$2" "$seconds" poisson; }

# oha RATE -> "p50 p99 achieved_rps"
oha_at() {
    taskset -c 0 oha --no-tui --output-format json -z "${seconds}s" -q "$1" --latency-correction "$url" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
p = r["latencyPercentiles"]
print(round(p["p50"] * 1e3, 3), round(p["p99"] * 1e3, 3), round(r["summary"]["requestsPerSec"]))'
}

echo "rate,tool,p50_ms,p99_ms,late_share,dropped,rps"
for rate in 10000 20000 40000 60000; do
    read -r p50 p99 rps <<< "$(oha_at "$rate")"
    echo "$rate,oha,$p50,$p99,,,$rps"
    read -r p50 p99 late dropped rps <<< "$(headroom_at "$after" "$rate")"
    echo "$rate,headroom,$p50,$p99,$late,$dropped,$rps"
    if [ -n "$before" ]; then
        read -r p50 p99 late dropped rps <<< "$(headroom_at "$before" "$rate")"
        echo "$rate,headroom before,$p50,$p99,$late,$dropped,$rps"
    fi
done

# The highest rate sustained: rising rates until two in a row fail (>= 1% late or any drop).
highest() {
    local best=0 failed=0
    for rate in 10000 15000 20000 25000 30000 35000 40000 45000 50000 55000 60000 70000 80000; do
        read -r _ _ late dropped _ <<< "$(headroom_at "$1" "$rate")"
        if [ "$late" != "-" ] && python3 -c "import sys; sys.exit(0 if $late < 0.01 and $dropped == 0 else 1)"; then
            best=$rate; failed=0
        else
            failed=$((failed + 1)); [ "$failed" -ge 2 ] && break
        fi
    done
    echo "$best"
}
echo
echo "highest rate on one core with under 1% late and nothing dropped:"
echo "headroom,$(highest "$after")"
[ -n "$before" ] && echo "headroom before,$(highest "$before")"
exit 0
