"""The status check of a record: Bitstring Status List, StatusList2021 or a 1EdTech revocation
list, each fetched through the caller's lookup; a list that cannot answer leaves it "unknown"."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mooc.credentials.core.bounds import Bounds, measure
from mooc.credentials.core.canonical import Canonicalizer
from mooc.credentials.core.checks import STATUS, Check
from mooc.credentials.core.proof import KeyResolver, verify_proof
from mooc.credentials.core.status_list import (
    EDTECH_REVOCATION_LIST,
    RevocationListEntry,
    StatusListEntry,
    StatusListError,
    is_listed_as_revoked,
    is_status_set,
)
from mooc.credentials.core.structure import check_structure
from mooc.credentials.core.timestamps import parse_timestamp

StatusListFetcher = Callable[[str], Mapping[str, Any]]
"""Status list URL → the signed list credential; raises with the reason it cannot."""


@dataclass(frozen=True)
class _Issuer:
    id: str | None
    resolve_key: KeyResolver | None


class StatusChecker:
    """Reads status lists for a batch of records, verifying each list's proof once."""

    def __init__(
        self,
        fetch: StatusListFetcher | None,
        *,
        now: Callable[[], datetime],
        canonicalizer: Canonicalizer | None,
        bounds: Bounds,
    ) -> None:
        self._fetch = fetch
        self._now = now
        self._canonicalizer = canonicalizer
        self._bounds = bounds
        self._verified_lists: dict[str, str | None] = {}

    def check(
        self,
        credential: Mapping[str, Any],
        issuer_id: str | None,
        resolve_key: KeyResolver | None,
    ) -> Check:
        """The status check of a record whose issuer is `issuer_id` (keys from `resolve_key`)."""
        issuer = _Issuer(issuer_id, resolve_key)
        status = credential.get("credentialStatus")
        if status is None:
            return Check(STATUS, "passed", "the record has no status entry: it cannot be revoked")
        answers = [
            self._revocation_list_status(entry, credential, issuer)
            if isinstance(entry, Mapping) and entry.get("type") == EDTECH_REVOCATION_LIST
            else self._entry_status(entry, issuer)
            for entry in _as_list(status)
        ]
        for wanted in ("failed", "unknown"):
            chosen = [check for check in answers if check.status == wanted]
            if chosen:
                # Revoked outweighs suspended: a suspension may be lifted, a revocation not.
                reasons = {check.reason for check in chosen}
                reason = "revoked" if "revoked" in reasons else next(iter(reasons))
                return Check(STATUS, wanted, "; ".join(c.message for c in chosen), reason)
        return Check(STATUS, "passed", "; ".join(check.message for check in answers))

    def _fetched(self, url: str) -> tuple[Any, Check | None]:
        """The list at `url`, or the "status unknown" check saying why it could not be had."""
        if self._fetch is None:
            return None, Check(
                STATUS, "unknown", "status unknown: no status list fetcher was given"
            )
        try:
            return self._fetch(url), None
        except Exception as error:  # network, refusal, parse errors: all mean "unknown"
            reason = str(error) or type(error).__name__
            return None, Check(STATUS, "unknown", f"status unknown: cannot fetch {url}: {reason}")

    def _revocation_list_status(
        self, raw_entry: Any, credential: Mapping[str, Any], issuer: _Issuer
    ) -> Check:
        """A 1EdTech revocation list: unsigned, so only the issuer's own list, fetched from an
        allowed host, can answer; it revokes by naming the record's id."""
        try:
            entry = RevocationListEntry.from_json(raw_entry)
        except StatusListError as error:
            return Check(STATUS, "unknown", f"status unknown: {error}")
        listing, unknown = self._fetched(entry.list_url)
        if unknown is not None:
            return unknown
        record_id = credential.get("id")
        problem = None
        if not isinstance(listing, Mapping) or listing.get("id") != entry.list_url:
            problem = f"the fetched revocation list is not {entry.list_url}"
        elif _issuer_id(listing.get("issuer")) != issuer.id or issuer.id is None:
            problem = "the revocation list was not issued by the record's issuer"
        elif not isinstance(record_id, str):
            problem = "the record has no id to look up in the revocation list"
        if problem is None:
            try:
                revoked = is_listed_as_revoked(listing, str(record_id))
            except StatusListError as error:
                problem = str(error)
        if problem is not None:
            return Check(STATUS, "unknown", f"status unknown: {problem}")
        if revoked:
            return Check(STATUS, "failed", f"the record is revoked ({entry.list_url})", "revoked")
        return Check(STATUS, "passed", f"not revoked (checked {entry.list_url})")

    def _entry_status(self, raw_entry: Any, issuer: _Issuer) -> Check:
        try:
            entry = StatusListEntry.from_json(raw_entry)
        except StatusListError as error:
            return Check(STATUS, "unknown", f"status unknown: {error}")
        listing, unknown = self._fetched(entry.list_url)
        if unknown is not None:
            return unknown
        problem = self._list_problem(listing, entry, issuer)
        if problem:
            return Check(STATUS, "unknown", f"status unknown: {problem}")
        try:
            is_set = is_status_set(listing, entry)
        except StatusListError as error:
            return Check(STATUS, "unknown", f"status unknown: {error}")
        if is_set:
            word = "revoked" if entry.purpose == "revocation" else "suspended"
            return Check(STATUS, "failed", f"the record is {word} (index {entry.index})", word)
        word = "not revoked" if entry.purpose == "revocation" else "not suspended"
        return Check(STATUS, "passed", f"{word} (checked {entry.list_url})")

    def _list_problem(self, listing: Any, entry: StatusListEntry, issuer: _Issuer) -> str | None:
        """Why a fetched status list cannot be trusted to answer, or None."""
        if not isinstance(listing, Mapping):
            return "the status list is not a JSON object"
        if listing.get("id") != entry.list_url:
            return f"the fetched list is {listing.get('id')!r}, not {entry.list_url}"
        list_issuer = listing.get("issuer")
        list_issuer = list_issuer.get("id") if isinstance(list_issuer, Mapping) else list_issuer
        if issuer.id is None or list_issuer != issuer.id:
            return "the status list was not issued by the record's issuer"
        if issuer.resolve_key is None:
            return "the status list's signature cannot be checked: the issuer's keys are unknown"
        too_complex = measure(listing, self._bounds)
        if too_complex is not None:  # a status list host is not trusted to bound its work
            return f"the status list cannot be read: {too_complex.message}"
        key = json.dumps(listing, sort_keys=True)
        if key not in self._verified_lists:
            if len(self._verified_lists) >= 64:  # lists change rarely; keep only recent ones
                self._verified_lists.clear()
            structure = check_structure(listing)
            if not structure.well_formed:
                problem: str | None = "malformed status list: " + "; ".join(structure.errors)
            else:
                outcome = verify_proof(
                    listing, issuer.resolve_key, canonicalizer=self._canonicalizer
                )
                problem = None if outcome.valid else f"the status list's proof: {outcome.message}"
            self._verified_lists[key] = problem
        problem = self._verified_lists[key]
        if problem is None:
            expiry = listing.get("validUntil")
            if expiry is not None and parse_timestamp(expiry) < self._now():
                problem = "the status list has expired"
        return problem


def _issuer_id(issuer: Any) -> Any:
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
