#!/usr/bin/env bash
# Open-model fidelity, side by side in one run: at fixed arrival rates against one nginx
# worker (`return 200`) on loopback, headroom's measured p50/p99 (Poisson and evenly
# spaced arrivals, latency from the scheduled arrival) beside hey's at the same rate and
# connection count; then the highest rate headroom sustains on one core with under 0.1%
# of arrivals started more than 1 ms late. nginx is pinned to core 1, the generators to
# core 0. Needs: nginx and hey (Debian packages nginx-light, hey).
# Usage: benches/open_model.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; connections=${2:-20}; port=18091

cargo build --release --locked -q
headroom=$PWD/target/release/headroom

. benches/lib.sh
start_nginx "$port" 1
url="http://127.0.0.1:$port/"

# headroom RATE ARRIVALS [POOL] -> "p50 p99 late_share dropped achieved_rps"
headroom_at() { headroom_open "$headroom" "$url" "$1" "$seconds" "$2" "${3:-}"; }

# hey RATE -> "p50 p99 rps" (hey paces each of its workers at RATE / CONNECTIONS)
hey_at() {
    taskset -c 0 hey -z "${seconds}s" -c "$connections" -q "$(python3 -c "print($1 / $connections)")" "$url" | python3 -c '
import re, sys
t = sys.stdin.read()
q = lambda p: float(re.search(r"\s%s%%+ in ([0-9.]+) secs" % p, t).group(1)) * 1e3
print(round(q(50), 3), round(q(99), 3), round(float(re.search(r"Requests/sec:\s+([0-9.]+)", t).group(1))))'
}

echo "rate,tool,p50_ms,p99_ms,late_share,dropped,rps"
for rate in 1000 2000 5000 10000; do
    read -r p50 p99 rps <<< "$(hey_at "$rate")"
    echo "$rate,hey (c=$connections),$p50,$p99,,,$rps"
    for arrivals in uniform poisson; do
        read -r p50 p99 late dropped rps _ <<< "$(headroom_at "$rate" "$arrivals" "$connections")"
        echo "$rate,headroom $arrivals (pool $connections),$p50,$p99,$late,$dropped,$rps"
        read -r p50 p99 late dropped rps _ <<< "$(headroom_at "$rate" "$arrivals")"
        echo "$rate,headroom $arrivals (default pool),$p50,$p99,$late,$dropped,$rps"
    done
done

echo
echo "one core: rate,p50_ms,p99_ms,late_share,dropped,rps"
for rate in 5000 10000 20000 30000 40000 60000; do
    read -r p50 p99 late dropped rps _ <<< "$(headroom_at "$rate" poisson)"
    echo "$rate,$p50,$p99,$late,$dropped,$rps"
done
