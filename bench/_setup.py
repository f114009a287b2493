"""Shared set-up for benchmarks: a migrated database with the seed content and a student."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import select  # noqa: E402

from mooc.accounts.models import User  # noqa: E402
from mooc.accounts.services import register  # noqa: E402
from mooc.authoring.core.package_format import load_tree  # noqa: E402
from mooc.authoring.packages.importing import import_tree  # noqa: E402
from mooc.catalog.models import Course  # noqa: E402
from mooc.extensions import db  # noqa: E402
from mooc.factory import create_app  # noqa: E402
from mooc.learning import services  # noqa: E402
from mooc.migrate import upgrade  # noqa: E402
from mooc.settings import Settings  # noqa: E402

PASSWORD = "bench-password-123"


def build(instance: Path, database_url: str, students: int = 1, **settings_: object) -> Flask:
    """Migrate, import content/, create `students` learners enrolled in every course (`settings_`:
    other settings, e.g. the addresses a benchmark serves on)."""
    upgrade(database_url)
    settings = Settings(
        env="testing",
        instance_path=instance,
        secret_key="bench-" + "x" * 40,
        database_url=database_url,
        storage_url=f"file://{instance / 'media'}",
        extra={"ratelimit": False},
    ).with_overrides(**settings_)
    app = create_app(settings=settings)
    with app.app_context():
        import_tree(db.session, app.extensions["mooc_storage"], load_tree(ROOT / "content"))
        courses = db.session.scalars(select(Course)).all()
        for n in range(students):
            email = f"bench{n}@example.test"
            user = db.session.scalar(select(User).where(User.email == email)) or register(
                db.session, email=email, password=PASSWORD, name=f"Bench {n}"
            )
            for course in courses:
                services.enrol(db.session, user, course)
        db.session.commit()
    return app
