#!/usr/bin/env bash
# Issue 6: the rules engine on a synthetic province — 3M enterprises with 24 months of insurance facts,
# 10M persons with 12M employment spells (+ internships, certificates) generated directly into the
# engine's columns; all seven policies with a decision for every row; one enterprise explained; then
# policies 1 and 2 written as SQL (bench/sql) on SQLite and on DuckDB (npm @duckdb/node-api, installed
# under bench/node_modules) over the same data (CSV written by the generator). Prints Markdown.
# Needs NP_BIN. ENTERPRISES / PERSONS scale it down; SQL=0 skips the SQL side; REUSE=1 reuses the CSV
# files and the SQLite database of an earlier run at the same scale (the generator is deterministic).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${NP_BIN:?NP_BIN must name the nineplus binary}")
ne=${ENTERPRISES:-3000000}
np=${PERSONS:-10000000}
work=${NP_BENCH_POLICY_DIR:-/tmp/nineplus-bench-policy}
mkdir -p "$work"
echo "## Policy rules (issue 6) — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Command: \`NP_BIN=$bin bench/60-policy.sh\` (ENTERPRISES=$ne PERSONS=$np)."
echo
csvopt=()
reuse=0
[ "${REUSE:-0}" = 1 ] && [ -s "$work/sql.db" ] && [ -s "$work/facts.csv" ] && reuse=1
[ "${SQL:-1}" = 1 ] && [ $reuse = 0 ] && csvopt=(--csv "$work")
# a migrated database gives the minimum-wage table (internship subsidy)
[ -f "$work/ref.db" ] || "$bin" migrate --db "sqlite:$work/ref.db" >/dev/null 2>&1
"$bin" policy bench --enterprises "$ne" --persons "$np" --threads 2 --db "sqlite:$work/ref.db" "${csvopt[@]}" 2>/dev/null
[ "${SQL:-1}" = 1 ] || exit 0
echo
echo "### Policies 1 and 2 as SQL over the same data"
echo
# SQLite: import the CSVs, then time each policy (CREATE TABLE of all decisions + totals)
t0=$(date +%s.%N)
[ $reuse = 1 ] || {
rm -f "$work/sql.db"
sqlite3 "$work/sql.db" <"$here/sql/schema-sqlite.sql"
sqlite3 "$work/sql.db" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
.import --csv --skip 1 $work/enterprises.csv enterprises
.import --csv --skip 1 $work/facts.csv facts
.import --csv --skip 1 $work/persons.csv persons
.import --csv --skip 1 $work/spells.csv spells
UPDATE persons SET graduation_date = NULLIF(graduation_date, ''), unemployed_since = NULLIF(unemployed_since, '');
SQL
}
t1=$(date +%s.%N)
sq() { # policy file → "ms result"
  local sql
  sql=$(sed "s/ADD24(\([^)]*\))/date(\1, '+24 months')/g" "$here/sql/$1")
  local a b out
  a=$(date +%s.%N)
  out=$(printf 'PRAGMA threads = 2;\nDROP TABLE IF EXISTS d1;\nDROP TABLE IF EXISTS d2;\n%s\n' "$sql" | sqlite3 -csv "$work/sql.db" | tail -1)
  b=$(date +%s.%N)
  echo "$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.0f", (b - a) * 1000}') $out"
}
s1=$(sq policy1.sql)
s2=$(sq policy2.sql)
# DuckDB
[ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm install --no-audit --no-fund >/dev/null)
duck=$(node "$here/policy-duckdb.mjs" "$work" 2)
d1=$(echo "$duck" | awk '$1 == "policy1" {print $2}')
d2=$(echo "$duck" | awk '$1 == "policy2" {print $2}')
[ $reuse = 1 ] && sl="reused" || sl="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", (b - a)}') s"
echo "SQLite load (CSV import) $sl; DuckDB load $(echo "$duck" | awk '$1 == "load" {printf "%.0f", $2 / 1000}') s."
echo
echo "| policy | SQLite ms | DuckDB ms | SQLite result (decisions,eligible,fen) | DuckDB result |"
echo "|---|---|---|---|---|"
echo "| 1 ui_job_stabilisation_refund | ${s1%% *} | $d1 | ${s1#* } | $(echo "$duck" | awk '$1 == "policy1" {print $3}') |"
echo "| 2 one_time_job_expansion_subsidy | ${s2%% *} | $d2 | ${s2#* } | $(echo "$duck" | awk '$1 == "policy2" {print $3}') |"
