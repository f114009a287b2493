#!/usr/bin/env bash
# Make sure a Redis server answers on 127.0.0.1:${REDIS_PORT:-6379}; install or start it if not.
# Prints `export MOOC_TEST_REDIS_URL=…` (a base URL without a database number: the several-servers
# test picks an empty database and empties it again afterwards).
set -euo pipefail
REDIS_PORT="${REDIS_PORT:-6379}"
log() { echo "ensure-redis: $*" >&2; }
answers() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
if command -v redis-cli >/dev/null 2>&1 && answers; then
  log "server answering on 127.0.0.1:$REDIS_PORT"
else
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing redis-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  fi
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 1 40); do answers && break; sleep 0.25; done
  answers || { log "redis-server does not answer on 127.0.0.1:$REDIS_PORT"; exit 1; }
fi
echo "export MOOC_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
