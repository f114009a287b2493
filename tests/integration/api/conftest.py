"""Fixtures of the API tests: the shared app checks institution tokens with a known pepper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.helpers import signing_settings
from tests.integration.api.tokens import PEPPER


@pytest.fixture
def pepper(app: Flask) -> Iterator[None]:
    """The shared app checks institution tokens with PEPPER (and can sign records)."""
    with signing_settings(app, api_token_pepper=PEPPER):
        yield
