"""Issue #14's "Measured": each key page's median and p95 latency and SQL statements on a small
data set and on a large generated one, side by side, with the ratio (goal: under 2×).

Two PostgreSQL databases are built on the server (`--pg`, default MOOC_TEST_DATABASE_URL or the
local one), each with the seed content and the demo data (`flask demo load`), so both have the
same kinds of rows: `mooc_scale_small` with a small generated set (`flask demo scale --pupils
700`), and `mooc_scale_big` with `flask demo scale --pupils N` (default 100,000: ~1.8 M rows). Both are dropped at the end unless
`--keep` (then the command to serve the large one is printed). Each data set is measured in its
own process through the Flask test client, signed in as the same generated people (a pupil and
the teachers of the third class, which has the most assignments), after one warm-up request;
the two processes run at the same time, so a busy machine slows both alike.

    .venv/bin/python bench/scale.py [--pupils 100000] [--runs 20] [--keep] [--pg URL]
        [--reuse]   # measure databases kept by an earlier --keep run
        [--prefix mooc_scale]   # names of the databases (<prefix>_small, <prefix>_big)
        [--only REGEX]   # only the pages whose name matches (e.g. "learners$|people")
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "scale-password"  # mooc.demo.scale.generate.SCALE_PASSWORD
SMALL_PUPILS = 700  # 20 classes, the first 4 (140 pupils) in the big course
ROOM = 2  # the third class: a course, two sets of lectures and two quizzes assigned
DEFAULT_PG = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432"
INSTANCES = Path(tempfile.gettempdir()) / "mooc_scale"


def _env(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MOOC_DEMO": "1",
        "MOOC_DATABASE_URL": url,
        "MOOC_INSTANCE_PATH": str(instance),
        "MOOC_NOTIFICATIONS_SENDER": "off",
    }


def _flask(url: str, instance: Path, *args: str) -> str:
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=_env(url, instance),
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    print(f"  flask {' '.join(args)}: {time.perf_counter() - started:.1f} s", flush=True)
    return done.stdout


def build(url: str, instance: Path, pupils: int, demo: bool) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    _flask(url, instance, "db", "upgrade")
    _flask(url, instance, "content", "import", "content")
    if demo:
        _flask(url, instance, "demo", "load")
    out = _flask(url, instance, "demo", "scale", "--pupils", str(pupils))
    print("   ", next(line for line in out.splitlines() if "rows/s" in line), flush=True)


def _pages(app: Any) -> list[tuple[str, str | None, str]]:
    """(name, who signs in, path) for the pages of issue #14."""
    from sqlalchemy import select

    from mooc.accounts.models import User
    from mooc.catalog.models import Course
    from mooc.demo.scale.generate import (
        ADMIN_EMAIL,
        BIG_COURSE,
        COURSE_TEACHER_EMAIL,
        STAFF_EMAIL,
        UNIVERSITY_SLUG,
    )
    from mooc.demo.scale.sizes import CLASS_SIZE
    from mooc.extensions import db
    from mooc.learning.models import Completion
    from mooc.learning.queries import ordered_lectures
    from mooc.schools.models import ClassMember, ClassRole

    pupil = f"hs.{ROOM * CLASS_SIZE + 1:07d}"
    with app.app_context():
        session = db.session
        big = session.scalars(select(Course).where(Course.slug == BIG_COURSE)).one()
        lecture = ordered_lectures(session, big)[1].slug
        homeroom, class_id = session.execute(
            select(User.email, ClassMember.class_id)
            .join(ClassMember, ClassMember.user_id == User.id)
            .where(ClassMember.role == ClassRole.HOMEROOM, User.email.like("gv.%"))
            .order_by(ClassMember.class_id)
            .offset(ROOM)
            .limit(1)
        ).one()
        completer = session.scalar(
            select(User.username)
            .join(Completion, Completion.user_id == User.id)
            .where(User.username.like("hs.%"))
            .order_by(User.id)
            .limit(1)
        )
    learners = f"/teach/courses/{BIG_COURSE}/learners"
    return [
        ("catalogue", None, "/courses"),
        ("catalogue search", None, "/courses?q=toan"),
        ("lecture page (pupil)", pupil, f"/courses/{BIG_COURSE}/lectures/{lecture}"),
        ("dashboard", pupil, "/dashboard"),
        ("to-do", pupil, "/my/todo"),
        ("my records", completer, "/records"),
        ("teacher: learners", COURSE_TEACHER_EMAIL, learners),
        (
            "teacher: learners by progress p.3",
            COURSE_TEACHER_EMAIL,
            f"{learners}?sort=progress&page=3",
        ),
        ("teacher: learners CSV", COURSE_TEACHER_EMAIL, f"{learners}.csv"),
        ("class report", homeroom, f"/classes/{class_id}/report"),
        ("class assignments", homeroom, f"/classes/{class_id}/assignments"),
        ("people list", ADMIN_EMAIL, "/admin/people"),
        ("people search", ADMIN_EMAIL, "/admin/people?q=nguyen+lan"),
        ("admin: institutions", ADMIN_EMAIL, "/admin/institutions"),
        ("admin: records", ADMIN_EMAIL, "/admin/records"),
        ("university queue", STAFF_EMAIL, f"/university/{UNIVERSITY_SLUG}"),
        ("university queue p.2", STAFF_EMAIL, f"/university/{UNIVERSITY_SLUG}?show=pending&page=2"),
    ]


