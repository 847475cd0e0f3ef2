#!/usr/bin/env bash
# Builds the web console (ui/ → ui/dist) with the committed package-lock.json.
# Skips npm ci when node_modules matches the lock file, and the build when nothing changed.
set -eu
cd "$(dirname "$0")/../ui" 2>/dev/null || { echo "ui.sh: no ui/ folder yet"; exit 0; }
[ -f package.json ] || exit 0
stamp=node_modules/.np-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
newest_src=$(find src public index.html vite.config.* package.json -type f -newer dist/index.html 2>/dev/null | head -1 || true)
if [ ! -f dist/index.html ] || [ -n "$newest_src" ]; then
  npx vite build --logLevel warn
fi
