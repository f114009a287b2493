"""How long `/password/forgot` takes to answer for a known and an unknown address (SQLite,
file outbox): the two should be close, so the answer's timing does not tell who has an account.

    .venv/bin/python bench/recovery_timing.py [requests per address]
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mooc.accounts.services import register  # noqa: E402
from mooc.extensions import db  # noqa: E402
from mooc.factory import create_app  # noqa: E402
from mooc.migrate import upgrade  # noqa: E402
from mooc.settings import Settings  # noqa: E402

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        url = f"sqlite:///{instance / 'bench.sqlite3'}"
        upgrade(url)
        settings = Settings(
            env="testing",
            instance_path=instance,
            secret_key="bench-" + "x" * 40,
            database_url=url,
            storage_url="memory://",
            extra={"ratelimit": False},
        )
        app = create_app(settings=settings)
        with app.app_context():
            register(db.session, email="known@example.org", password="p" * 12, name="Known")
            db.session.commit()
        client = app.test_client()
        token = _CSRF.search(client.get("/password/forgot").get_data(as_text=True))
        assert token
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for n in range(rounds):
            for kind, email in (("known", "known@example.org"), ("unknown", f"x{n}@example.org")):
                started = time.perf_counter()
                answer = client.post(
                    "/password/forgot", data={"email": email, "csrf_token": token.group(1)}
                )
                times[kind].append(time.perf_counter() - started)
                assert answer.status_code == 303
        for kind, values in times.items():
            print(
                f"{kind:8} median {statistics.median(values) * 1000:6.1f} ms, "
                f"p90 {statistics.quantiles(values, n=10)[-1] * 1000:6.1f} ms ({len(values)} requests)"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
