#!/usr/bin/env bash
# Start throwaway PostgreSQL servers on loopback for the sync service's tests, and print the
# variables that point the tests at them:
#
#   eval "$(bash scripts/test-postgres.sh start)"   # exports TINJAU_TEST_DATABASE_URL(S)
#   npm test
#   bash scripts/test-postgres.sh stop
#
# It uses Debian's PostgreSQL (apt-get install postgresql). The first cluster lives in
# $TINJAU_PG_DIR (default /tmp/tinjau-test-pg) on port $TINJAU_PG_PORT (default 54329); it is
# TINJAU_TEST_DATABASE_URL, which the benches use too. `npm run test:postgres` runs one test
# file per cluster at once, so there are $TINJAU_PG_CLUSTERS of them (default 2), the others
# in $TINJAU_PG_DIR-2, … on the following ports, all listed in TINJAU_TEST_DATABASE_URLS
# (scripts/test-postgres.mjs says why one file a cluster). Owned by the postgres user when
# run as root. Nothing else on the machine is touched.
set -euo pipefail

DIR="${TINJAU_PG_DIR:-/tmp/tinjau-test-pg}"
PORT="${TINJAU_PG_PORT:-54329}"
CLUSTERS="${TINJAU_PG_CLUSTERS:-2}"
[[ "$CLUSTERS" =~ ^[1-9]$ ]] || { echo "test-postgres: TINJAU_PG_CLUSTERS is 1 to 9, not '$CLUSTERS'" >&2; exit 2; }
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$BIN" ] || { echo "test-postgres: no PostgreSQL found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
dir_of() { if [ "$1" = 1 ]; then echo "$DIR"; else echo "$DIR-$1"; fi; }

start_one() {
  local dir="$1" port="$2"
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$BIN/initdb" -D "$dir" -U tinjau --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_owner "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
  fi
}

case "${1:-}" in
  start)
    urls=()
    for i in $(seq 1 "$CLUSTERS"); do
      start_one "$(dir_of "$i")" $((PORT + i - 1))
      urls+=("postgres://tinjau@127.0.0.1:$((PORT + i - 1))/postgres")
    done
    echo "export TINJAU_TEST_DATABASE_URL=${urls[0]}"
    echo "export TINJAU_TEST_DATABASE_URLS='${urls[*]}'"
    ;;
  stop)
    # Every cluster a start may have made, whatever TINJAU_PG_CLUSTERS says now.
    for i in 1 2 3 4 5 6 7 8 9; do
      d="$(dir_of "$i")"
      if [ -f "$d/PG_VERSION" ]; then as_owner "$BIN/pg_ctl" -D "$d" -m fast stop >/dev/null 2>&1 || true; fi
    done
    ;;
  *)
    echo "usage: bash scripts/test-postgres.sh start|stop" >&2
    exit 2
    ;;
esac
