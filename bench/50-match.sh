#!/usr/bin/env bash
# Issue 5: the matching engine at province scale. Uses the province demo database of bench/lib.sh
# (~300k enterprises, ~200k open lines / ~1.6M openings); seekers come from the database when its
# demo has them, otherwise `nineplus bench-match` adds synthetic seekers near the lines up to 2M
# (said in the output). Measures the index build, candidates / jobs top 20 within 50 km explained
# (p50/p99), top 10 for every seeker, a 10,000-worker batch allocation, and the same candidates query
# on SQLite (and on PostgreSQL + PostGIS when MATCH_PG=1 and pg_ctl/postgis are installed: not yet
# automated, see docs/PERFORMANCE.md). Prints Markdown. Needs NP_BIN.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_province_db
sq=$(mktemp -d /tmp/np-match-bench-XXXXXX)
trap 'rm -rf "$sq"; bench_stop' EXIT
"$bin" bench-match --db "$db" --seekers "${MATCH_SEEKERS:-2000000}" --workers "${MATCH_WORKERS:-10000}" \
  --queries "${MATCH_QUERIES:-2000}" --sqlite "$sq/seekers.db" --sql-queries "${MATCH_SQL_QUERIES:-200}" \
  --all-sample "${MATCH_ALL_SAMPLE:-0}" 2>/dev/null
