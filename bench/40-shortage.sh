#!/usr/bin/env bash
# Issue 4: the province-wide shortage summary on ~1M open openings, cold (< 200 ms) and warm.
# Builds a province-scale database once (nineplus demo --scale province) into $NP_BENCH_DIR
# (default /tmp/nineplus-bench-province) and reuses it on later runs. "Cold" = a fresh server
# process and its first shortage request (the OS page cache cannot be dropped here, SQLite's own
# cache is empty). Prints Markdown table rows. Needs NP_BIN (bench/run.sh sets it), curl.
set -euo pipefail
bin=$(realpath "${NP_BIN:?NP_BIN must name the nineplus binary}")
dir=${NP_BENCH_DIR:-/tmp/nineplus-bench-province}
port=${BENCH_SHORTAGE_PORT:-18190}
mkdir -p "$dir"
db="sqlite:$dir/province.db"
[ -s "$dir/master.key" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/master.key")
export NP_MASTER_KEY=$(cat "$dir/master.key")
if [ ! -f "$dir/ready" ]; then
  rm -f "$dir"/province.db*
  t0=$(date +%s)
  "$bin" migrate --db "$db" >/dev/null
  "$bin" demo --db "$db" --scale province --seed 2023 >"$dir/demo.log" 2>"$dir/demo.err"
  echo "built in $(( $(date +%s) - t0 )) s" >>"$dir/demo.log"
  touch "$dir/ready"
fi
"$bin" migrate --db "$db" >/dev/null 2>&1 # a reused database may lag the binary's schema
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
base="http://127.0.0.1:$port"

start() {
  "$bin" serve --db "$db" --listen "127.0.0.1:$port" --ui-dir '' 2>"$dir/server.log" &
  pid=$!
  for _ in $(seq 1 200); do curl -fs "$base/api/v1/health" >/dev/null 2>&1 && break; sleep 0.05; done
  token=$(curl -fs -H 'content-type: application/json' -d '{"username":"province","password":"Shandong@2023"}' \
    "$base/api/v1/session" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || { echo "40-shortage: login failed" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
ms() { # one request, milliseconds
  curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$base$1" | awk '{printf "%.1f", $1 * 1000}'
}
warm() { # median and max of N requests
  local n=$2 i
  for i in $(seq 1 "$n"); do ms "$1"; echo; done | sort -n | awk '{a[NR]=$1} END {printf "%s / %s", a[int((NR+1)/2)], a[NR]}'
}

lines=$(sqlite3 "$dir/province.db" "SELECT COUNT(*), SUM(open_count) FROM demands WHERE open_count > 0" 2>/dev/null || echo "?")
echo "## Shortage summary (issue 4) — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Province-scale demo database ($(sed -n 's/^demands: //p' "$dir/demo.log" | head -1)); open lines|openings: $lines."
echo "Cold = fresh server process, first request (OS page cache warm, SQLite cache empty); warm = median / max of 20."
echo
echo "| query | cold ms | warm ms (median / max) |"
echo "|---|---|---|"
for q in "group=occupation" "group=skill_level" "group=region" "group=industry" "region=370200&group=occupation" \
         "region=370102&group=region"; do
  start
  cold=$(ms "/api/v1/shortage?$q")
  w=$(warm "/api/v1/shortage?$q" 20)
  stop
  echo "| GET /api/v1/shortage?$q | $cold | $w |"
done
echo
