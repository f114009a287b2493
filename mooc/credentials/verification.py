"""The one verifier setup of the platform, behind the public page, the API and the CLI.

did:key issuers resolve anywhere; the platform's own did:web issuers and status lists are read
from the database (no HTTP); other did:web issuers, issuers named by an https URL (their key
document is that URL) and status lists only from hosts on MOOC_DID_WEB_ALLOWLIST, with a short
timeout and a size cap; key documents and status lists from a cache no older than
MOOC_STATUS_LIST_MAX_AGE (the answer says when a cached status list was used). Anything else is
"cannot resolve issuer" or "status unknown", never "not revoked". Trust is the platform's trust
list (its own issuers) only: being resolvable is not being trusted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.error import URLError
from urllib.parse import unquote, urlsplit

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from mooc.credentials.core.bounds import DEFAULT_BOUNDS, Bounds, measure
from mooc.credentials.core.checks import SIGNATURE, STATUS, Check
from mooc.credentials.core.did import DID_WEB_PREFIX, did_web_document_url
from mooc.credentials.core.verify import Verification, Verifier
from mooc.credentials.issuers import is_own_issuer, issuer_did, own_did_document, own_slug
from mooc.credentials.queries import revoked_by_id
from mooc.credentials.services import vcapi_status_lists
from mooc.credentials.services.status_lists import (
    PURPOSE,
    SUSPENSION,
    list_document,
    published_list,
)
from mooc.db import utcnow
from mooc.errors import Invalid, NotFound, TooLarge
from mooc.settings import Settings

FETCH_TIMEOUT_SECONDS = 5.0
MAX_FETCH_BYTES = 2 * 1024 * 1024
ISSUER_DOCUMENTS = "mooc_issuer_documents"  # app.extensions key of the key-document cache


class FetchRefused(LookupError):
    """A document this verifier will not or cannot fetch; the message says why."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead off the allowlisted host: follow none."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def fetch_json(url: str, timeout: float = FETCH_TIMEOUT_SECONDS) -> Any:
    """GET a JSON document over http(s) with a short timeout and a size cap."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchRefused(f"{url} is not an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"Accept": "application/json, application/ld+json"}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_FETCH_BYTES + 1)
    except (URLError, OSError, ValueError) as error:
        raise FetchRefused(f"cannot fetch {url}: {error}") from error
    if len(body) > MAX_FETCH_BYTES:
        raise FetchRefused(f"{url} answered more than {MAX_FETCH_BYTES} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FetchRefused(f"{url} did not answer JSON") from error


@dataclass(frozen=True)
class _Cached:
    document: Any
    fetched_at: dt.datetime


class StatusListCache:
    """Status lists fetched from other hosts, shared by the requests of one process."""

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, url: str) -> _Cached | None:
        with self._lock:
            return self._entries.get(url)

    def put(self, url: str, document: Any, at: dt.datetime) -> None:
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[url] = _Cached(document, at)


@dataclass(frozen=True)
class CachedCopy:
    """A status list answered from the cache: which, and how old the copy was."""

    url: str
    age_seconds: int


@dataclass(frozen=True)
class VerificationReport:
    """The core's checks plus what this platform adds: the cached copies it relied on."""

    verification: Verification
    cached: tuple[CachedCopy, ...] = ()

    @property
    def verified(self) -> bool:
        return self.verification.verified

    @property
    def warnings(self) -> list[str]:
        notes = [
            f"the status list {copy.url} was read from a copy fetched {copy.age_seconds} s ago"
            for copy in self.cached
        ]
        return [*self.verification.warnings, *notes]

    def to_json(self) -> dict[str, Any]:
        answer = self.verification.to_json()
        answer["warnings"] = self.warnings
        return answer


@dataclass(frozen=True)
class VerificationPolicy:
    """What the verifier may look up: set once from the settings."""

    base_url: str
    allowlist: tuple[str, ...] = ()
    status_list_max_age: int = 300
    network: bool = True  # False for the CLI: nothing but the database and did:key

    @classmethod
    def from_settings(cls, settings: Settings, *, network: bool = True) -> VerificationPolicy:
        return cls(
            base_url=settings.base_url,
            allowlist=settings.did_web_allowlist,
            status_list_max_age=settings.status_list_max_age,
            network=network,
        )

    def allows(self, host: str) -> bool:
        return self.network and host.lower() in self.allowlist


