"""Starting in production says, at every start, what would keep the deployment to one app server
(and says nothing when PostgreSQL, S3 and Redis are set). Each start is its own process, as
gunicorn's are: building an app binds the process's one limiter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "MOOC_ENV": "production",
    "MOOC_SECRET_KEY": "s" * 40,
    "MOOC_BASE_URL": "https://mooc.example.edu.vn",
    "MOOC_KEY_ENCRYPTION_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "MOOC_NOTIFICATIONS_SENDER": "off",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Building the app touches no database, Redis or S3, so these need not exist.
SEVERAL = {
    "MOOC_DATABASE_URL": "postgresql+psycopg://mooc:secret@db.invalid/mooc",
    "MOOC_STORAGE_URL": "s3://mooc-media",
    "MOOC_S3_ENDPOINT_URL": "http://s3.invalid",
    "MOOC_REDIS_URL": "redis://redis.invalid:6379/0",
    "MOOC_MAIL_URL": "smtp://mooc:secret@mail.invalid:587",
}


def _start(tmp_path: Path, **settings: str) -> str:
    """What starting the app (`import app`, as gunicorn does) logs."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MOOC_", "AWS_"))},
        **PRODUCTION,
        "MOOC_INSTANCE_PATH": str(tmp_path),
        **settings,
    }
    done = subprocess.run(
        [sys.executable, "-c", "import logging; logging.basicConfig(); import app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_deployment_ready_for_several_servers_starts_quietly(tmp_path: Path) -> None:
    assert "only one app server" not in _start(tmp_path, **SEVERAL)
    assert not list(tmp_path.iterdir())  # nothing generated or written on this server's disk


def test_local_media_and_per_process_limits_are_named_at_start(tmp_path: Path) -> None:
    logged = _start(tmp_path, MOOC_DATABASE_URL=SEVERAL["MOOC_DATABASE_URL"])
    assert (
        "only one app server can run with media in a local folder (MOOC_STORAGE_URL), "
        "rate limits counted per process (MOOC_REDIS_URL), "
        "mail written to a local folder (MOOC_MAIL_URL)"
    ) in logged
