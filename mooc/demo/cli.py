"""`flask demo load`: the demo data; `flask demo scale`: generated national-scale data. Both are
refused unless demo mode (MOOC_DEMO=1) is on."""

from __future__ import annotations

import time

import click
from sqlalchemy import select

from mooc.accounts.models import User
from mooc.accounts.passwords import hash_password
from mooc.credentials.services.pending import issue_pending
from mooc.db import utcnow
from mooc.demo.accounts import DEMO_PASSWORD, load_demo_accounts
from mooc.demo.assignments import load_demo_assignments
from mooc.demo.progress import load_demo_progress
from mooc.demo.scale.generate import (
    SCALE_PASSWORD,
    AlreadyGenerated,
    NothingToStudy,
    analyze,
    generate,
)
from mooc.demo.scale.sizes import sizes_for
from mooc.demo.school import load_demo_school
from mooc.demo.transfer import load_demo_transfer
from mooc.errors import DomainError
from mooc.extensions import db
from mooc.web import edge


@click.group()
def demo() -> None:
    """Demo data for trying the platform (never in production)."""


def _require_demo_mode() -> None:
    settings = edge.settings()
    if not settings.demo or settings.is_production:
        raise click.ClickException("demo data is loaded only with MOOC_DEMO=1 outside production")


@demo.command("load")
def load_command() -> None:
    """Create the demo accounts and the demo student's progress (after `content import`)."""
    _require_demo_mode()
    settings = edge.settings()
    try:
        created = load_demo_accounts(db.session)
        student = db.session.scalars(select(User).where(User.email == "student@demo.test")).one()
        created += load_demo_progress(db.session, student, base_url=settings.base_url)
        created += load_demo_school(db.session)
        db.session.commit()
        # The demo student's completed course has its signed record from the first start.
        for batch in issue_pending(db.session, edge.issuing_context()):
            db.session.commit()
            created += [f"{batch.issued} signed record(s)"] if batch.issued else []
        # The partner university recognises the seed courses; the record above waits there.
        # After the demo school's classes: 6A1's quiz, with answers from some of its pupils.
        created += load_demo_assignments(db.session)
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


@demo.command("scale")
@click.option("--pupils", type=click.IntRange(min=1), default=100_000, show_default=True)
@click.option(
    "--records",
    type=click.IntRange(min=0),
    default=None,
    help="Completions, each issued a signed record (default: 1 per 100 pupils, at most 1,000).",
)
def scale_command(pupils: int, records: int | None) -> None:
    """Generate schools, classes, teachers and PUPILS pupils with their learning, a course of
    many learners and a university's long queue (after `content import`; once per database)."""
    _require_demo_mode()
    sizes = sizes_for(pupils, records)
    started = time.perf_counter()
    last = [started]

    def tick(table: str, count: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 5:
            last[0] = now
            click.echo(f"  … {table}: {count} rows ({now - started:.0f} s)", err=True)

    try:
        written = generate(
            db.session,
            sizes,
            password_hash=hash_password(SCALE_PASSWORD),
            now=utcnow(),
            tick=tick,
        )
        db.session.commit()
    except (AlreadyGenerated, NothingToStudy) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    elapsed = time.perf_counter() - started
    analyze(db.session)
    db.session.commit()
    for table, count in sorted(written.rows.items()):
        click.echo(f"{table:24} {count:>10,}")
    click.echo(
        f"{written.total:,} rows in {elapsed:.1f} s ({written.total / elapsed:,.0f} rows/s); "
        f"statistics refreshed in {time.perf_counter() - started - elapsed:.1f} s"
    )
    signing = time.perf_counter()
    issued = 0
    for batch in issue_pending(db.session, edge.issuing_context()):
        db.session.commit()
        issued += batch.issued
    if issued:
        took = time.perf_counter() - signing
        click.echo(f"{issued:,} signed records in {took:.1f} s ({issued / took:,.0f} records/s)")
    click.echo(
        f"accounts (password: {SCALE_PASSWORD}): pupils hs.0000001 …, homeroom teachers "
        f"gv.000001@scale.test …, the teacher of every course giaovien@scale.test "
        f"({written.big_course}: {sizes.big_course_learners:,} learners), staff@scale.test "
        f"({written.university}: {sizes.queue_items:,} pending), admin@scale.test"
    )
