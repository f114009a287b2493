"""The JavaScript reference, installed once per test session from the committed lock file."""

from __future__ import annotations

import pytest

from .jsref import Installation, JsReferenceError, ensure_installed


@pytest.fixture(scope="session")
def js_reference() -> Installation:
    """Node packages from tests/interop/js/package-lock.json (`npm ci` if not installed yet).

    Fails, never skips, when node or npm is missing: CI has them, and a silent skip would let
    records that other verifiers reject through.
    """
    try:
        return ensure_installed()
    except JsReferenceError as error:
        pytest.fail(str(error), pytrace=False)
