"""What views, hooks and commands take from the running app, in one typed place: the settings,
the public base URL, the configured limits, the object storage, the postbox, the issuing context
and the platform verifier.

The factory puts these on the app once; everything outside a request's edge (services, queries,
cores) receives them as arguments and never imports this module.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from mooc.credentials.services.issuing import IssuingContext
from mooc.credentials.verification import PlatformVerifier, StatusListCache, VerificationPolicy
from mooc.extensions import db
from mooc.mail import Postbox
from mooc.settings import Settings
from mooc.storage.base import Storage

SETTINGS = "MOOC_SETTINGS"  # app.config key
STORAGE = "mooc_storage"  # app.extensions keys
POSTBOX = "mooc_postbox"
STATUS_CACHE = "mooc_credentials_status_cache"  # status lists fetched, shared by the process
VERIFY_SCOPE = "public-verify"  # the verify page and API share one budget per address


def settings() -> Settings:
    found: Settings = current_app.config[SETTINGS]
    return found


def base_url() -> str:
    """The public origin (MOOC_BASE_URL) used in DIDs and record URLs, never the Host header."""
    return settings().base_url


def limit(name: str) -> Callable[[], str]:
    """A rate limit named by its setting, for `limiter.limit(...)`: read on every request, so a
    test app with other settings gets its own."""

    def configured() -> str:
        return str(getattr(settings(), name))

    return configured


verify_limit = limit("verify_limit_per_address")


def record_max_bytes() -> int:
    """The largest record anyone may send to be verified or weighed (MOOC_VERIFY_MAX_KB)."""
    return settings().verify_max_kb * 1024


def storage() -> Storage:
    found: Storage = current_app.extensions[STORAGE]
    return found


def postbox() -> Postbox:
    found: Postbox = current_app.extensions[POSTBOX]
    return found


def issuing_context() -> IssuingContext:
    return IssuingContext.from_settings(settings())


def verifier(*, network: bool = True) -> PlatformVerifier:
    """The platform's verifier on the request's session (`network=False`: offline commands)."""
    cache = current_app.extensions.setdefault(STATUS_CACHE, StatusListCache())
    policy = VerificationPolicy.from_settings(settings(), network=network)
    return PlatformVerifier(db.session, policy, cache=cache)
