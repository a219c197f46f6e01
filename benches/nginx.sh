# Sourced by the load-generator benches: one nginx worker answering `200 ok` on
# 127.0.0.1:PORT, its files in a temporary directory removed (and nginx stopped) on exit.
# Usage: . benches/nginx.sh; start_nginx PORT [CORE]   (CORE: pin nginx to that core)
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
