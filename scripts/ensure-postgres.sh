#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:${PGPORT:-5432}; install or start it if not.
# Prints `export MOOC_TEST_DATABASE_URL=…` (a base URL; the tests create throwaway databases).
set -euo pipefail
PGPORT="${PGPORT:-5432}"
log() { echo "ensure-postgres: $*" >&2; }
can_login() {
  PGCONNECT_TIMEOUT=3 psql "postgresql://postgres:postgres@127.0.0.1:$PGPORT/postgres" -Atqc 'select 1' >/dev/null 2>&1
}
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
  log "server answering on 127.0.0.1:$PGPORT"
else
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
  if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"' | grep -q .; then
    pg_createcluster "$ver" main -p "$PGPORT" >/dev/null
  fi
  log "starting cluster $ver/main"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || pg_ctlcluster "$ver" main start || true
  for _ in $(seq 1 40); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.5; done
  pg_isready -h 127.0.0.1 -p "$PGPORT" >&2
fi
if ! can_login; then
  log "setting a password for role postgres through the local socket"
  su postgres -c "psql -p $PGPORT -Atqc \"ALTER ROLE postgres WITH LOGIN PASSWORD 'postgres'\"" >/dev/null
  can_login || { log "cannot log in to 127.0.0.1:$PGPORT as postgres"; exit 1; }
fi
echo "export MOOC_TEST_DATABASE_URL=postgresql+psycopg://postgres:postgres@127.0.0.1:$PGPORT"
