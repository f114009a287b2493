"""When the shared rate-limit store (MOOC_REDIS_URL) does not answer, log-ins still work and are
still limited, counted by each process for itself, instead of every limited request failing
with a 500. Run in its own process: the limiter is one object per process, and the shared test
app's must keep its own store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.integration.deployment.processes import free_port

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import json, logging, sys
logging.basicConfig(level=logging.WARNING)
from mooc.factory import create_app
from mooc.migrate import upgrade
from mooc.settings import load_settings

url = sys.argv[1]
upgrade(url)
# CSRF is not what this is about: the form is posted without its token.
extra = {"flask": {"WTF_CSRF_ENABLED": False}}
app = create_app(settings=load_settings().with_overrides(database_url=url, extra=extra))
client = app.test_client()
form = {"login": "nobody", "password": "wrong"}
print(json.dumps([client.post("/login", data=form).status_code for _ in range(6)]))
"""


def test_log_ins_are_limited_per_process_while_redis_is_down(tmp_path: Path) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env = {
        "PATH": "/usr/bin:/bin",
        "MOOC_INSTANCE_PATH": str(tmp_path),
        "MOOC_REDIS_URL": dead,
        "MOOC_STORAGE_URL": "memory://",
        "MOOC_NOTIFICATIONS_SENDER": "off",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'mooc.sqlite3'}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    # 5 failures a minute per account and address (the default), then a refusal: no 500.
    assert statuses == [422] * 5 + [429]
    assert "falling back to in-memory storage" in done.stderr
