#!/usr/bin/env bash
# Builds the web console (ui/ → ui/dist) with the committed package-lock.json.
# Skips npm ci when node_modules matches the lock file, and the build when nothing changed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

# npm ci in DIR when its node_modules does not match its package-lock.json
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.np-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# the browser tests' own dependencies (playwright-core; no browser download)
[ "${1:-build}" = tests ] && { npm_ci "$root/tests/ui"; exit 0; }

cd "$root/ui"
[ -f package.json ] || exit 0
npm_ci "$root/ui"
newest_src=$(find src public index.html vite.config.* package.json -type f -newer dist/index.html 2>/dev/null | head -1 || true)
if [ ! -f dist/index.html ] || [ -n "$newest_src" ]; then
  npx vite build --logLevel warn
fi
