"""`flask transfer …`: re-check the records behind requests and decisions (run it daily)."""

from __future__ import annotations

import click
from sqlalchemy import select

from mooc.accounts.models import Institution, InstitutionKind
from mooc.credentials.services.issuing import IssuingContext
from mooc.db import utcnow
from mooc.errors import DomainError, Invalid
from mooc.extensions import db
from mooc.transfer.permissions import university_by_slug
from mooc.transfer.services.revocations import recheck_all
from mooc.web import edge


def _issuing_context() -> IssuingContext | None:
    """What suspending a recognition record needs; None (flag only) without the key setting."""
    try:
        return edge.issuing_context()
    except Invalid:
        return None


@click.group()
def transfer() -> None:
    """Credit transfer: re-checking records after recognition."""


@transfer.command("recheck")
@click.option("--university", "slug", help="Only this university (its slug).")
@click.option(
    "--offline",
    is_flag=True,
    help="Read only this platform's issuers and status lists (no network).",
)
def recheck_command(slug: str | None, offline: bool) -> None:
    """Verify every live request item's record again; flag decisions whose record is revoked."""
    try:
        universities = (
            [university_by_slug(db.session, slug)]
            if slug
            else list(
                db.session.scalars(
                    select(Institution).where(Institution.kind == InstitutionKind.UNIVERSITY)
                )
            )
        )
        result = recheck_all(
            db.session,
            universities,
            verifier=edge.verifier(network=not offline),
            base_url=edge.base_url(),
            today=utcnow().date(),
            context=_issuing_context(),
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    for item in result.flagged:
        click.echo(f"FLAGGED  item {item.id} ({item.name}): source {item.source_id} is revoked")
    click.echo(f"checked {result.checked} item(s), {len(result.flagged)} newly flagged")
