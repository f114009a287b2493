"""What the credentials pages and commands take from the running app: the issuing context and
the one verifier setup, both from the settings, and the process's shared status-list cache."""

from __future__ import annotations

from flask import current_app

from mooc.credentials.issuing import IssuingContext
from mooc.credentials.verification import PlatformVerifier, StatusListCache, VerificationPolicy
from mooc.extensions import db
from mooc.settings import Settings

CACHE = "mooc_credentials_status_cache"
VERIFY_SCOPE = "public-verify"  # the verify page and API share one budget per address


def app_settings() -> Settings:
    settings: Settings = current_app.config["MOOC_SETTINGS"]
    return settings


def issuing_context() -> IssuingContext:
    return IssuingContext.from_settings(app_settings())


def platform_verifier(*, network: bool = True) -> PlatformVerifier:
    cache = current_app.extensions.setdefault(CACHE, StatusListCache())
    policy = VerificationPolicy.from_settings(app_settings(), network=network)
    return PlatformVerifier(db.session, policy, cache=cache)


def verify_limit() -> str:
    """How often one address may ask for a verification (MOOC_VERIFY_LIMIT_PER_ADDRESS)."""
    return app_settings().verify_limit_per_address
