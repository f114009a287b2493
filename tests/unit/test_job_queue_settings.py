"""Where the job queue lives, read once from the environment: MOOC_QUEUE_URL, else the shared
Redis, else a SQLite file in the instance folder; a malformed value refuses to start."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey

from mooc.jobs.queue import open_huey, queue_location
from mooc.settings import SettingsError, load_settings


def test_the_queue_is_a_sqlite_file_in_the_instance_folder_by_default(tmp_path: Path) -> None:
    settings = load_settings({"MOOC_INSTANCE_PATH": str(tmp_path)})
    assert settings.queue_url == "" and settings.jobs_workers == 2
    assert queue_location(settings) == f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    assert settings.notifications_sender == "queue"


def test_the_shared_redis_holds_the_queue_unless_another_is_named(tmp_path: Path) -> None:
    base = {"MOOC_INSTANCE_PATH": str(tmp_path), "MOOC_REDIS_URL": "redis://cache:6379/0"}
    assert load_settings(base).queue_url == "redis://cache:6379/0"
    named = load_settings({**base, "MOOC_QUEUE_URL": "redis://queue:6379/2"})
    assert named.queue_url == "redis://queue:6379/2"
    assert load_settings({**base, "MOOC_JOBS_WORKERS": "8"}).jobs_workers == 8


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MOOC_QUEUE_URL", "amqp://rabbit:5672/"),
        ("MOOC_QUEUE_URL", "sqlite://"),
        ("MOOC_JOBS_WORKERS", "0"),
        ("MOOC_JOBS_WORKERS", "two"),
    ],
)
def test_a_malformed_queue_setting_refuses_to_start(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"MOOC_INSTANCE_PATH": str(tmp_path), name: value})


def test_each_location_opens_its_kind_of_huey(tmp_path: Path) -> None:
    sqlite = open_huey(f"sqlite:///{tmp_path / 'q' / 'jobs.sqlite3'}")
    assert isinstance(sqlite, SqliteHuey) and (tmp_path / "q" / "jobs.sqlite3").exists()
    assert isinstance(open_huey("redis://127.0.0.1:6379/9"), RedisHuey)  # connects lazily
    memory = open_huey("memory://")
    assert isinstance(memory, MemoryHuey) and memory.immediate
