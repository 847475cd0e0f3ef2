#!/usr/bin/env bash
# Issue 5: the matching engine at province scale. Uses the province demo database of bench/lib.sh
# (~300k enterprises, ~200k open lines / ~1.6M openings); seekers come from the database when its
# demo has them, otherwise `nineplus bench-match` adds synthetic seekers near the lines up to 2M
# (said in the output). Measures the index build, candidates / jobs top 20 within 50 km explained
# (p50/p99), top 10 for every seeker, a 10,000-worker batch allocation, and the same candidates query
# on SQLite and, in the same run, on PostgreSQL 15 + PostGIS (GiST on geography(Point), btree on the
# occupation middle group) in a private cluster in /tmp (initdb as the postgres user, unix socket +
# 127.0.0.1 on MATCH_PG_PORT, stopped and removed at exit). MATCH_PG=0 skips PostgreSQL; it is also
# skipped (said in the output) when initdb / postgis are missing (`scripts/deps.sh bench`).
# Prints Markdown. Needs NP_BIN.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_province_db
sq=$(mktemp -d /tmp/np-match-bench-XXXXXX)
pg=
pgbin=/usr/lib/postgresql/15/bin
pgport=${MATCH_PG_PORT:-55432}
pg_stop() {
  [ -n "$pg" ] || return 0
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg"
  pg=
}
trap 'pg_stop; rm -rf "$sq"; bench_stop' EXIT
out=$("$bin" bench-match --db "$db" --seekers "${MATCH_SEEKERS:-2000000}" --workers "${MATCH_WORKERS:-10000}" \
  --queries "${MATCH_QUERIES:-2000}" --sqlite "$sq/seekers.db" --sql-queries "${MATCH_SQL_QUERIES:-200}" \
  --all-sample "${MATCH_ALL_SAMPLE:-0}" --dump "$sq" 2>/dev/null)
printf '%s\n' "$out"

pg_time() { # LABEL: one plan for the record (stderr), then the timed run and its table row
  { echo 'EXPLAIN (ANALYZE, BUFFERS)'; sed -n 2p "$pg/queries.sql"; } | "${psql[@]}" -At >"$pg/plan.txt" 2>&1 || true
  sed 's/^/  /' "$pg/plan.txt" | head -40 >&2
  "${psql[@]}" -f "$pg/run.sql" >"$pg/run.out" 2>&1
  read -r e50 e99 <"$sq/engine.txt"
  # SQLite's figures of the same run, for the PostgreSQL / SQLite ratio
  local s50 s99
  s50=$(printf '%s\n' "$out" | sed -n 's/^| same candidates query on SQLite.*| p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms |.*/\1/p')
  s99=$(printf '%s\n' "$out" | sed -n 's/^| same candidates query on SQLite.*| p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms |.*/\2/p')
  sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$pg/run.out" | sort -n >"$pg/times"
  awk -v label="$1" -v e50="$e50" -v e99="$e99" -v s50="${s50:-0}" -v s99="${s99:-0}" -v tf="$pg/times" '
    function flush() { if (q) { if (first != "" && eng != "0") { n++; same += (first == eng) } else if (loc == "noloc") noloc++; else if ((first == "") != (eng == "0")) { emptydiff++; print "postgres: line " line ": engine first " eng ", postgres first " (first == "" ? "none" : first) > "/dev/stderr" } } }
    $1 == "Q" { flush(); q = 1; line = $2; eng = $3; loc = $4; first = ""; next }
    q && first == "" && /^[0-9]+\|/ { split($0, a, "|"); first = a[1] }
    END {
      flush()
      while ((getline v < tf) > 0) t[++nt] = v + 0
      p50 = t[int(0.5 * (nt - 1) + 0.5) + 1]; p99 = t[int(0.99 * (nt - 1) + 0.5) + 1]
      printf "| same candidates query on PostgreSQL 15 + PostGIS (%s; ST_DWithin 50 km on the sphere and the same integer score in SQL; psql \\timing over the unix socket; %d queries; first result equal to the engine'"'"'s in %d/%d%s%s) | p50 %.1f ms, p99 %.1f ms | ratio p50 %.0f×, p99 %.0f× (vs SQLite: p50 %.2f×, p99 %.2f×) |\n",
        label, nt, same, n, (noloc ? sprintf("; %d lines without a location, which the engine excludes and SQL does not check", noloc) : ""),
        (emptydiff ? sprintf("; empty on one side only %d", emptydiff) : ""), p50, p99, p50 / e50, p99 / e99,
        (s50 > 0 ? p50 / s50 : 0), (s99 > 0 ? p99 / s99 : 0)
    }' "$pg/run.out"
}

