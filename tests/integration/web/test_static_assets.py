"""Static assets: the precompressed copy the browser accepts, with its type, ETag, Vary and the
one-year cache of fingerprinted URLs; the `flask assets compress` build step."""

from __future__ import annotations

import gzip
import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mooc.web.precompress import compress_folder

STATIC = Path(__file__).resolve().parents[3] / "static"


@pytest.fixture(scope="module", autouse=True)
def _built() -> None:
    # The build step `make install` runs (idempotent: only missing or outdated copies are written).
    compress_folder(STATIC)


def fetch(client: FlaskClient, url: str, **headers: str) -> TestResponse:
    """GET and read the body, then close the file the response streamed (as a server does)."""
    response = client.get(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
    response.get_data()
    response.close()
    return response


def versioned(filename: str) -> str:
    digest = hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]
    return f"/static/{filename}?v={digest}"


def test_brotli_is_sent_to_a_browser_that_accepts_it(client: FlaskClient) -> None:
    response = fetch(client, versioned("css/app.css"), Accept_Encoding="gzip, deflate, br")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.mimetype == "text/css"
    assert "Accept-Encoding" in response.vary
    body = response.get_data()
    assert brotli.decompress(body) == (STATIC / "css/app.css").read_bytes()
    assert int(response.headers["Content-Length"]) == len(body)
    assert len(body) < (STATIC / "css/app.css").stat().st_size / 3
    assert response.headers["ETag"]
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable
    assert response.expires is not None
    assert response.expires > datetime.now(UTC) + timedelta(days=360)
    # Saved from the address bar, it is the stylesheet (by its own name), not a .br file.
    assert response.headers["Content-Disposition"] == "inline; filename=app.css"


def test_gzip_when_brotli_is_not_accepted(client: FlaskClient) -> None:
    for accept in ("gzip", "br;q=0, gzip"):
        response = fetch(client, versioned("js/editor.js"), Accept_Encoding=accept)
        assert response.headers["Content-Encoding"] == "gzip", accept
        assert response.mimetype == "text/javascript"
        assert gzip.decompress(response.get_data()) == (STATIC / "js/editor.js").read_bytes()
        assert "Accept-Encoding" in response.vary


def test_the_plain_file_without_accept_encoding(client: FlaskClient) -> None:
    for headers in ({}, {"Accept_Encoding": "identity"}):
        response = fetch(client, versioned("css/app.css"), **headers)
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert response.mimetype == "text/css"
        assert response.get_data() == (STATIC / "css/app.css").read_bytes()
        assert "Accept-Encoding" in response.vary


def test_each_encoding_has_its_own_etag_and_revalidates(client: FlaskClient) -> None:
    url = versioned("css/app.css")
    tags = {
        accept: fetch(client, url, Accept_Encoding=accept).headers["ETag"]
        for accept in ("br", "gzip", "identity")
    }
    assert len(set(tags.values())) == 3
    again = fetch(client, url, Accept_Encoding="br", If_None_Match=tags["br"])
    assert again.status_code == 304
    assert again.get_data() == b""


def test_an_unversioned_url_keeps_the_short_cache(client: FlaskClient) -> None:
    response = fetch(client, "/static/css/app.css", Accept_Encoding="br")
    assert response.headers["Content-Encoding"] == "br"
    assert not response.cache_control.immutable
    assert response.cache_control.max_age == 3600


def test_missing_and_outside_files_are_404(client: FlaskClient) -> None:
    assert fetch(client, "/static/css/none.css", Accept_Encoding="br").status_code == 404
    outside = fetch(client, "/static/../pyproject.toml", Accept_Encoding="br")
    assert outside.status_code == 404
    sneaky = fetch(client, "/static/..%2Fapp.py", Accept_Encoding="br")
    assert sneaky.status_code == 404


def test_the_page_links_assets_that_arrive_compressed(client: FlaskClient) -> None:
    page = client.get("/courses").get_data(as_text=True)
    assert versioned("css/app.css") in page
    response = fetch(client, versioned("css/app.css"), Accept_Encoding="br")
    assert response.headers["Content-Encoding"] == "br"


def test_the_compress_command_reports_each_file(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["assets", "compress"])
    assert result.exit_code == 0, result.output
    assert "css/app.css" in result.output
    assert (STATIC / "css/app.css.br").is_file()
    assert (STATIC / "css/app.css.gz").is_file()


def test_an_outdated_copy_is_not_sent(client: FlaskClient) -> None:
    source = STATIC / "css" / "zz-outdated-test.css"
    copies = [source.with_name(source.name + suffix) for suffix in (".br", ".gz")]
    try:
        source.write_text("main { margin: 0; }\n" * 50)
        compress_folder(STATIC)
        assert (
            fetch(client, "/static/css/zz-outdated-test.css", Accept_Encoding="br").headers[
                "Content-Encoding"
            ]
            == "br"
        )
        # Edited after the build step ran: the old compressed text must not be served.
        source.write_text("main { margin: 1rem; }\n" * 50)
        later = copies[0].stat().st_mtime_ns + 2_000_000_000
        os.utime(source, ns=(later, later))
        response = fetch(client, "/static/css/zz-outdated-test.css", Accept_Encoding="br, gzip")
        assert "Content-Encoding" not in response.headers
        assert response.get_data() == source.read_bytes()
    finally:
        for path in (source, *copies):
            path.unlink(missing_ok=True)
