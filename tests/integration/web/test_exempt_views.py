"""The rate limiter skips a view marked `@limiter.exempt` before looking its limits up
(mooc/extensions.py): such a view stays unlimited, and every other view keeps its limits.
Run in its own process: the limiter is one object per process, and the shared test app's must
keep its own limits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import json, sys
from mooc.factory import create_app
from mooc.settings import load_settings

# Every view that is not exempt: one request a minute.
extra = {"flask": {"RATELIMIT_APPLICATION": "1 per minute"}}
settings = load_settings().with_overrides(database_url=sys.argv[1], extra=extra)
app = create_app(settings=settings)
client = app.test_client()
answers = {
    path: [client.get(path).status_code for _ in range(3)] for path in ("/healthz", "/login")
}
print(json.dumps({"answers": answers, "skipped": app.extensions["mooc.wholly_exempt"]}))
"""


def test_an_exempt_view_is_skipped_and_others_keep_their_limits(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "MOOC_INSTANCE_PATH": str(tmp_path)}
    ran = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'db.sqlite3'}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert seen["answers"] == {"/healthz": [200, 200, 200], "/login": [200, 429, 429]}
    assert seen["skipped"] == {"health.healthz": True, "accounts.login": False}
