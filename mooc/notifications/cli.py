"""`flask notifications send [--loop]`: run the sender from cron or a systemd service;
`flask notifications outbox`: how the email copies stand."""

from __future__ import annotations

import time

import click
from flask import current_app

from mooc.extensions import db
from mooc.notifications import queries
from mooc.notifications.sender import INTERVAL_SECONDS, cycle


@click.group()
def notifications() -> None:
    """Notifications: send the queued emails and run the hourly reminders."""


@notifications.command("send")
@click.option("--loop", is_flag=True, help="Keep running, one cycle every --interval seconds.")
@click.option(
    "--interval", type=click.FloatRange(1, 3600), default=INTERVAL_SECONDS, show_default=True
)
def send_command(loop: bool, interval: float) -> None:
    """Send the due notification emails (retrying failed ones) and run the hourly jobs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    while True:
        report = cycle(app)
        click.echo(f"sent {report.sent}, to retry {report.retrying}, given up {report.given_up}")
        if not loop:
            return
        time.sleep(interval)


@notifications.command("outbox")
def outbox_command() -> None:
    """How the email copies stand, and the latest ones given up with their errors."""
    state = queries.outbox_state(db.session)
    click.echo(f"waiting {state.waiting}, sent {state.sent}, given up {state.given_up}")
    for email in queries.given_up_emails(db.session):
        click.echo(f"#{email.id} {email.created_at:%Y-%m-%d %H:%M} UTC, {email.attempts} attempts:")
        click.echo(f"  {email.last_error}")