pg_run() {
  if [ "${MATCH_PG:-1}" = 0 ]; then return 0; fi
  if [ ! -x "$pgbin/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ] || ! id postgres >/dev/null 2>&1; then
    echo "| same candidates query on PostgreSQL 15 + PostGIS | not run: install with scripts/deps.sh bench | |"
    return 0
  fi
  [ -s "$sq/queries.csv" ] && [ -s "$sq/engine.txt" ] || { echo "| PostgreSQL: no dump from bench-match | | |"; return 0; }
  pg=$(mktemp -d /tmp/np-match-pg-XXXXXX)
  chown postgres: "$pg"
  runuser -u postgres -- "$pgbin/initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 --locale=C >"$pg/initdb.log" 2>&1
  # load settings (fsync off and friends) only make the COPY and index build cheaper; queries read from memory
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w -o "-p $pgport -k $pg \
    -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c maintenance_work_mem=512MB -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB" start >/dev/null
  local psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$pg" -p "$pgport" -U postgres -d postgres)
  local t0 t1 t2
  t0=$(date +%s.%N)
  "${psql[@]}" >"$pg/load.log" 2>&1 <<SQL
CREATE EXTENSION postgis;
CREATE UNLOGGED TABLE stage (id bigint, middle int, minor int, occ int, lat_e6 int, lon_e6 int, skill int,
  birth int, avail int, created int, salary bigint, edu int);
\copy stage FROM '$sq/seekers.csv' WITH (FORMAT csv)
CREATE TABLE bench_seekers AS SELECT *, ST_SetSRID(ST_MakePoint(lon_e6 / 1e6, lat_e6 / 1e6), 4326)::geography AS g FROM stage;
DROP TABLE stage;
SQL
  t1=$(date +%s.%N)
  "${psql[@]}" >>"$pg/load.log" 2>&1 <<SQL
CREATE INDEX bench_seekers_g ON bench_seekers USING gist (g);
CREATE INDEX bench_seekers_middle ON bench_seekers (middle);
VACUUM ANALYZE bench_seekers;
SQL
  t2=$(date +%s.%N)
  local rows
  rows=$("${psql[@]}" -At -c "SELECT count(*) || ' rows, ' || count(DISTINCT id) || ' seekers, ' || pg_size_pretty(pg_total_relation_size('bench_seekers')) FROM bench_seekers")
  awk -v r="$rows" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "postgres load: %s; copy + geography %.1f s, indexes + vacuum analyze %.1f s\n", r, b - a, c - b }' >&2
  # the same query as bench_match.c's SQL_CAND, with ST_DWithin on the sphere (the engine's haversine) instead of the bounding box
  awk -F, 'NR > 1 {
    lg = sprintf("'"'"'SRID=4326;POINT(%.6f %.6f)'"'"'::geography", $10 / 1e6, $9 / 1e6)
    printf "\\echo Q %s %s %s\n", $1, $22, ($9 == 0 && $10 == 0 ? "noloc" : "loc")
    printf "SELECT id, MAX(score) AS s FROM (SELECT id,"
    printf " (CASE WHEN occ = %s THEN 1000 WHEN minor = %s THEN 700 ELSE 400 END) * %s / 1000", $2, $3, $16
    printf " + (CASE WHEN %s = 0 THEN (CASE WHEN skill > 0 THEN 700 ELSE 500 END)", $4
    printf " WHEN (skill - %s) * 100 >= 500 THEN 500 ELSE 1000 - (skill - %s) * 100 END) * %s / 1000", $4, $4, $17
    printf " + (1000 * 20000 / (20000 + d)) * %s / 1000", $18
    printf " + (CASE WHEN salary = 0 OR %s = 0 THEN 500 WHEN salary <= %s THEN 1000", $5, $5
    printf " ELSE GREATEST(0, 1000 - 2000 * (salary - %s) / %s) END) * %s / 1000", $5, ($5 == 0 ? 1 : $5), $19
    printf " + %s * %s / 1000", $6, $20
    printf " + ((1000 * 30 / (30 + %s)) + (1000 * 30 / (30 + (%s - created)))) / 2 * %s / 1000 AS score", $7, $8, $21
    printf " FROM (SELECT *, ROUND(ST_Distance(g, %s, false))::int AS d FROM bench_seekers", lg
    printf " WHERE middle = %s AND ST_DWithin(g, %s, 50000.5, false) AND skill >= %s", $11, lg, $4
    printf " AND birth BETWEEN %s AND %s AND avail <= %s AND (%s <= 1 OR edu >= %s)) x", $12, $13, $14, $15, $15
    printf " WHERE d <= 50000) y GROUP BY id ORDER BY s DESC, id LIMIT 20;\n"
  }' "$sq/queries.csv" >"$pg/queries.sql"
  { echo '\pset format unaligned'; echo '\pset tuples_only on'; echo '\pset footer off'; echo '\timing on'; cat "$pg/queries.sql"; } \
    >"$pg/run.sql"
  pg_time "geography(Point) with GiST, btree on the middle group"
  # the composite index that matches SQLite's (middle, lat, lon): one GiST on (middle, g) with btree_gist
  t0=$(date +%s.%N)
  "${psql[@]}" >>"$pg/load.log" 2>&1 <<SQL
CREATE EXTENSION btree_gist;
DROP INDEX bench_seekers_g, bench_seekers_middle;
CREATE INDEX bench_seekers_mg ON bench_seekers USING gist (middle, g);
ANALYZE bench_seekers;
SQL
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "postgres: composite GiST (middle, g) in %.1f s\n", b - a }' >&2
  pg_time "one GiST on (middle, geography(Point)) with btree_gist"
  pg_stop
}
pg_run
echo
