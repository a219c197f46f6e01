#!/usr/bin/env bash
# What a saturation search spends to find the limit, against a stepped plan of the same
# precision (levels 5% apart from 100/s until past the limit: the fewest a stepped plan
# needs, and only when its range is guessed right). Target: headroom target, 4 workers,
# exponential 10 ms (M/M/4, mu = 100/s); objective p99 <= 100 ms; holds of 5 s.
# Usage: benches/search_vs_steps.sh [path/to/headroom]  (prints one line per plan)
set -euo pipefail
H=${1:-target/release/headroom}
dir=$(mktemp -d)
trap 'kill $target 2>/dev/null; rm -rf "$dir"' EXIT
$H target --workers 4 --service-time 10ms --dist exp --port 0 > "$dir/target.log" &
target=$!
while ! grep -q http "$dir/target.log"; do sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$dir/target.log" | head -1)
journeys='journeys: [{name: w, steps: [{get: /}]}]'
printf 'name: search\n%s\nload:\n  search: {rate: {from: 100, max: 2000}, hold: 5s, precision: 5%%}\nslo: {p99: 100ms}\n' "$journeys" > "$dir/search.yaml"
printf 'name: steps\n%s\nload:\n  steps: {rate: {from: 100, to: 420, factor: 1.05}, hold: 5s}\nslo: {p99: 100ms}\n' "$journeys" > "$dir/steps.yaml"
for plan in search steps; do
  start=$(date +%s.%N)
  $H run "$dir/$plan.yaml" --target "$url" --out "$dir/$plan" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  python3 - "$dir/$plan/run.json" "$plan" "$start" "$end" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
passing = [s["rate"] for s in run["steps"] if s["slo"] and all(v["passed"] for v in s["slo"])]
limit = run.get("search", {}).get("highest_passing") or max(passing, default=None)
print(f'{sys.argv[2]:>6}: {len(run["steps"])} steps, {run["overall"]["requests"]} requests, '
      f'{float(sys.argv[4]) - float(sys.argv[3]):.0f} s wall, highest passing {limit}/s')
PY
done
