"""Running the Alembic migrations (the only way the schema changes) and `flask db …` commands."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


@click.group("db")
def db_cli() -> None:
    """Database schema migrations (Alembic)."""


def _url() -> str:
    return str(current_app.config["MOOC_SETTINGS"].database_url)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    upgrade(_url(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Migrate the database back to REVISION."""
    command.downgrade(alembic_config(_url()), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(_url()), message=message, autogenerate=True)


@db_cli.command("check")
def check_command() -> None:
    """Fail when the models and the migrations disagree."""
    command.check(alembic_config(_url()))
