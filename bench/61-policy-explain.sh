#!/usr/bin/env bash
# Issue 6: one enterprise's seven explained decisions at province scale (target < 10 ms), in process and
# over HTTP. Builds once (reused while $work/ready-NE-NP exists) a SQLite database with a synthetic
# province written by bench/sql/policy-province.sql — ENTERPRISES (3,000,000) with 24 months of facts,
# PERSONS (10,000,000) with 1.2 spells each, internships, certificates — and one stored run of all
# seven policies as of 2023-12-31 (`nineplus policy run all`, every decision stored). The demo's
# "province" account is copied in from a small demo database for the HTTP side.
# Then: `nineplus policy bench-explain` (SAMPLES enterprises, their refund, start-up loan and special-loan
# decisions, a hire's two subsidies, an intern's subsidy and a hire's certificate, each np_policy_explain)
# and the same seven GETs /api/v1/policy-runs/{id}/decisions/{entity} per enterprise over one keep-alive
# connection (bench/policy-explain-http.mjs). Prints Markdown. Needs NP_BIN (a Release build), sqlite3, node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${NP_BIN:?NP_BIN must name the nineplus binary}")
ne=${ENTERPRISES:-3000000}
np=${PERSONS:-10000000}
samples=${SAMPLES:-200}
port=${BENCH_EXPLAIN_PORT:-18261}
work=${NP_BENCH_POLICY_EXPLAIN_DIR:-/tmp/nineplus-bench-policy-explain}
mkdir -p "$work"
cd "$work"
db="sqlite:$work/policy.db"
if [ ! -f "$work/ready-$ne-$np" ]; then
  rm -f "$work"/policy.db* "$work"/accounts.db* "$work"/ready-*
  t0=$(date +%s)
  "$bin" migrate --db "$db" >/dev/null 2>&1
  sqlite3 -bail "$work/policy.db" ".parameter set :ne $ne" ".parameter set :np $np" ".read $here/sql/policy-province.sql"
  t1=$(date +%s)
  "$bin" policy run all --as-of 2023-12-31 --threads 2 --db "$db" >"$work/run.log" 2>/dev/null
  t2=$(date +%s)
  "$bin" migrate --db "sqlite:$work/accounts.db" >/dev/null 2>&1
  "$bin" demo --db "sqlite:$work/accounts.db" --scale small >/dev/null 2>&1
  sqlite3 "$work/policy.db" "ATTACH '$work/accounts.db' AS a; INSERT INTO users SELECT * FROM a.users WHERE username = 'province';
    INSERT INTO auth_settings SELECT * FROM a.auth_settings;"
  echo "generated in $((t1 - t0)) s, run (load, evaluate, store every decision) in $((t2 - t1)) s" >"$work/build.log"
  touch "$work/ready-$ne-$np"
fi
"$bin" migrate --db "$db" >/dev/null 2>&1
run=$(sqlite3 "$work/policy.db" "SELECT MAX(id) FROM policy_runs WHERE status = 'done' AND policy = 'all'")
echo "## Policy explanations at province scale (issue 6) — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
echo "Command: \`NP_BIN=$bin bench/61-policy-explain.sh\` (ENTERPRISES=$ne PERSONS=$np SAMPLES=$samples)."
echo "Database: $(sqlite3 "$work/policy.db" "SELECT (SELECT COUNT(*) FROM enterprises) || ' enterprises, ' || (SELECT COUNT(*) FROM policy_enterprise_facts) || ' monthly facts, ' || (SELECT COUNT(*) FROM policy_persons) || ' persons, ' || (SELECT COUNT(*) FROM policy_spells) || ' spells, ' || (SELECT COUNT(*) FROM policy_internships) || ' internships, ' || (SELECT COUNT(*) FROM policy_certificates) || ' certificates; run prun_$run with ' || (SELECT COUNT(*) FROM policy_decisions WHERE run_id = $run) || ' stored decisions'"), $(du -h "$work/policy.db" | cut -f1); $(cat "$work/build.log")."
echo
inproc=$("$bin" policy bench-explain --db "$db" --run "$run" --samples "$samples" --list "$work/samples.txt" 2>/dev/null)
echo "- In process (\`nineplus policy bench-explain\`): $inproc"
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --ui-dir '' 2>"$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 400); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.05; done
token=$(curl -fs -H 'content-type: application/json' -d '{"username":"province","password":"Shandong@2023"}' \
  "http://127.0.0.1:$port/api/v1/session" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: login failed" >&2; tail -5 "$work/server.log" >&2; exit 1; }
http=$(node "$here/policy-explain-http.mjs" "http://127.0.0.1:$port" "$token" "prun_$run" "$work/samples.txt")
read -r p50 p99 mean max bytes n <<<"$(sed -n 1p <<<"$http")"
read -r q50 q99 qmean qmax <<<"$(sed -n 2p <<<"$http")"
echo "- Over HTTP (7 sequential GETs per enterprise, one keep-alive connection, province token): p50 $p50 ms, p99 $p99 ms, mean $mean ms, max $max ms for $n enterprises ($((bytes / 1024)) KB of JSON per enterprise)."
echo "- The enterprise's 政策找人 page (GET /api/v1/enterprises/{id}/policies, stored decisions of the seven policies): p50 $q50 ms, p99 $q99 ms, mean $qmean ms, max $qmax ms."
echo "- Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
