"""MOOC_TRUSTED_PROXIES: behind N reverse proxies the client address (rate limits), scheme and
host come from the forwarded headers; with the default 0 such headers are ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, request

from mooc.factory import create_app
from mooc.settings import SettingsError, load_settings
from tests.helpers import make_settings

VERIFY = "/api/v1/credentials/verify"


def build(tmp_path: Path, proxies: int) -> Flask:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}").with_overrides(
        trusted_proxies=proxies, verify_limit_per_address="2 per minute"
    )
    app = create_app(settings=settings)

    @app.get("/whoami")
    def whoami() -> dict[str, str]:
        return {"address": request.remote_addr or "", "url": request.host_url}

    return app


def test_one_trusted_proxy_gives_the_client_address_scheme_and_host(tmp_path: Path) -> None:
    client = build(tmp_path, 1).test_client()
    seen = client.get(
        "/whoami",
        headers={
            # A client may forge the first entry; only the hop our proxy appended is trusted.
            "X-Forwarded-For": "10.9.9.9, 203.0.113.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "hoc.example.vn",
        },
    ).get_json()
    assert seen == {"address": "203.0.113.7", "url": "https://hoc.example.vn/"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(tmp_path: Path) -> None:
    client = build(tmp_path, 0).test_client()
    seen = client.get(
        "/whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    ).get_json()
    assert seen == {"address": "127.0.0.1", "url": "http://localhost/"}


def test_rate_limits_count_each_client_behind_the_proxy(tmp_path: Path) -> None:
    client = build(tmp_path, 1).test_client()

    def verify(address: str) -> int:
        return client.post(VERIFY, json={}, headers={"X-Forwarded-For": address}).status_code

    assert [verify("203.0.113.7") for _ in range(3)][-1] == 429
    assert verify("198.51.100.2") != 429  # another learner behind the same proxy is not blocked


def test_the_setting_is_read_and_checked(tmp_path: Path) -> None:
    env = {"MOOC_INSTANCE_PATH": str(tmp_path)}
    assert load_settings({**env, "MOOC_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    assert load_settings(env).trusted_proxies == 0
    for bad in ("-1", "two"):
        with pytest.raises(SettingsError, match="MOOC_TRUSTED_PROXIES"):
            load_settings({**env, "MOOC_TRUSTED_PROXIES": bad})
