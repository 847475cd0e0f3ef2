#!/usr/bin/env bash
# make bench: benchmarks of the issues that name a speed. Prints a Markdown report and writes it
# to bench/results/<date>.md; docs/PERFORMANCE.md records the figures with the machine and command.
# Loopback only. Every load is bounded in time (DURATION seconds per run).
set -euo pipefail
bin=$(realpath "${1:?usage: bench/run.sh PATH/TO/nineplus}")
cd "$(dirname "$0")/.."
root=$(pwd)
DURATION=${DURATION:-10}
work=$(mktemp -d /tmp/np-bench-XXXXXX)
port=${BENCH_PORT:-18080}
nport=$((port + 1))
mkdir -p bench/results
out=bench/results/$(date -u +%Y-%m-%dT%H%M%SZ).md
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export NP_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
db="sqlite:$work/bench.db"
"$bin" migrate --db "$db" >/dev/null
"$bin" demo --db "$db" --scale small --seed 2023 >/dev/null
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --ui-dir ui/dist 2>"$work/server.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
token=$(curl -fs -H 'content-type: application/json' -d '{"username":"province","password":"Shandong@2023"}' \
  "http://127.0.0.1:$port/api/v1/session" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: login failed"; cat "$work/server.log" | tail -5; exit 1; }

# the static asset: the smallest hashed file the UI build produced, served by both servers
asset=$(cd ui/dist && find assets -type f -name '*.css' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
[ -n "$asset" ] || asset=index.html
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:$nport;
    root $root/ui/dist;
    location /assets/ { add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
NGX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
sleep 0.5

wrk_run() { # name url conns [header]
  local name=$1 url=$2 c=$3 hdr=${4:-}
  local args=(-t2 -c"$c" -d"${DURATION}s" --latency)
  [ -n "$hdr" ] && args+=(-H "$hdr")
  local r
  r=$(wrk "${args[@]}" "$url" 2>&1)
  local rps p99 errs non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$r")
  p99=$(awk '$1=="99%" {print $2}' <<<"$r")
  errs=$(awk '/Socket errors/ {print $0}' <<<"$r" | sed 's/^ *//')
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$r")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$c" "$rps" "$p99" "${errs:-none}${non2xx:+, non-2xx $non2xx}"
}

{
  echo "## HTTP (issue 3) — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r);"
  echo "wrk -t2 -d${DURATION}s --latency on loopback; server and load generator share the machine."
  echo "Asset: /$asset ($(stat -c %s "ui/dist/$asset") bytes)."
  echo
  echo "| run | connections | req/s | p99 | errors |"
  echo "|---|---|---|---|---|"
  for c in 64 256; do
    wrk_run "nineplus GET /api/v1/me (bearer)" "http://127.0.0.1:$port/api/v1/me" "$c" "Authorization: Bearer $token"
    wrk_run "nineplus static /$asset" "http://127.0.0.1:$port/$asset" "$c"
    wrk_run "nginx static /$asset" "http://127.0.0.1:$nport/$asset" "$c"
  done
  echo
} | tee "$out"

# the benchmarks of later issues (bench/NN-*.sh); BENCH_ONLY=45 runs only bench/45-*, BENCH_ONLY=http none
for b in bench/[0-9]*.sh; do
  [ -x "$b" ] || continue
  case "${BENCH_ONLY:-}" in "") ;; http) continue ;; *) case "$(basename "$b")" in "$BENCH_ONLY"-*) ;; *) continue ;; esac ;; esac
  NP_BIN="$bin" "$b" | tee -a "$out"
done
echo "report: $out"
