"""`flask xapi forward`: send queued learning statements to the configured LRS."""

from __future__ import annotations

import time

import click

from mooc.extensions import db
from mooc.learning.lrs import LrsConfig, forward_pending
from mooc.web import edge


@click.group()
def xapi() -> None:
    """xAPI learning records."""


@xapi.command("forward")
@click.option("--loop", is_flag=True, help="Keep running, sending new statements as they come.")
@click.option("--interval", default=15.0, show_default=True, help="Seconds between rounds.")
def forward_command(loop: bool, interval: float) -> None:
    """Forward queued statements to MOOC_LRS_URL (retrying failed ones later)."""
    settings = edge.settings()
    if not settings.lrs_url:
        raise click.ClickException("MOOC_LRS_URL is not set: there is no LRS to forward to")
    config = LrsConfig(settings.lrs_url, settings.lrs_username, settings.lrs_password)
    while True:
        while True:
            result = forward_pending(db.session, config)
            db.session.commit()
            if result.sent or result.failed:
                click.echo(f"sent {result.sent}, failed {result.failed} {result.error or ''}")
            if not result.sent:
                break
        if not loop:
            return
        time.sleep(interval)
