"""`flask demo load`: the demo data, refused unless demo mode (MOOC_DEMO=1) is on."""

from __future__ import annotations

import click
from sqlalchemy import select

from mooc.accounts.models import User
from mooc.credentials.services.pending import issue_pending
from mooc.db import utcnow
from mooc.demo.accounts import DEMO_PASSWORD, load_demo_accounts
from mooc.demo.progress import load_demo_progress
from mooc.demo.transfer import load_demo_transfer
from mooc.errors import DomainError
from mooc.extensions import db
from mooc.web import edge


@click.group()
def demo() -> None:
    """Demo data for trying the platform (never in production)."""


@demo.command("load")
def load_command() -> None:
    """Create the demo accounts and the demo student's progress (after `content import`)."""
    settings = edge.settings()
    if not settings.demo or settings.is_production:
        raise click.ClickException("demo data is loaded only with MOOC_DEMO=1 outside production")
    try:
        created = load_demo_accounts(db.session)
        student = db.session.scalars(select(User).where(User.email == "student@demo.test")).one()
        created += load_demo_progress(db.session, student, base_url=settings.base_url)
        db.session.commit()
        # The demo student's completed course has its signed record from the first start.
        for batch in issue_pending(db.session, edge.issuing_context()):
            db.session.commit()
            created += [f"{batch.issued} signed record(s)"] if batch.issued else []
        # The partner university recognises the seed courses; the record above waits there.
        created += load_demo_transfer(
            db.session,
            base_url=settings.base_url,
            verifier=edge.verifier(network=False),
            today=utcnow().date(),
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    for email in created:
        click.echo(f"created   {email}")
    click.echo(f"demo accounts ready (password: {DEMO_PASSWORD})")
