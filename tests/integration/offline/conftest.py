"""Fixtures of the offline tests: learners logged in through browsers of their own."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.integration.learning.learners import Browser, browse


@pytest.fixture
def learner(client: FlaskClient, session: Session) -> Browser:
    return browse(client, session)


@pytest.fixture
def other(app: Flask, session: Session) -> Browser:
    return browse(app.test_client(), session)
