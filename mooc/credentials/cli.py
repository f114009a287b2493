"""`flask credentials …`: issue pending records on every core, rotate a key, verify a file
(a record or a presentation) offline, revoke a record."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy import select
from tqdm import tqdm

from mooc.accounts.models import User
from mooc.credentials import queries
from mooc.credentials.core.presentation import is_presentation
from mooc.credentials.core.reading import summarize
from mooc.credentials.issuers import institution_by_slug, issuer_did
from mooc.credentials.presentations import check_presentation
from mooc.credentials.services.keys import rotate_key
from mooc.credentials.services.pending import issue_pending, pending_completion_ids
from mooc.credentials.services.revoking import revoke_record
from mooc.credentials.verification import (
    PlatformVerifier,
    UnreadableRecord,
    VerificationReport,
    read_record,
    require_verifiable,
)
from mooc.errors import DomainError
from mooc.extensions import db
from mooc.web import edge

MARKS = {"passed": "ok", "failed": "FAILED", "unknown": "UNKNOWN"}


@click.group()
def credentials() -> None:
    """Signed records: issuing, keys, verification, revocation."""


@credentials.command("issue-pending")
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=lambda: os.cpu_count() or 1,
    show_default="all CPU cores",
    help="Processes that sign.",
)
@click.option("--batch-size", type=click.IntRange(1, 1000), default=25, show_default=True)
def issue_pending_command(workers: int, batch_size: int) -> None:
    """Issue the record of every completion that has none (safe to interrupt and re-run)."""
    ids = pending_completion_ids(db.session)
    if not ids:
        click.echo("no completion is waiting for its record")
        return
    started = time.monotonic()
    issued = skipped = 0
    try:
        context = edge.issuing_context()
        with tqdm(total=len(ids), unit="record", file=sys.stderr, mininterval=0.5) as bar:
            for batch in issue_pending(
                db.session, context, ids, workers=workers, batch_size=batch_size
            ):
                db.session.commit()  # each batch is durable: a kill loses at most one
                issued += batch.issued
                skipped += batch.skipped
                bar.update(batch.issued + batch.skipped)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    seconds = time.monotonic() - started
    rate = issued / seconds if seconds > 0 else 0.0
    click.echo(
        f"issued {issued} records in {seconds:.1f} s ({rate:.1f} records/s, {workers} workers)"
        + (f"; {skipped} already had one" if skipped else "")
    )


@credentials.command("rotate-key")
@click.argument("institution")
def rotate_key_command(institution: str) -> None:
    """Start signing INSTITUTION's records with a new key (old keys stay published)."""
    try:
        found = institution_by_slug(db.session, institution)
        context = edge.issuing_context()
        key = rotate_key(db.session, found, context.kek)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"{issuer_did(context.base_url, found)}#{key.fragment} is now the signing key")


@credentials.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the VC-API style JSON answer.")
@click.option("--challenge", help="For a presentation: the challenge you gave the holder.")
@click.option("--domain", help="For a presentation: the domain you gave the holder.")
def verify_command(file: Path, as_json: bool, challenge: str | None, domain: str | None) -> None:
    """Verify a record or a presentation FILE offline; exit code 0 only when it is verified."""
    try:
        credential = read_record(file.read_bytes())
        require_verifiable(credential)
    except (UnreadableRecord, DomainError) as error:
        click.echo(f"FAILED  {file}: {error}", err=True)
        sys.exit(2)
    verifier = edge.verifier(network=False)
    if is_presentation(credential):
        _report_presentation(verifier, credential, challenge, domain, as_json)
    report = verifier.verify(credential)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        _echo_checks(report)
        click.echo("VERIFIED" if report.verified else "NOT VERIFIED")
    sys.exit(0 if report.verified else 1)


def _echo_checks(report: VerificationReport, indent: str = "") -> None:
    for check in report.verification.checks:
        click.echo(f"{indent}{MARKS[check.status]:<8}{check.id}: {check.message}")
    for note in report.warnings:
        click.echo(f"{indent}note    {note}")


def _report_presentation(
    verifier: PlatformVerifier,
    presentation: Any,
    challenge: str | None,
    domain: str | None,
    as_json: bool,
) -> NoReturn:
    """The holder and the holder's proof, then each credential's own verdict; exits."""
    report = check_presentation(verifier, presentation, challenge=challenge, domain=domain)
    if as_json:
        body = {
            "verified": report.verified,
            "holder": report.holder,
            "checks": [check.to_json() for check in report.checks],
            "credentialResults": [item.report.to_json() for item in report.credentials],
        }
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        sys.exit(0 if report.verified else 1)
    click.echo(f"holder  {report.holder or '(not stated)'}")
    for check in report.checks:
        click.echo(f"{MARKS[check.status]:<8}{check.id}: {check.message}")
    for index, item in enumerate(report.credentials, start=1):
        name = summarize(item.document).name or "?"
        verdict = "VERIFIED" if item.report.verified else "NOT VERIFIED"
        click.echo(f"credential {index}: {name}: {verdict}")
        _echo_checks(item.report, indent="  ")
    click.echo("VERIFIED" if report.verified else "NOT VERIFIED")
    sys.exit(0 if report.verified else 1)


@credentials.command("revoke")
@click.argument("record_id")
@click.option("--reason", required=True, help="Why (kept in the revocation log).")
@click.option("--by", "actor_email", help="Email of the administrator revoking it.")
def revoke_command(record_id: str, reason: str, actor_email: str | None) -> None:
    """Revoke the record RECORD_ID (its uuid) and re-sign its status list."""
    try:
        found = queries.record_by_uuid(db.session, record_id.removeprefix("urn:uuid:"))
        actor = (
            db.session.scalar(select(User).where(User.email == actor_email.lower()))
            if actor_email
            else None
        )
        revoke_record(db.session, found, reason=reason, actor=actor, context=edge.issuing_context())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"revoked urn:uuid:{found.uuid}")
