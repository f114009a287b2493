"""`flask content import PATH`: load course packages (the `content/` format) into the database."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from tqdm import tqdm

from mooc.authoring.package_format import PackageError, load_tree
from mooc.authoring.package_import import import_tree
from mooc.errors import DomainError
from mooc.extensions import db


@click.group()
def content() -> None:
    """Course packages: import (and, later, export) the content/ format."""


@content.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def import_command(path: Path) -> None:
    """Import institutions and courses from PATH (a content folder or one course folder)."""
    try:
        tree = load_tree(path)
    except PackageError as exc:
        raise click.ClickException(str(exc)) from None
    storage = current_app.extensions["mooc_storage"]
    try:
        with tqdm(total=len(tree.courses), desc="Importing courses", unit="course") as bar:
            report = import_tree(db.session, storage, tree, progress=lambda _slug: bar.update(1))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    for label in report.created:
        click.echo(f"created   {label}")
    for label in report.updated:
        click.echo(f"updated   {label}")
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged"
    )
