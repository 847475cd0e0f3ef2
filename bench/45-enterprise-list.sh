#!/usr/bin/env bash
# Issue 4: the enterprise list filtered by city + industry + has-shortage, first page, at 64
# concurrent clients on the province-scale database (target p99 < 50 ms). wrk, loopback only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_province_db
DURATION=${DURATION:-10}
bench_start "${BENCH_LIST_PORT:-18191}" province
echo "## Enterprise list (issue 4) — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Province-scale demo database ($(sqlite3 "$dir/province.db" 'SELECT COUNT(*) FROM enterprises') enterprises);"
echo "wrk -t2 -c64 -d${DURATION}s --latency, bearer token of a province user; server and wrk share the 2 cores."
echo
echo "| query | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
for q in "region=370200&industry=34&has_shortage=true" "region=370100&industry=C&has_shortage=true" \
         "region=371300&industry=3670&has_shortage=true" "region=370200&industry=34&has_shortage=true&sort=open_openings"; do
  r=$(wrk -t2 -c64 -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$base/api/v1/enterprises?$q&limit=20" 2>&1)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$r")
  p50=$(awk '$1=="50%" {print $2}' <<<"$r")
  p99=$(awk '$1=="99%" {print $2}' <<<"$r")
  errs=$(awk '/Socket errors|Non-2xx/ {printf "%s; ", $0}' <<<"$r")
  echo "| GET /api/v1/enterprises?$q | $rps | $p50 | $p99 | ${errs:-none} |"
done
echo
