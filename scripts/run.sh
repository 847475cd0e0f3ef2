#!/usr/bin/env bash
# make run: migrate (loads reference data), load the demo data set into a new database,
# print the demo accounts and serve the UI and API.
set -euo pipefail
bin=${1:?usage: run.sh PATH/TO/nineplus}
db=${NP_DB:-sqlite:var/nineplus.db}
listen=${LISTEN:-127.0.0.1:8080}
scale=${SCALE:-small}
cd "$(dirname "$0")/.."

fresh=0
case "$db" in
  sqlite:*) path=${db#sqlite:}; mkdir -p "$(dirname "$path")"; [ -f "$path" ] || fresh=1 ;;
esac

"$bin" migrate --db "$db"
if [ "$fresh" = 1 ]; then
  "$bin" demo --db "$db" --scale "$scale" --seed 2023
fi
echo
echo "== nineplus demo accounts (demo data only: these passwords are public; 2FA is off for them)"
"$bin" demo --list-accounts
echo
echo "== serving on http://$listen  (Ctrl-C stops; the database is $db)"
exec "$bin" serve --db "$db" --listen "$listen" --ui-dir ui/dist
