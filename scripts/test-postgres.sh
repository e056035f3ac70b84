#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the sync service's tests, and print
# the TINJAU_TEST_DATABASE_URL that points the tests at it:
#
#   eval "$(bash scripts/test-postgres.sh start)"   # exports TINJAU_TEST_DATABASE_URL
#   npm test
#   bash scripts/test-postgres.sh stop
#
# It uses Debian's PostgreSQL (apt-get install postgresql) and a cluster of its own in
# $TINJAU_PG_DIR (default /tmp/tinjau-test-pg), port $TINJAU_PG_PORT (default 54329), owned
# by the postgres user when run as root. Nothing else on the machine is touched.
set -euo pipefail

DIR="${TINJAU_PG_DIR:-/tmp/tinjau-test-pg}"
PORT="${TINJAU_PG_PORT:-54329}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$BIN" ] || { echo "test-postgres: no PostgreSQL found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
      as_owner "$BIN/initdb" -D "$DIR" -U tinjau --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=200" start >/dev/null
    fi
    echo "export TINJAU_TEST_DATABASE_URL=postgres://tinjau@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_owner "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: bash scripts/test-postgres.sh start|stop" >&2
    exit 2
    ;;
esac
