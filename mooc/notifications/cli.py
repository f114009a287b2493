"""`flask notifications send [--loop]`: run the sender from cron or a systemd service."""

from __future__ import annotations

import time

import click
from flask import current_app

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
