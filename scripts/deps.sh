#!/usr/bin/env bash
# Installs, idempotently, what nineplus needs to build, test and run on Debian 12.
# Usage: scripts/deps.sh [build|check|bench|fuzz|all]   (default: all but bench peers)
# Re-running it when everything is present costs one dpkg query.
set -eu
what=${1:-check}

build_pkgs="build-essential cmake pkg-config git ca-certificates
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev libssl-dev
  libyaml-dev libxlsxwriter-dev libzip-dev libexpat1-dev libpq-dev libcmocka-dev libqrencode-dev
  nodejs npm"
check_pkgs="clang libclang-rt-14-dev chromium curl"
bench_pkgs="wrk nginx postgresql postgresql-15-postgis-3 hyperfine"

case "$what" in
  build) pkgs="$build_pkgs" ;;
  check|fuzz) pkgs="$build_pkgs $check_pkgs" ;;
  bench|all) pkgs="$build_pkgs $check_pkgs $bench_pkgs" ;;
  *) echo "usage: $0 [build|check|bench|fuzz|all]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
# A node that came from elsewhere (nvm, NodeSource) is fine: do not force Debian's.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=$(printf '%s\n' $missing | grep -vxE 'nodejs|npm' | tr '\n' ' ' || true)
fi
missing=$(echo $missing)
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing Debian packages: $missing (run as root or install them)" >&2
    exit 1
  fi
  echo "deps.sh: installing $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
exit 0
