#!/usr/bin/env bash
# Run a command (the test suite) with what the browser tests need: Debian's Chromium.
# PostgreSQL is used when MOOC_TEST_DATABASE_URL is set (.ci/run sets it after ensure-postgres.sh).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-services: installing Debian's chromium for the browser tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "test-services: chromium not found; install it (e.g. apt-get install chromium)" >&2
    exit 1
  fi
fi
exec "$@"
