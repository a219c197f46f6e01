# Sourced by the load-generator benches. start_nginx PORT [CORE]: one nginx worker
# answering `200 ok` on 127.0.0.1:PORT (pinned to CORE when given), its files in a
# temporary directory ($work) removed, and nginx stopped, on exit. headroom_open: one
# open-model run on core 0 (below).
start_nginx() {
    local port=$1 core=${2:-}
    work=$(mktemp -d)
    trap 'nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
    mkdir -p "$work/logs"
    cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  server { listen 127.0.0.1:$port; location / { return 200 "ok\n"; } }
}
CONF
    if [ -n "$core" ]; then
        taskset -c "$core" nginx -c "$work/nginx.conf" -p "$work"
    else
        nginx -c "$work/nginx.conf" -p "$work"
    fi
    sleep 0.5
}

# headroom_open BINARY URL RATE SECONDS ARRIVALS [POOL] -> "p50 p99 late_share dropped rps cpu_us"
# (one step of RATE arrivals a second after a 1 s ramp, on core 0; cpu_us is the run's
# CPU time, user and system, per request; "- - - - - -" if it failed)
headroom_open() {
    local pool=${6:+"pool: $6, "}
    cat > "$work/open.yaml" <<YAML
name: open
journeys: [{name: get, steps: [{get: /}]}]
load: {${pool}arrivals: $5, stages: [{rate: $3, ramp: 1s, hold: ${4}s}]}
YAML
    python3 - "$1" "$work/open.yaml" "$2" "$work/out" <<'PY' 2>/dev/null || echo "- - - - - -"
import json, resource, subprocess, sys
binary, scenario, url, out = sys.argv[1:]
run = subprocess.run(["taskset", "-c", "0", binary, "run", scenario, "--target", url, "--out", out, "--json"],
                     capture_output=True, text=True)
r = json.loads(run.stdout)
s = r["steps"][-1]
used = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu_us = (used.ru_utime + used.ru_stime) / max(r["overall"]["requests"], 1) * 1e6
print(s["latency_ms"]["p50"], s["latency_ms"]["p99"], round(s["late_arrivals"] / max(s["arrivals"], 1), 5),
      s["dropped"], round(s["throughput_rps"]), round(cpu_us, 1))
PY
}
