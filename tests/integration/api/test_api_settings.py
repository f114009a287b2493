"""The token pepper setting: generated once for development, never made up in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from mooc.settings import SettingsError, load_settings

PRODUCTION = {
    "MOOC_ENV": "production",
    "MOOC_SECRET_KEY": "s" * 40,
    "MOOC_DATABASE_URL": "postgresql+psycopg://db/mooc",
    "MOOC_BASE_URL": "https://mooc.example.edu",
    "MOOC_KEY_ENCRYPTION_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
}


def test_development_generates_its_pepper_once(tmp_path: Path) -> None:
    environ = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    first = load_settings(environ).api_token_pepper
    assert len(first) >= 32
    assert (tmp_path / "api_token_pepper").stat().st_mode & 0o777 == 0o600
    assert load_settings(environ).api_token_pepper == first
    assert first != load_settings(environ).secret_key


def test_production_uses_the_given_pepper_or_turns_tokens_off(tmp_path: Path) -> None:
    environ = {**PRODUCTION, "MOOC_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(environ).api_token_pepper == ""
    assert not (tmp_path / "api_token_pepper").exists()
    pepper = "p" * 40
    assert load_settings({**environ, "MOOC_API_TOKEN_PEPPER": pepper}).api_token_pepper == pepper
    with pytest.raises(SettingsError, match="MOOC_API_TOKEN_PEPPER"):
        load_settings({**environ, "MOOC_API_TOKEN_PEPPER": "short"})


@pytest.mark.parametrize(
    "name",
    [
        "MOOC_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS",
        "MOOC_LOGIN_LIMIT_PER_ACCOUNT",
        "MOOC_LOGIN_LIMIT_PER_ADDRESS",
    ],
)
def test_a_malformed_login_limit_refuses_to_start(tmp_path: Path, name: str) -> None:
    environ = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(SettingsError, match=name):
        load_settings({**environ, name: "ten per fortnight"})
    steps = "3 per minute; 6 per hour"
    settings = load_settings({**environ, name: steps})
    assert steps in (
        settings.login_limit_per_account_address,
        settings.login_limit_per_account,
        settings.login_limit_per_address,
    )
