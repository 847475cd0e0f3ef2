# Shared by the bench/NN-*.sh scripts (source it). Needs NP_BIN.
#   bench_province_db      builds the province-scale demo database once into $NP_BENCH_DIR and
#                          reuses it (delete $NP_BENCH_DIR/ready to rebuild); sets $db and NP_MASTER_KEY
#   bench_start PORT USER  starts `nineplus serve` on the database, logs USER in; sets $base, $token, $pid
#   bench_stop             stops it
bin=$(realpath "${NP_BIN:?NP_BIN must name the nineplus binary}")
dir=${NP_BENCH_DIR:-/tmp/nineplus-bench-province}
pid=

bench_province_db() {
  mkdir -p "$dir"
  db="sqlite:$dir/province.db"
  [ -s "$dir/master.key" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/master.key")
  NP_MASTER_KEY=$(cat "$dir/master.key")
  export NP_MASTER_KEY
  if [ ! -f "$dir/ready" ]; then
    rm -f "$dir"/province.db*
    local t0
    t0=$(date +%s)
    "$bin" migrate --db "$db" >/dev/null 2>&1
    "$bin" demo --db "$db" --scale province --seed 2023 >"$dir/demo.log" 2>"$dir/demo.err"
    echo "built in $(($(date +%s) - t0)) s" >>"$dir/demo.log"
    touch "$dir/ready"
  fi
  "$bin" migrate --db "$db" >/dev/null 2>&1 # a reused database may lag the binary's schema
}

bench_start() {
  local port=$1 user=${2:-province}
  base="http://127.0.0.1:$port"
  "$bin" serve --db "$db" --listen "127.0.0.1:$port" --ui-dir '' 2>"$dir/server-$port.log" &
  pid=$!
  for _ in $(seq 1 400); do curl -fs "$base/api/v1/health" >/dev/null 2>&1 && break; sleep 0.05; done
  token=$(curl -fs -H 'content-type: application/json' -d "{\"username\":\"$user\",\"password\":\"Shandong@2023\"}" \
    "$base/api/v1/session" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || { echo "bench: login failed" >&2; tail -5 "$dir/server-$port.log" >&2; exit 1; }
}

bench_stop() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  pid=
}
trap bench_stop EXIT
