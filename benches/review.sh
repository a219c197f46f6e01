#!/usr/bin/env bash
# The quarterly review at scale: 500 services x 90 days of hourly demand (1.08 million
# rows in one CSV, each service its own growth and daily cycle), reviewed 90 days ahead
# with a price catalogue; prints the wall time and the peak resident memory.
# Usage: benches/review.sh [path/to/headroom]   (taskset -c 0,1 to pin to 2 cores)
set -euo pipefail
H=$(realpath "${1:-target/release/headroom}")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" "$(pwd)/examples/prices.csv" <<'PY'
import math, random, sys
d, prices = sys.argv[1], sys.argv[2]
random.seed(500)
start = 1790000000 - 1790000000 % 86400
shapes = [(f"svc-{k:03d}", random.uniform(100, 400), random.uniform(0, 2), random.uniform(0.1, 0.3)) for k in range(500)]
with open(f"{d}/demand.csv", "w") as f:
    f.write("timestamp,series,value\n")
    for h in range(90 * 24):
        t = start + h * 3600
        daily = math.sin(2 * math.pi * (h - 9) / 24)
        for name, base, growth, swing in shapes:
            f.write(f"{t},{name},{base + growth * h / 24 + swing * base * daily + random.gauss(0, 0.03 * base):.2f}\n")
with open(f"{d}/portfolio.yaml", "w") as f:
    f.write(f"name: 500 services\nhorizon: 90d\nlead_time: 30d\ncatalog: {prices}\ndemand: {{csv: demand.csv}}\nservices:\n")
    for k, (name, base, growth, swing) in enumerate(shapes):
        f.write(f"  - {{name: {name}, capacity_rps: 100, instances: {int(base * 2.2 / 100) + 2}, instance_type: gp.large}}\n")
PY
cd "$dir"
/usr/bin/time -o time.txt -f '%e s wall, %M KiB peak resident, %P CPU' "$H" review portfolio.yaml --out out > review.txt
grep '^portfolio:' review.txt
cat time.txt
