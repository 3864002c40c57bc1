#!/usr/bin/env bash
# Project-local Redis (Debian's redis-server): the Celery broker of Airflow's CeleryExecutor and
# Superset's cache and async-query broker in the Celery mode (`make demo EXECUTOR=celery`).
#   redis.sh up       start it if it is not running (safe to repeat); waits until it answers
#   redis.sh down     stop it (SHUTDOWN, then the pid)
#   redis.sh status   exit 0 running, 3 stopped
#   redis.sh cli ARGS redis-cli against it
# Settings from .env (never overriding the caller's): SVDW_REDIS_PORT (default 56379),
# SVDW_REDIS_PASSWORD (required), SVDW_REDIS_DIR (data, socket, log; default .local/redis).
# Loopback only, a password, and an append-only file: the broker's queue survives a restart.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=load_env.sh
. "$repo/infra/local/load_env.sh"

PORT="${SVDW_REDIS_PORT:-56379}"
HOST=127.0.0.1
DIR="${SVDW_REDIS_DIR:-$repo/.local/redis}"
PIDFILE="$DIR/redis.pid"; LOG="$DIR/redis.log"; CONF="$DIR/redis.conf"

die() { echo "redis.sh: $*" >&2; exit 1; }
need_password() { [ -n "${SVDW_REDIS_PASSWORD:-}" ] || die "SVDW_REDIS_PASSWORD is not set: run 'make env' (writes .env from .env.example)"; }

cli() { REDISCLI_AUTH="$SVDW_REDIS_PASSWORD" redis-cli -h "$HOST" -p "$PORT" "$@"; }
answers() { [ "$(cli ping 2>/dev/null)" = PONG ]; }
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

up() {
  need_password
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server; make system-deps does it)"
  if running && answers; then echo "Redis is up on $HOST:$PORT"; return; fi
  if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    die "port $PORT is already taken by another server; stop it or set SVDW_REDIS_PORT in .env"
  fi
  mkdir -p "$DIR"; chmod 700 "$DIR"
  # The password goes in a 0600 config file, not on the command line (ps would show it).
  umask 077
  cat >"$CONF" <<CONF
bind $HOST
port $PORT
protected-mode yes
requirepass $SVDW_REDIS_PASSWORD
dir $DIR
daemonize yes
pidfile $PIDFILE
logfile $LOG
appendonly yes
save ""
CONF
  redis-server "$CONF" || die "redis-server did not start; see $LOG"
  for _ in $(seq 1 50); do answers && { echo "Redis is up on $HOST:$PORT (data: $DIR)"; return; }; sleep 0.1; done
  die "Redis did not answer on $HOST:$PORT within 5 s; see $LOG"
}

down() {
  if running; then
    local pid; pid="$(cat "$PIDFILE")"
    cli shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "Redis stopped"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) if running && answers; then echo "running on $HOST:$PORT (data: $DIR)"; else echo "not running"; exit 3; fi ;;
  cli) shift; need_password; cli "$@" ;;
  *) echo "usage: $0 up|down|status|cli [ARGS]" >&2; exit 2 ;;
esac
