"""Instructions the app runs per request, counted by valgrind (callgrind): a signed-in pupil's
lecture page (eight pupils, each request the next pupil, each pupil through the course's
lectures in turn, as bench/lecture_page.py's wrk script does) and a visitor's `/healthz`,
in process through the WSGI app. Needs valgrind (Debian's package of that name).

On a shared machine the rate and CPU time of the same page swing by up to 2x between windows; an
instruction count repeats to 0.1 %, so it tells whether a change to the page's own code helped.
It counts the app's process only: the database server's work and the kernel's (bench/
lecture_page.py measures those with the rates).

    .venv/bin/python bench/instructions.py [--requests 300] [--pg URL] [--tree A --tree B]

Per tree (each on a database its own code built) and page: million instructions per request,
and the lecture page's count as a share of /healthz's. Lecture views are batched as in
production: under valgrind a request runs about 30x slower, so the writer gathers for 1.5 s
(`MOOC_VIEWS_GATHER_MS`) instead of 50 ms, which gives batches of the same size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lecture_page import PUPILS, database_url, drop, logged_in, production_app

HERE = Path(__file__).resolve()
PAGES = ("/healthz", "lecture, pupil")
GATHER_MS = 1500
WARM_UP = 60


def measure_in_process(tree: Path, url: str, instance: Path, page: str, requests: int) -> None:
    """Under valgrind, started with instrumentation off: log in, warm up, then count `requests`
    of `page` (instrumentation switched on and off around them with callgrind_control)."""
    sys.path.insert(0, str(tree))
    from mooc.learning.view_writer import EXTENSION as VIEW_WRITER

    app = production_app(instance, url, views_gather_ms=GATHER_MS)
    lectures = json.loads((instance / "lectures.json").read_text())
    pupils = [logged_in(app, email) for email in PUPILS]
    visitor = app.test_client()
    headers = {"Accept-Language": "vi"}
    turn = 0

    def pupil() -> None:
        nonlocal turn
        turn += 1
        lecture = lectures[(turn // len(pupils)) % len(lectures)]
        response = pupils[turn % len(pupils)].get(lecture, headers=headers)
        assert response.status_code == 200, response.status_code

    def health() -> None:
        response = visitor.get("/healthz", headers=headers)
        assert response.status_code == 200, response.status_code

    for _ in range(WARM_UP):
        pupil()
        health()
    writer = app.extensions[VIEW_WRITER]
    writer.drain()
    call = health if page == "/healthz" else pupil
    control = ["callgrind_control", "-i", "on", str(os.getpid())]
    subprocess.run(control, check=True, capture_output=True)
    for _ in range(requests):
        call()
    writer.drain()  # the views these requests made, written
    control[2] = "off"
    subprocess.run(control, check=True, capture_output=True)
    writer.stop()


def count(tree: Path, url: str, instance: Path, page: str, requests: int) -> float:
    """Million instructions per request of `page`."""
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(HERE),
            "--measure",
            json.dumps([str(tree), url, str(instance), page, requests]),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    ).stderr
    found = re.search(r"(?:Collected|I\s+refs)\s*:\s*([\d,]+)", out)
    if found is None:
        raise RuntimeError(f"valgrind printed no count:\n{out[-2000:]}")
    return int(found.group(1).replace(",", "")) / requests / 1e6


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        tree, url, instance, page, requests = json.loads(sys.argv[2])
        measure_in_process(Path(tree), url, Path(instance), page, int(requests))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pg", default=os.environ.get("MOOC_TEST_DATABASE_URL", ""))
    parser.add_argument("--tree", action="append", type=Path)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    trees = [t.resolve() for t in (args.tree or [HERE.parent.parent])]
    kinds = [("postgresql", args.pg.rstrip("/"))] if args.pg else [("sqlite", "")]
    print(f"valgrind (callgrind), {args.requests} requests per page after {WARM_UP} of each")
    for kind, base in kinds:
        for tree in trees:
            url = database_url(kind, base)
            instance = Path(tempfile.mkdtemp(prefix="mooc-bench-instructions-"))
            try:
                builder = str(HERE.parent / "lecture_page.py")
                built = subprocess.run(
                    [sys.executable, builder, "--build", str(tree), url, str(instance)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                paths = json.loads(built.stdout.strip().splitlines()[-1])
                (instance / "lectures.json").write_text(json.dumps(paths["lectures"]))
                figures = {page: count(tree, url, instance, page, args.requests) for page in PAGES}
            finally:
                drop(kind, base, url)
                shutil.rmtree(instance, ignore_errors=True)
            health = figures["/healthz"]
            for page, millions in figures.items():
                share = "" if page == "/healthz" else f"  {health / millions:4.0%} of /healthz's"
                print(f"{kind:10} {tree!s:28} {page:16} {millions:6.2f} M instructions{share}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
