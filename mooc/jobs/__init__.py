"""Background jobs on one task queue (Huey: SQLite by default, Redis in production): the
definitions features give (`Job`, `Schedule`), the queue the factory puts on the app, and the
`job_run` ledger that makes each run's work happen once and shows failures."""

from mooc.jobs.definitions import Job, Schedule
from mooc.jobs.queue import JobQueue, current_queue, install, queue_of

__all__ = ["Job", "JobQueue", "Schedule", "current_queue", "install", "queue_of"]
