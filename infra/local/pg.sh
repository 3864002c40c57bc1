#!/usr/bin/env bash
# Project-local PostgreSQL 15 cluster: `pg.sh up` (init if needed, start, bootstrap roles and
# databases; safe to repeat), `pg.sh down`, `pg.sh status`, `pg.sh psql [ARGS]`.
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` OS user.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=load_env.sh
. "$repo/infra/local/load_env.sh"

PG_BIN="${SVDW_PG_BIN:-/usr/lib/postgresql/15/bin}"
PORT="${SVDW_PG_PORT:-55432}"
HOST=127.0.0.1

if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); else as_pg=(); fi

# The data directory lives under .local/ when the cluster's OS user can reach the repo;
# otherwise (a clone under /root, say) under /var/tmp, keyed by the repo path.
pg_base() {
  if [ -n "${SVDW_PG_BASE:-}" ]; then echo "$SVDW_PG_BASE"; return; fi
  if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$repo"; then
    echo "$repo/.local/pg"
  else
    echo "/var/tmp/svdw-pg-$(echo -n "$repo" | sha256sum | cut -c1-12)"
  fi
}
BASE="$(pg_base)"; DATA="$BASE/data"; SOCK="$BASE/run"; LOG="$BASE/postgres.log"

die() { echo "pg.sh: $*" >&2; exit 1; }
need_env() { [ -n "${!1:-}" ] || die "$1 is not set: run 'make env' (writes .env from .env.example)"; }

running() { "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

su_psql() { PGPASSWORD="$SVDW_PG_SUPERUSER_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U postgres "$@"; }

init_cluster() {
  need_env SVDW_PG_SUPERUSER_PASSWORD
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 server binaries not found in $PG_BIN (apt-get install postgresql-15)"
  mkdir -p "$BASE"
  [ "$(id -u)" = 0 ] && chown postgres: "$BASE"
  local pwfile; pwfile="$(mktemp)"; printf '%s\n' "$SVDW_PG_SUPERUSER_PASSWORD" > "$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  "${as_pg[@]}" mkdir -p "$SOCK"
}

up() {
  [ -f "$DATA/PG_VERSION" ] || { echo "Creating the project-local PostgreSQL cluster in $DATA"; init_cluster; }
  if ! running; then
    if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
      die "port $PORT is already taken by another server; stop it or set SVDW_PG_PORT in .env"
    fi
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-p $PORT -c listen_addresses=$HOST -k $SOCK" start >/dev/null \
      || die "PostgreSQL did not start; see $LOG"
  fi
  bootstrap
  echo "PostgreSQL is up on $HOST:$PORT (data: $DATA)"
}

bootstrap() {
  need_env WAREHOUSE_PASSWORD; need_env AIRFLOW_DB_PASSWORD; need_env SUPERSET_DB_PASSWORD; need_env DASHBOARD_PASSWORD
  need_env LOADER_PASSWORD; need_env TRANSFORMER_PASSWORD; need_env ANALYST_PASSWORD
  need_env ANALYST_LINKED_PASSWORD
  # Roles and databases; every statement is safe to repeat. The script reads the passwords from
  # the (exported) environment: on psql's command line `ps` would show them.
  su_psql -d postgres -f "$repo/infra/sql/bootstrap_roles.sql"
  for spec in "warehouse:svdw_engineer" "airflow:airflow" "superset:superset"; do
    db="${spec%%:*}"; owner="${spec##*:}"
    if [ "$(su_psql -d postgres -tAc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
      su_psql -d postgres -c "create database $db owner $owner"
    fi
  done
}

down() {
  if running; then "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; echo "PostgreSQL stopped"; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) if running; then echo "running on $HOST:$PORT (data: $DATA)"; else echo "not running"; exit 3; fi ;;
  psql) shift; need_env SVDW_PG_SUPERUSER_PASSWORD; su_psql "$@" ;;
  *) echo "usage: $0 up|down|status|psql [ARGS]" >&2; exit 2 ;;
esac
