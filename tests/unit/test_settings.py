"""Reading the settings: what production refuses to start without, and the checked choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from mooc.settings import SettingsError, load_settings

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
