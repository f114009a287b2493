"""Bytes a learner's phone downloads for every seed lecture page: first visit and repeat visit.

First visit: the compressed HTML plus the compressed stylesheet and scripts it links (the
precompressed `.br` copies of `flask assets compress`); "plain" is the same visit for a client
that accepts no compression, so the two columns show what compression saves. Repeat visit: the lecture page revalidated (If-None-Match → 304) with assets from cache
(fingerprinted, immutable). Budget: ≤ 50 KB first, ≤ 15 KB repeat. Prints one row per lecture.

A lecture with a player (audio, video) also counts what a browser fetches before play: the poster
frame and the default caption track ("player" column, part of "first"); the clip itself waits for
play (`preload="none"`), and its size is printed below the table.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from _setup import PASSWORD, build
from sqlalchemy import select

from mooc.catalog.models import Course
from mooc.extensions import db
from mooc.learning.queries import ordered_lectures

HEADERS = {"Accept-Encoding": "br, gzip", "Accept-Language": "vi"}
PLAIN = {"Accept-Encoding": "identity", "Accept-Language": "vi"}
FIRST_BUDGET, REPEAT_BUDGET = 50 * 1024, 15 * 1024


def wire_size(response) -> int:  # type: ignore[no-untyped-def]
    """Body bytes as sent plus the header block (what a slow link really carries)."""
    head = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
    return len(response.get_data()) + head


def fetched_size(client, url: str, headers: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    response = client.get(url, headers=headers)
    size = wire_size(response)
    response.close()  # static files are streamed from disk
    return size


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="mooc-bench-"))
    app = build(tmp, f"sqlite:///{tmp / 'bench.sqlite3'}")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        "/login",
        data={"email": "bench0@example.test", "password": PASSWORD, "csrf_token": token},
    )
    over = 0
    firsts: list[int] = []
    plains: list[int] = []
    clips: list[str] = []
    print(
        f"{'lecture':58} {'html':>7} {'css+js':>7} {'player':>7} {'first':>7} {'plain':>7} "
        f"{'repeat':>7}"
    )
    with app.app_context():
        courses = db.session.scalars(select(Course).order_by(Course.slug)).all()
        targets = [(c.slug, lec.slug) for c in courses for lec in ordered_lectures(db.session, c)]
    for course_slug, lecture_slug in targets:
        url = f"/courses/{course_slug}/lectures/{lecture_slug}"
        first = client.get(url, headers=HEADERS)
        html = client.get(url, headers={"Accept-Language": "vi"}).get_data(as_text=True)
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        asset_bytes = sum(fetched_size(client, a, HEADERS) for a in assets)
        plain_total = fetched_size(client, url, PLAIN) + sum(
            fetched_size(client, a, PLAIN) for a in assets
        )
        repeat = client.get(url, headers={**HEADERS, "If-None-Match": first.headers["ETag"]})
        before_play = re.findall(r'poster="([^"]+)"', html) + re.findall(
            r'<track default="" [^>]*src="([^"]+)"', html
        )
        player_bytes = sum(fetched_size(client, m, HEADERS) for m in before_play)
        clips += re.findall(r'<source src="([^"]+)"', html)
        first_total = wire_size(first) + asset_bytes + player_bytes
        firsts.append(first_total)
        plains.append(plain_total)
        repeat_total = wire_size(repeat)
        flag = "" if first_total <= FIRST_BUDGET and repeat_total <= REPEAT_BUDGET else "  OVER"
        over += bool(flag)
        print(
            f"{course_slug + '/' + lecture_slug:58} {wire_size(first):7d} {asset_bytes:7d} "
            f"{player_bytes:7d} {first_total:7d} {plain_total:7d} {repeat_total:7d}{flag}"
            f"  (repeat status {repeat.status_code})"
        )
    for clip in clips:
        print(f"clip {clip}: {fetched_size(client, clip, HEADERS)} B, fetched only on play")
    print(
        f"first visit, mean over lectures: {sum(firsts) / len(firsts):.0f} B compressed, "
        f"{sum(plains) / len(plains):.0f} B without compression"
    )
    print(
        f"{len(targets)} lectures, {over} over budget (first ≤ {FIRST_BUDGET}, repeat ≤ {REPEAT_BUDGET})"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
