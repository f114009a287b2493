"""Migration b7e2f4a9c1d8 drops the foreign key of "resume" (enrolment.last_lecture_id). On
SQLite that rebuilds the enrolment table: its rows, its indexes and the triggers that keep the
course's tallies and the learners' sort names must come through, both ways."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, inspect, pool, text

from mooc.authoring.core.package_format import load_tree
from mooc.authoring.packages.importing import import_tree
from mooc.extensions import db
from mooc.factory import create_app
from mooc.migrate import alembic_config, upgrade
from tests.helpers import CONTENT, make_settings

BEFORE = "4e1b7c9a2d63"  # the revision before "resume" lost its key


def _read(url: str) -> dict[str, Any]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            return {
                "rows": conn.execute(text("SELECT * FROM enrolment ORDER BY id")).all(),
                "tallies": conn.execute(
                    text("SELECT course_id, name, count FROM course_tally ORDER BY 1, 2")
                ).all(),
                "indexes": sorted(i["name"] for i in inspector.get_indexes("enrolment")),
                "keys": sorted(
                    fk["referred_table"] for fk in inspector.get_foreign_keys("enrolment")
                ),
            }
    finally:
        engine.dispose()


def _execute(url: str, values: dict[str, Any], *statements: str) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement), values)
    finally:
        engine.dispose()


def test_resume_loses_its_key_and_the_enrolments_keep_everything_else(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    app = create_app(settings=make_settings(tmp_path, url).with_overrides(demo=True))
    with app.app_context():
        import_tree(db.session, app.extensions["mooc_storage"], load_tree(CONTENT))
        db.session.commit()
        runner = app.test_cli_runner()
        for args in (["demo", "load"], ["demo", "scale", "--pupils", "30"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        db.engine.dispose()
    at_head = _read(url)
    assert len(at_head["rows"]) > 30 and at_head["tallies"]
    assert any(row.last_lecture_id is not None for row in at_head["rows"])
    assert at_head["keys"] == ["course", "user_account"]

    command.downgrade(alembic_config(url), BEFORE)
    before = _read(url)
    assert before["keys"] == ["course", "lecture", "user_account"]
    assert (before["rows"], before["tallies"], before["indexes"]) == (
        at_head["rows"],
        at_head["tallies"],
        at_head["indexes"],
    )

    upgrade(url)
    again = _read(url)
    assert again == at_head

    # The triggers came through the rebuild: a new enrolment counts in its course's tally and
    # takes its learner's name to sort by; a renamed learner's enrolments follow.
    first = at_head["rows"][0]
    course = next(row.course_id for row in at_head["rows"] if row.user_id != first.user_id)
    enrolled = {(c, n): k for c, n, k in at_head["tallies"]}[(course, "enrolled")]
    _execute(
        url,
        {"user": first.user_id, "course": course},
        "DELETE FROM enrolment WHERE user_id = :user AND course_id = :course",
        "INSERT INTO enrolment (user_id, course_id, active, progress, started, completed)"
        " VALUES (:user, :course, true, 0, false, false)",
        "UPDATE user_account SET name = 'Zed Renamed' WHERE id = :user",
        "UPDATE enrolment SET last_lecture_id = 987654321 WHERE user_id = :user",
    )
    after = _read(url)
    tallies = {(c, n): k for c, n, k in after["tallies"]}
    mine = [row for row in after["rows"] if row.user_id == first.user_id]
    assert {row.sort_name for row in mine} == {"zed renamed"}
    assert {row.last_lecture_id for row in mine} == {987654321}  # a hint: no key to refuse it
    was_there = any(r.user_id == first.user_id and r.course_id == course for r in at_head["rows"])
    assert tallies[(course, "enrolled")] == enrolled + (0 if was_there else 1)