def _did_web_host(did: str) -> str:
    return unquote(did[len(DID_WEB_PREFIX) :].split(":", 1)[0]).lower()


@dataclass
class PlatformVerifier:
    """Verifies records the platform's way; one instance per request or command."""

    session: Session
    policy: VerificationPolicy
    cache: StatusListCache = field(default_factory=StatusListCache)
    fetch: Callable[[str], Any] = fetch_json
    # issuers' key documents fetched by URL, kept as long as status lists are
    documents: StatusListCache = field(default_factory=StatusListCache)
    now: Callable[[], dt.datetime] = utcnow
    _cached: list[CachedCopy] = field(default_factory=list)

    def verify(self, credential: Any) -> VerificationReport:
        """Every check on `credential`; never raises for a malformed one."""
        self._cached = []
        verifier = Verifier(
            resolve_did_web=self._resolve_did_web,
            is_trusted_issuer=self._is_trusted,
            fetch_status_list=self._status_list,
            now=self.now,
            resolve_url_issuer=self._resolve_url_issuer,
        )
        verification = self._told_revoked(credential, verifier.verify(credential))
        return VerificationReport(verification, tuple(dict.fromkeys(self._cached)))

    def _told_revoked(self, credential: Any, verification: Verification) -> Verification:
        """A record the platform revoked whose one status entry is a suspension bit (set for
        good) reads "suspended" in its list; the platform, which issued and revoked it, says
        "revoked". Only for a record its issuer signed (the signature check passed)."""
        checks = {check.id: check for check in verification.checks}
        status, signature = checks.get(STATUS), checks.get(SIGNATURE)
        if status is None or status.reason != "suspended" or not isinstance(credential, Mapping):
            return verification
        if signature is None or signature.status != "passed":
            return verification
        record_id, issuer = credential.get("id"), credential.get("issuer")
        issuer = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        record = revoked_by_id(self.session, record_id) if isinstance(record_id, str) else None
        if record is None or issuer != issuer_did(self.policy.base_url, record.institution):
            return verification
        told = Check(
            STATUS,
            "failed",
            f"the record is revoked (its issuer revoked it; {status.message}, for good)",
            "revoked",
        )
        kept = tuple(told if check is status else check for check in verification.checks)
        return replace(verification, checks=kept)

    def did_document(self, did: str) -> Mapping[str, Any]:
        """A did:web document, looked up as for a record's issuer (`FetchRefused` otherwise)."""
        return self._resolve_did_web(did)

    def _own_list_place(self, url: str) -> tuple[str, int, str] | None:
        prefix = f"{self.policy.base_url}/institutions/"
        match = re.fullmatch(
            r"([A-Za-z0-9._~-]+)/(status|suspension)/(\d{1,9})", url.removeprefix(prefix)
        )
        if not url.startswith(prefix) or match is None:
            return None
        purpose = SUSPENSION if match.group(2) == "suspension" else PURPOSE
        return match.group(1), int(match.group(3)), purpose

    def _resolve_did_web(self, did: str) -> Mapping[str, Any]:
        if own_slug(self.policy.base_url, did) is not None:
            try:
                return own_did_document(self.session, self.policy.base_url, did)
            except NotFound:
                raise FetchRefused("this platform has no such issuer") from None
        host = _did_web_host(did)
        if not self.policy.network:
            raise FetchRefused("offline: only this platform's issuers and did:key are resolved")
        if not self.policy.allows(host):
            raise FetchRefused(f"its host {host} is not on this platform's allowlist")
        document = self.fetch(did_web_document_url(did))
        if not isinstance(document, Mapping):
            raise FetchRefused("the DID document is not a JSON object")
        return document

    def _resolve_url_issuer(self, url: str) -> Mapping[str, Any]:
        """The key document an https issuer publishes at its own URL (allowlisted hosts only).

        Plain http is refused but for a loopback host, which only tests put on the allowlist.
        """
        parts = urlsplit(url)
        host = parts.netloc.lower()
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not loopback:
            raise FetchRefused("an issuer URL must be https")
        if not self.policy.network:
            raise FetchRefused("offline: only this platform's issuers and did:key are resolved")
        if not self.policy.allows(host):
            raise FetchRefused(f"its host {host} is not on this platform's allowlist")
        now = self.now()
        cached = self.documents.get(url)
        if cached is not None:
            age = (now - cached.fetched_at).total_seconds()
            if 0 <= age <= self.policy.status_list_max_age:
                return dict(cached.document)
        document = self.fetch(url)
        if not isinstance(document, Mapping):
            raise FetchRefused("the key document is not a JSON object")
        self.documents.put(url, document, now)
        return document

    def _is_trusted(self, did: str) -> bool:
        # The platform's trust list: its own issuers. A host on the allowlist may be fetched,
        # which makes its issuers resolvable, never trusted.
        return is_own_issuer(self.session, self.policy.base_url, did)

    def _status_list(self, url: str) -> Mapping[str, Any]:
        try:
            posted = vcapi_status_lists.local_list(self.session, self.policy.base_url, url)
        except NotFound:
            raise FetchRefused("this platform publishes no such status list") from None
        if posted is not None:  # a list of credentials signed through the VC API
            return posted
        place = self._own_list_place(url)
        if place is not None:
            try:
                return list_document(published_list(self.session, *place))
            except NotFound:
                raise FetchRefused("this platform publishes no such status list") from None
        host = urlsplit(url).netloc.lower()
        if not self.policy.network:
            raise FetchRefused("offline: only this platform's status lists are read")
        if not self.policy.allows(host):
            raise FetchRefused(f"its host {host} is not on this platform's allowlist")
        now = self.now()
        cached = self.cache.get(url)
        if cached is not None:
            age = (now - cached.fetched_at).total_seconds()
            if 0 <= age <= self.policy.status_list_max_age:
                self._cached.append(CachedCopy(url, int(age)))
                return dict(cached.document)
        try:
            document = self.fetch(url)
        except FetchRefused as error:
            limit = self.policy.status_list_max_age
            raise FetchRefused(f"{error} (and no copy younger than {limit} s is kept)") from None
        if not isinstance(document, Mapping):
            raise FetchRefused("the status list is not a JSON object")
        self.cache.put(url, document, now)
        return document


