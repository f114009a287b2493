"""Migration 7d41c9e2a6b3 fills in the standing kept on each enrolment with SQL of its own: on a
database full of learners' records it writes what the application counts for them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, pool, select, text

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.catalog.models import Course
from mooc.extensions import db
from mooc.factory import create_app
from mooc.learning.analytics import refresh_standing
from mooc.migrate import alembic_config, upgrade
from tests.helpers import CONTENT, make_settings

BEFORE = "fbf3abdaf858"  # the revision before the standing was kept
Standing = dict[int, tuple[int, float | None, bool, bool]]


def _standing(url: str) -> Standing:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, progress, grade, started, completed FROM enrolment")
            ).all()
    finally:
        engine.dispose()
    return {
        row[0]: (row[1], None if row[2] is None else round(row[2], 6), bool(row[3]), bool(row[4]))
        for row in rows
    }


def test_the_backfill_writes_the_standing_the_application_counts(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    app = create_app(settings=make_settings(tmp_path, url).with_overrides(demo=True))
    with app.app_context():
        import_tree(db.session, app.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
        runner = app.test_cli_runner()
        for args in (["demo", "load"], ["demo", "scale", "--pupils", "70"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        for course in db.session.scalars(select(Course)):
            refresh_standing(db.session, course.id, course.pass_mark)
        db.session.commit()
        db.engine.dispose()
    counted = _standing(url)
    # Learners in every state: not started, part way, complete, with and without a grade.
    progress = {p for p, _grade, _started, _completed in counted.values()}
    assert len(progress) >= 5 and {0, 100} <= progress
    assert {s for _p, _g, s, _c in counted.values()} == {False, True}
    assert {c for _p, _g, _s, c in counted.values()} == {False, True}
    assert any(g is None for _p, g, _s, _c in counted.values())
    assert any(g is not None and 0 < g < 100 for _p, g, _s, _c in counted.values())

    command.downgrade(alembic_config(url), BEFORE)
    upgrade(url)

    again = _standing(url)
    assert again.keys() == counted.keys()
    differ = {k: (counted[k], again[k]) for k in counted if counted[k] != again[k]}
    assert differ == {}, f"{len(differ)} of {len(counted)} enrolments differ"
