"""The worker-kill tests' app (`flask --app tests.integration.jobs.blocking_app jobs worker`):
the platform's app, from the environment as `app.py` builds it, with the blocking test job."""

from __future__ import annotations

from mooc.factory import create_app
from mooc.jobs import queue_of
from tests.integration.jobs.blocking import JOBS

app = create_app()
queue_of(app).register(JOBS)
