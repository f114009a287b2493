"""`flask jobs …`: the worker (consumer and scheduler), how the runs stand, bringing back runs a
dead worker left, retrying given-up runs, running what waits once (cron, tests)."""

from __future__ import annotations

import datetime as dt
import logging

import click
from flask import current_app

from mooc.errors import DomainError
from mooc.extensions import db
from mooc.jobs import queries
from mooc.jobs.queue import RECOVER_GRACE, current_queue


@click.group()
def jobs() -> None:
    """Background jobs: the worker, their state, recovery."""


@jobs.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Threads running jobs (default: MOOC_JOBS_WORKERS, 2).",
)
def worker_command(workers: int | None) -> None:
    """Run jobs as they are enqueued, and the scheduled ones, until stopped (SIGINT finishes
    the running jobs first; SIGTERM stops at once, and recover takes over what was running)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    queue = current_queue()
    count = workers or current_app.config["MOOC_SETTINGS"].jobs_workers
    click.echo(
        f"jobs worker on {queue.url.split('@')[-1]} with {count} threads: "
        + ", ".join(sorted(queue.jobs))
    )
    queue.recover(db.session)  # what a worker killed before this start left running
    db.session.close()
    queue.consumer(count).run()


@jobs.command("status")
@click.option("--failures", type=click.IntRange(0, 1000), default=10, show_default=True)
def status_command(failures: int) -> None:
    """Runs per state and the latest failures with their errors."""
    counts = queries.run_counts(db.session)
    click.echo(
        f"queued {counts.queued}, running {counts.running}, done {counts.done}, "
        f"failed {counts.failed} (given up {counts.given_up})"
    )
    for run in queries.latest_failures(db.session, failures):
        when = f"{run.finished_at:%Y-%m-%d %H:%M} UTC" if run.finished_at else "?"
        left = "given up" if run.attempts >= run.max_attempts else "will retry"
        click.echo(f"{run.id} {when}, attempt {run.attempts}/{run.max_attempts}, {left}:")
        click.echo(f"  {run.last_error}")


@jobs.command("recover")
@click.option(
    "--grace",
    type=click.FloatRange(0),
    default=RECOVER_GRACE.total_seconds(),
    show_default=True,
    help="Seconds a due run may wait for a worker before its message counts as lost.",
)
def recover_command(grace: float) -> None:
    """Enqueue again the runs left running by a dead worker (past their lease) and the due runs
    whose message was lost; give up those with no attempt left."""
    found = current_queue().recover(db.session, dt.timedelta(seconds=grace))
    click.echo(f"enqueued again {len(found.requeue)}, given up {len(found.given_up)}")


@jobs.command("retry")
@click.argument("run_ids", nargs=-1)
def retry_command(run_ids: tuple[str, ...]) -> None:
    """Give the given-up runs RUN_IDS (all of them when none is named) one more attempt."""
    try:
        retried = current_queue().retry(db.session, list(run_ids) or None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"enqueued again {len(retried)}")


@jobs.command("drain")
def drain_command() -> None:
    """Run, in this process, every job waiting now and the retries that are due, then exit."""
    report = current_queue().drain()
    click.echo(f"ran {report.executed}")