def measure(url: str, instance: Path, runs: int, only: str = "") -> dict[str, Any]:
    """Each page's median and p95 in ms, its statements and its size, on one database."""
    import re

    from sqlalchemy import event

    from mooc.extensions import db
    from mooc.factory import create_app
    from mooc.settings import load_settings

    settings = load_settings(_env(url, instance)).with_overrides(extra={"ratelimit": False})
    app = create_app(settings=settings)
    with app.app_context():
        engine = db.engine
    results: dict[str, Any] = {}
    clients: dict[str | None, Any] = {}
    for name, who, path in _pages(app):
        if only and not re.search(only, name):
            continue
        client = clients.get(who)
        if client is None:
            client = clients[who] = app.test_client()
            if who:
                page = client.get("/login").get_data(as_text=True)
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
                assert token, "no CSRF token on /login"
                signed = client.post(
                    "/login",
                    data={"email": who, "password": PASSWORD, "csrf_token": token.group(1)},
                )
                assert signed.status_code == 303, (who, signed.status_code)
        client.get(path).close()  # warm: per-process caches filled, as on a running server
        statements: list[str] = []

        def note(*args: Any, into: list[str] = statements) -> None:
            if not str(args[2]).startswith(("SAVEPOINT", "RELEASE")):
                into.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", note)
        first = client.get(path, headers={"Accept-Language": "en"})
        size = len(first.get_data())
        first.close()
        event.remove(engine, "before_cursor_execute", note)
        assert first.status_code == 200, (name, path, first.status_code)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(path)
            response.get_data()
            response.close()
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        results[name] = {
            "median": statistics.median(times),
            "p95": times[min(len(times) - 1, round(0.95 * len(times)) - 1)],
            "statements": len(statements),
            "sql": [" ".join(sql.split())[:140] for sql in statements],
            "kib": size / 1024,
        }
    return results


def _measured_side_by_side(
    runs: int, only: str, *targets: tuple[str, Path]
) -> list[dict[str, Any]]:
    """`measure` on each database, in processes running at the same time: on a shared machine
    both then see the same load, so their ratio holds even when the absolute times do not."""
    processes = [
        subprocess.Popen(
            [
                *(sys.executable, str(HERE), "--measure", url, str(instance)),
                *("--runs", str(runs), "--only", only),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for url, instance in targets
    ]
    results = []
    for process in processes:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"measuring failed ({process.returncode})")
        results.append(json.loads(out.splitlines()[-1]))
    return results


def report(
    small: dict[str, Any], large: dict[str, Any], pupils: int, *, show_sql: bool = False
) -> bool:
    print(
        f"\n{'page':36} {'small: median  p95  SQL':>26}   "
        f"{f'{pupils:,} pupils: median  p95  SQL':>34}   ratio"
    )
    good = True
    for name, s in small.items():
        big = large[name]
        ratio = big["median"] / s["median"] if s["median"] else float("inf")
        # An export holds every row: its time follows the data by nature, its statements not.
        export = name.endswith("CSV")
        flag = (
            "" if (ratio < 2 or export) and big["statements"] == s["statements"] else "  <-- grows"
        )
        flag = flag or ("  (export: every row)" if export else "")
        good = good and "grows" not in flag
        print(
            f"{name:36} {s['median']:8.1f} {s['p95']:7.1f} {s['statements']:4d}   "
            f"{big['median']:16.1f} {big['p95']:7.1f} {big['statements']:4d}   "
            f"{ratio:5.2f}×{flag}"
        )
        if big["statements"] != s["statements"] and show_sql:
            for label, found in (("small", s), ("large", big)):
                print(f"  {label}:", *(f"    {sql}" for sql in found["sql"]), sep="\n")
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL") or DEFAULT_PG)
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    parser.add_argument("--reuse", action="store_true", help="measure kept databases again")
    parser.add_argument("--sql", action="store_true", help="show the statements that differ")
    parser.add_argument("--only", default="", help="measure the pages whose name matches this")
    parser.add_argument(
        "--prefix",
        default="mooc_scale",
        help="databases <prefix>_small and <prefix>_big (another name than a parallel run's)",
    )
    parser.add_argument("--measure", nargs=2, metavar=("URL", "INSTANCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        url, instance = args.measure
        print(json.dumps(measure(url, Path(instance), args.runs, args.only)))
        return
    from sqlalchemy import create_engine, text

    base = args.pg.rstrip("/")
    names = {"small": f"{args.prefix}_small", "big": f"{args.prefix}_big"}
    instances = INSTANCES.parent / args.prefix
    urls = {key: f"{base}/{name}" for key, name in names.items()}
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        if not args.reuse:
            with admin.connect() as conn:
                for name in names.values():
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"small: demo data and {SMALL_PUPILS} generated pupils", flush=True)
            build(urls["small"], instances / "small", SMALL_PUPILS, demo=True)
            print(f"large: {args.pupils:,} generated pupils", flush=True)
            build(urls["big"], instances / "big", args.pupils, demo=True)
        small, large = _measured_side_by_side(
            args.runs,
            args.only,
            (urls["small"], instances / "small"),
            (urls["big"], instances / "big"),
        )
        good = report(small, large, args.pupils, show_sql=args.sql)
        print("\nevery page under 2× with the same statements" if good else "\nsome pages grow")
    finally:
        if args.keep or args.reuse:
            print(
                f"\nkept: {urls['big']} (instance {instances / 'big'}); serve it with\n"
                f"  MOOC_DEMO=1 MOOC_DATABASE_URL={urls['big']} "
                f"MOOC_INSTANCE_PATH={instances / 'big'} .venv/bin/gunicorn -c gunicorn.conf.py "
                "app:app"
            )
        else:
            with admin.connect() as conn:
                for name in names.values():
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
