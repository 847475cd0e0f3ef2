#!/usr/bin/env bash
# Issue 4: the province-wide shortage summary on ~1M open openings, cold (< 200 ms) and warm.
# Builds a province-scale database once (nineplus demo --scale province) into $NP_BENCH_DIR
# (default /tmp/nineplus-bench-province) and reuses it on later runs. "Cold" = a fresh server
# process and its first shortage request (the OS page cache cannot be dropped here, SQLite's own
# cache is empty). Prints Markdown table rows. Needs NP_BIN (bench/run.sh sets it), curl.
set -euo pipefail
port=${BENCH_SHORTAGE_PORT:-18190}
. "$(dirname "$0")/lib.sh"
bench_province_db
start() { bench_start "$port" province; }
stop() { bench_stop; }
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