def require_verifiable(credential: Any, bounds: Bounds = DEFAULT_BOUNDS) -> None:
    """Refuse, before any work, a record too big to verify in reasonable time.

    Raises `TooLarge` (413) for too many values or too long lists, `Invalid` (422) for nesting
    too deep; the message says which limit and where.
    """
    too_complex = measure(credential, bounds)
    if too_complex is None:
        return
    limit = format_decimal(too_complex.limit)
    if too_complex.excess == "depth":
        raise Invalid(
            _("The record is nested too deeply to verify (more than %(n)s levels).", n=limit)
        )
    if too_complex.excess == "values":
        message = _("The record is too large to verify: it has more than %(n)s values.", n=limit)
    elif too_complex.excess == "list":
        message = _(
            "The record is too large to verify: the list %(path)s has more than %(n)s entries.",
            path=too_complex.path,
            n=limit,
        )
    else:
        message = _("The record is too large to verify: its lists are too long together.")
    raise TooLarge(message)


class UnreadableRecord(ValueError):
    """Input that is not a JSON object at all (as opposed to a malformed record)."""


def read_record(data: bytes | str) -> Any:
    """The JSON value of an uploaded or pasted record; `UnreadableRecord` when it is not JSON.

    Whether it is a *valid* record is for the checks to say.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnreadableRecord("the file is not UTF-8 text") from None
    try:
        return json.loads(data)
    except RecursionError:
        raise UnreadableRecord("the JSON is nested too deeply") from None
    except ValueError as error:
        raise UnreadableRecord(f"not JSON: {error}") from None
