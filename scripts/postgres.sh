#!/usr/bin/env bash
# A throw-away local PostgreSQL for the test suite: 127.0.0.1:54329, user quartier, trust auth.
set -euo pipefail
PGDATA=${PGDATA:-/tmp/quartier-pg}
PORT=54329
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    if as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then exit 0; fi
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      mkdir -p "$PGDATA"; [ "$(id -u)" = 0 ] && chown postgres: "$PGDATA"
      as_pg "$BIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
    fi
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w start \
      -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
    psql -h 127.0.0.1 -p $PORT -U postgres -tc "SELECT 1 FROM pg_roles WHERE rolname='quartier'" | grep -q 1 \
      || psql -h 127.0.0.1 -p $PORT -U postgres -qc "CREATE ROLE quartier LOGIN SUPERUSER"
    psql -h 127.0.0.1 -p $PORT -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='quartier'" | grep -q 1 \
      || psql -h 127.0.0.1 -p $PORT -U postgres -qc "CREATE DATABASE quartier OWNER quartier"
    ;;
  stop) as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast stop ;;
esac
