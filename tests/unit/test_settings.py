"""Reading the settings: what production refuses to start without, and the checked choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from mooc.settings import SettingsError, flask_config, load_settings, single_server_parts

KEK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


def test_production_names_every_missing_value_at_once(tmp_path: Path) -> None:
    environ = {"MOOC_ENV": " Production ", "MOOC_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(SettingsError) as caught:
        load_settings(environ)
    assert str(caught.value) == (
        "production needs MOOC_SECRET_KEY, MOOC_DATABASE_URL, MOOC_BASE_URL, "
        "MOOC_KEY_ENCRYPTION_KEY"
    )
    complete = {
        **environ,
        "MOOC_SECRET_KEY": "s" * 31,
        "MOOC_DATABASE_URL": "postgresql+psycopg://db/mooc",
        "MOOC_BASE_URL": "https://mooc.example.edu/",
        "MOOC_KEY_ENCRYPTION_KEY": KEK,
    }
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings(complete)
    settings = load_settings({**complete, "MOOC_SECRET_KEY": "s" * 32})
    assert (settings.env, settings.base_url) == ("production", "https://mooc.example.edu")
    assert settings.storage_url == f"file://{tmp_path.resolve() / 'media'}"
    assert not list(tmp_path.iterdir())  # no secret was generated


def test_development_falls_back_to_the_instance_folder(tmp_path: Path) -> None:
    settings = load_settings({"MOOC_INSTANCE_PATH": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'mooc.sqlite3'}"
    assert (tmp_path / "secret_key").read_text() == settings.secret_key
    assert (settings.default_language, settings.default_timezone) == ("vi", "Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MOOC_ENV", "staging", "MOOC_ENV must be one of"),
        ("MOOC_DEFAULT_LANGUAGE", "fr", "MOOC_DEFAULT_LANGUAGE must be one of"),
    ],
)
def test_an_unknown_choice_refuses_to_start(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({"MOOC_INSTANCE_PATH": str(tmp_path), name: value})


PRODUCTION = {
    "MOOC_ENV": "production",
    "MOOC_SECRET_KEY": "s" * 40,
    "MOOC_DATABASE_URL": "postgresql+psycopg://db/mooc",
    "MOOC_BASE_URL": "https://mooc.example.edu",
    "MOOC_KEY_ENCRYPTION_KEY": KEK,
}


def test_the_shared_redis_counts_the_rate_limits_unless_another_store_is_named(
    tmp_path: Path,
) -> None:
    environ = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    alone = load_settings(environ)
    assert (alone.redis_url, alone.ratelimit_storage_url) == (None, "memory://")
    assert flask_config(alone)["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is False

    shared = load_settings({**environ, "MOOC_REDIS_URL": "redis://cache:6379/2"})
    assert shared.ratelimit_storage_url == "redis://cache:6379/2"
    config = flask_config(shared)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"
    # A Redis that stops answering slows nobody down with 500s: each process counts meanwhile.
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True

    other = load_settings(
        {
            **environ,
            "MOOC_REDIS_URL": "redis://cache:6379/2",
            "MOOC_RATELIMIT_STORAGE_URL": "memcached://limits:11211",
        }
    )
    assert other.ratelimit_storage_url == "memcached://limits:11211"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MOOC_REDIS_URL", "cache:6379"),
        ("MOOC_REDIS_URL", "http://cache:6379/0"),
        ("MOOC_RATELIMIT_STORAGE_URL", "redis//cache"),
        ("MOOC_RATELIMIT_STORAGE_URL", "async+redis://cache:6379/0"),
    ],
)
def test_a_malformed_shared_store_refuses_to_start(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"MOOC_INSTANCE_PATH": str(tmp_path), name: value})


def test_production_keeps_no_media_in_memory(tmp_path: Path) -> None:
    environ = {**PRODUCTION, "MOOC_INSTANCE_PATH": str(tmp_path), "MOOC_STORAGE_URL": "memory://"}
    with pytest.raises(SettingsError, match="MOOC_STORAGE_URL=memory://"):
        load_settings(environ)


def test_what_keeps_a_deployment_to_one_app_server_is_named(tmp_path: Path) -> None:
    one = load_settings({**PRODUCTION, "MOOC_INSTANCE_PATH": str(tmp_path)})
    assert single_server_parts(one) == [
        "media in a local folder (MOOC_STORAGE_URL)",
        "rate limits counted per process (MOOC_REDIS_URL)",
        "mail written to a local folder (MOOC_MAIL_URL)",
        "background jobs queued in a local SQLite file (MOOC_QUEUE_URL)",
    ]
    several = load_settings(
        {
            **PRODUCTION,
            "MOOC_INSTANCE_PATH": str(tmp_path),
            "MOOC_STORAGE_URL": "s3://media",
            "MOOC_REDIS_URL": "redis://cache:6379/0",
            "MOOC_MAIL_URL": "smtps://mooc:secret@mail:465",
        }
    )
    assert single_server_parts(several) == []
    assert single_server_parts(load_settings({"MOOC_INSTANCE_PATH": str(tmp_path)}))[0] == (
        "the SQLite database (MOOC_DATABASE_URL)"
    )


def test_the_lecture_views_gather_for_50_ms_unless_told(tmp_path: Path) -> None:
    base = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(base).views_gather_ms == 50
    assert load_settings({**base, "MOOC_VIEWS_GATHER_MS": "0"}).views_gather_ms == 0
    assert load_settings({**base, "MOOC_VIEWS_GATHER_MS": " 200 "}).views_gather_ms == 200
    for wrong in ("-1", "soon", "0.5"):
        with pytest.raises(SettingsError, match="MOOC_VIEWS_GATHER_MS"):
            load_settings({**base, "MOOC_VIEWS_GATHER_MS": wrong})
