#!/usr/bin/env bash
# The background worker that runs beside the app servers: every deferred job (records, xAPI
# forwarding, revocation re-checks, notification emails, video renditions) from the job queue
# (MOOC_QUEUE_URL; instance/jobs.sqlite3 by default), and their schedules (`flask jobs worker`,
# mooc/jobs/). `make run`, `make dev` and the several-servers test (tests/integration/deployment/test_several_servers.py) start it through
# this script, and production may too (systemd: ExecStart=/srv/mooc/scripts/worker.sh), so the
# command is written in this one place. It reads the same MOOC_* settings as the app servers.
#   usage: scripts/worker.sh [BIN]   (BIN: the folder of the venv's scripts, default .venv/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.venv/bin}"
exec "$BIN/flask" --app app jobs worker
