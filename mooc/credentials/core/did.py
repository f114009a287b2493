"""did:web identifiers of issuing institutions and the DID documents that list their keys.

An institution's DID is tied to the platform's domain,
`did:web:<host>[%3Aport]:institutions:<slug>`, served at /institutions/<slug>/did.json.
Keys rotate by adding a verification method; old ones stay listed under `assertionMethod`
so records they signed keep verifying.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from mooc.credentials.core.contexts import DID_V1, MULTIKEY_V1
from mooc.credentials.core.multikey import (
    InvalidKey,
    VerificationMethod,
    decode_multikey,
    decode_public_key,
)

DID_WEB_PREFIX = "did:web:"
_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
_FRAGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


class DidError(ValueError):
    """A DID or DID document that cannot give the verification method asked for."""


@dataclass(frozen=True)
class PublishedKey:
    """A key an institution publishes: `fragment` names it inside the DID (`#key-2025`)."""

    fragment: str
    public_key_multibase: str

    def __post_init__(self) -> None:
        if not _FRAGMENT.match(self.fragment):
            raise DidError(f"key fragment {self.fragment!r} must be letters, digits, '.-_~'")
        decode_public_key(self.public_key_multibase)


def did_web(base_url: str, *path: str) -> str:
    """The did:web for `path` under the origin of `base_url` (its own path is kept too)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DidError(f"{base_url!r} is not an http(s) base URL")
    host = parts.hostname.lower()
    if parts.port is not None:
        host += quote(f":{parts.port}", safe="")
    segments = [s for s in parts.path.split("/") if s] + list(path)
    for segment in segments:
        if not _SEGMENT.match(segment):
            raise DidError(f"path segment {segment!r} must be letters, digits, '.-_~'")
    return DID_WEB_PREFIX + ":".join([host, *segments])


def institution_did(base_url: str, slug: str) -> str:
    """`did:web:<host>[%3Aport]:institutions:<slug>` for an institution of the platform."""
    return did_web(base_url, "institutions", slug)


def did_web_document_url(did: str) -> str:
    """Where a did:web document is published (always https, as the method requires)."""
    if not did.startswith(DID_WEB_PREFIX) or "#" in did or "?" in did:
        raise DidError(f"{did!r} is not a did:web")
    host, *segments = did[len(DID_WEB_PREFIX) :].split(":")
    if not host or not all(segments):
        raise DidError(f"{did!r} is not a did:web")
    path = "/".join(segments) if segments else ".well-known"
    return f"https://{unquote(host)}/{path}/did.json"


def verification_method_id(did: str, fragment: str) -> str:
    return f"{did}#{fragment}"


def did_document(did: str, keys: Sequence[PublishedKey]) -> dict[str, Any]:
    """The DID document of an issuer: every key listed, every key usable to assert records.

    Leave a key out only when it must stop verifying (it leaked), not when it is merely rotated.
    """
    if not keys:
        raise DidError("a DID document needs at least one key")
    fragments = [key.fragment for key in keys]
    if len(set(fragments)) != len(fragments):
        raise DidError("key fragments must be unique within a DID document")
    methods = [
        VerificationMethod(
            id=verification_method_id(did, key.fragment),
            controller=did,
            public_key_multibase=key.public_key_multibase,
        )
        for key in keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [method.to_json() for method in methods],
        "assertionMethod": [method.id for method in methods],
    }


def find_verification_method(
    document: Mapping[str, Any], method_id: str, purpose: str = "assertionMethod"
) -> VerificationMethod:
    """The Multikey method `method_id` of a DID document, if the document allows it for `purpose`.

    Raises `DidError` with a reason a person can act on.
    """
    did = method_id.partition("#")[0]
    if document.get("id") != did:
        raise DidError(f"the DID document is for {document.get('id')!r}, not {did!r}")
    ids = (method_id, "#" + method_id.partition("#")[2])
    authorized = document.get(purpose)
    if not isinstance(authorized, list):
        raise DidError(f"the DID document of {did} lists no {purpose}")
    for entry in authorized:
        if isinstance(entry, Mapping) and entry.get("id") in ids:
            return _multikey(entry, method_id, did)
        if entry in ids:
            listed = document.get("verificationMethod", [])
            for method in listed if isinstance(listed, list) else [listed]:
                if isinstance(method, Mapping) and method.get("id") in ids:
                    return _multikey(method, method_id, did)
            raise DidError(f"{method_id} is named under {purpose} but not listed")
    raise DidError(f"{method_id} is not an {purpose} key of {did}")


def _multikey(entry: Mapping[str, Any], method_id: str, did: str) -> VerificationMethod:
    # Ed25519VerificationKey2020 is the VC 1.1 name of an Ed25519 Multikey, spelled the same
    if entry.get("type") not in ("Multikey", "Ed25519VerificationKey2020"):
        raise DidError(f"{method_id} is a {entry.get('type')!r}, not a Multikey")
    if entry.get("controller") != did:
        raise DidError(f"{method_id} is controlled by {entry.get('controller')!r}, not {did}")
    multibase = entry.get("publicKeyMultibase")
    try:
        decode_multikey(multibase if isinstance(multibase, str) else "")
    except InvalidKey as error:
        raise DidError(f"{method_id}: {error}") from error
    return VerificationMethod(id=method_id, controller=did, public_key_multibase=str(multibase))
