"""The structural rules a record must meet before its signature means anything.

VC Data Model 2.0 rules (the ones its test suite checks; VC 1.1 records, with `issuanceDate` and
`expirationDate`, are read by the 1.1 rules), then those of the kind of record:
OB 3.0 AchievementCredential, CLR 2.0 ClrCredential (each embedded record checked as well),
or a BitstringStatusListCredential.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mooc.credentials.core.contexts import CREDENTIALS_V1, CREDENTIALS_V2
from mooc.credentials.core.timestamps import parse_timestamp

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")
_OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
_CLR_CONTEXT = re.compile(
    r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d\.\d)*\.json$"
)
_TYPED_PROPERTIES = (
    "credentialStatus",
    "credentialSchema",
    "termsOfUse",
    "evidence",
    "refreshService",
)
ACHIEVEMENT_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential"})


@dataclass(frozen=True)
class Structure:
    """What is wrong with a record's shape (`errors`) and what is merely unusual (`warnings`)."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def well_formed(self) -> bool:
        return not self.errors


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and bool(_URI.match(value))


def _types(node: Any) -> list[str]:
    """The string values of `type` (others are reported by the VC rules, never hashed)."""
    if not isinstance(node, Mapping) or "type" not in node:
        return []
    return [value for value in _as_list(node["type"]) if isinstance(value, str)]


def _is_text(value: Any) -> bool:
    """A string, or language-value objects ({"@value": …, "@language": …})."""
    if isinstance(value, str):
        return True
    items = _as_list(value)
    return bool(items) and all(
        isinstance(item, Mapping)
        and isinstance(item.get("@value"), str)
        and set(item) <= {"@value", "@language", "@direction"}
        for item in items
    )


class _Rules:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def require(self, condition: bool, message: str) -> bool:
        if not condition:
            self.errors.append(message)
        return condition

    def verifiable_credential(self, vc: Mapping[str, Any]) -> None:
        contexts = vc.get("@context")
        if not isinstance(contexts, list) or not contexts or contexts[0] != CREDENTIALS_V2:
            if is_vc_1_1(vc):
                self._vc_1_1(vc)
                return
            self.errors.append(
                f"@context must be an ordered list whose first item is {CREDENTIALS_V2}"
            )
        else:
            self.require(
                all(isinstance(item, str | Mapping) for item in contexts[1:]),
                "@context items after the first must be URLs or objects",
            )
        if "id" in vc:
            self.require(_is_uri(vc["id"]), "id must be a single URL")
        self.require("VerifiableCredential" in _types(vc), "type must include VerifiableCredential")
        self.require(
            all(isinstance(t, str) and t for t in _as_list(vc.get("type"))),
            "type values must be non-empty strings",
        )
        for key in ("name", "description"):
            if key in vc:
                self.require(_is_text(vc[key]), f"{key} must be a string or language values")
        issuer = vc.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        self.require(_is_uri(issuer_id), "issuer must be a URL or an object whose id is a URL")
        subjects = _as_list(vc.get("credentialSubject"))
        self.require(
            bool(subjects) and all(isinstance(s, Mapping) and s for s in subjects),
            "credentialSubject must be one or more non-empty objects",
        )
        self._validity(vc)
        for key in _TYPED_PROPERTIES:
            for item in _as_list(vc.get(key, [])):
                self.require(isinstance(item, Mapping) and "type" in item, f"{key} needs a type")
        for item in _as_list(vc.get("credentialSchema", [])):
            if isinstance(item, Mapping):
                self.require(_is_uri(item.get("id")), "credentialSchema needs an id URL")
        for item in _as_list(vc.get("relatedResource", [])):
            self.require(
                isinstance(item, Mapping)
                and "id" in item
                and ("digestSRI" in item or "digestMultibase" in item),
                "relatedResource entries need an id and a digestSRI or digestMultibase",
            )
        related = [
            json.dumps(item.get("id"))
            for item in _as_list(vc.get("relatedResource", []))
            if isinstance(item, Mapping)
        ]
        self.require(len(related) == len(set(related)), "relatedResource ids must be unique")
        self.require("proof" in vc, "the record is not secured: it has no proof")

    def _vc_1_1(self, vc: Mapping[str, Any]) -> None:
        """VC Data Model 1.1: the same shape rules, with its own names for the validity period."""
        self.require(
            all(isinstance(item, str | Mapping) for item in vc["@context"][1:]),
            "@context items after the first must be URLs or objects",
        )
        if "id" in vc:
            self.require(_is_uri(vc["id"]), "id must be a single URL")
        self.require("VerifiableCredential" in _types(vc), "type must include VerifiableCredential")
        issuer = vc.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        self.require(_is_uri(issuer_id), "issuer must be a URL or an object whose id is a URL")
        subjects = _as_list(vc.get("credentialSubject"))
        self.require(
            bool(subjects) and all(isinstance(s, Mapping) and s for s in subjects),
            "credentialSubject must be one or more non-empty objects",
        )
        self.require("issuanceDate" in vc, "a VC 1.1 credential needs issuanceDate")
        for key in ("issuanceDate", "expirationDate"):
            if key in vc:
                try:
                    parse_timestamp(vc[key])
                except ValueError as error:
                    self.errors.append(f"{key}: {error}")
        for key in _TYPED_PROPERTIES:
            for item in _as_list(vc.get(key, [])):
                self.require(isinstance(item, Mapping) and "type" in item, f"{key} needs a type")
        self.require("proof" in vc, "the record is not secured: it has no proof")

    def _validity(self, vc: Mapping[str, Any]) -> None:
        moments = {}
        for key in ("validFrom", "validUntil"):
            if key in vc:
                try:
                    moments[key] = parse_timestamp(vc[key])
                except ValueError as error:
                    self.errors.append(f"{key}: {error}")
        if len(moments) == 2:
            self.require(
                moments["validFrom"] <= moments["validUntil"], "validFrom is after validUntil"
            )

    def issuer_profile(self, vc: Mapping[str, Any], prefix: str = "") -> None:
        issuer = vc.get("issuer")
        if isinstance(issuer, Mapping):
            self.require("Profile" in _types(issuer), f"{prefix}issuer must be a Profile")
        else:
            self.warnings.append(f"{prefix}issuer is a bare URL; wallets show issuer.name")

    def achievement_credential(self, vc: Mapping[str, Any], prefix: str = "") -> None:
        self.require(
            _second_context_matches(vc, _OB_CONTEXT),
            f"{prefix}the second @context must be the Open Badges 3.0 context",
        )
        self.require(_is_uri(vc.get("id")), f"{prefix}an Open Badges credential needs an id URI")
        self.require(
            "validFrom" in vc or (is_vc_1_1(vc) and "issuanceDate" in vc),
            f"{prefix}an Open Badges credential needs validFrom",
        )
        self.issuer_profile(vc, prefix)
        subject = vc.get("credentialSubject")
        if not isinstance(subject, Mapping) or "AchievementSubject" not in _types(subject):
            self.errors.append(f"{prefix}credentialSubject must be one AchievementSubject")
            return
        self._identity(subject, prefix)
        if "creditsEarned" in subject:
            self.require(_is_number(subject["creditsEarned"]), f"{prefix}creditsEarned: a number")
        achievement = subject.get("achievement")
        if not isinstance(achievement, Mapping):
            self.errors.append(f"{prefix}credentialSubject needs an achievement")
            return
        self._achievement(achievement, prefix)
        described = {
            d["id"]
            for d in _as_list(achievement.get("resultDescription", []))
            if isinstance(d, Mapping) and isinstance(d.get("id"), str)
        }
        for result in _as_list(subject.get("result", [])):
            if not self.require(
                isinstance(result, Mapping) and "Result" in _types(result),
                f"{prefix}each result must be a Result",
            ):
                continue
            link = result.get("resultDescription")
            if link is not None:
                self.require(
                    isinstance(link, str) and link in described,
                    f"{prefix}result refers to an unknown resultDescription",
                )
        status = vc.get("credentialStatus")
        for entry in _as_list(status) if status is not None else []:
            self.require(
                isinstance(entry, Mapping) and _is_uri(entry.get("id")),
                f"{prefix}credentialStatus needs an id URI (Open Badges 3.0)",
            )

    def _identity(self, subject: Mapping[str, Any], prefix: str) -> None:
        identifiers = _as_list(subject.get("identifier", []))
        if "id" in subject:
            self.require(_is_uri(subject["id"]), f"{prefix}credentialSubject.id must be a URI")
        elif self.require(
            bool(identifiers), f"{prefix}credentialSubject needs an id or identifier"
        ):
            for identity in identifiers:
                self.require(
                    isinstance(identity, Mapping)
                    and "IdentityObject" in _types(identity)
                    and isinstance(identity.get("identityHash"), str)
                    and isinstance(identity.get("identityType"), str)
                    and isinstance(identity.get("hashed"), bool),
                    f"{prefix}identifier must be IdentityObjects "
                    "(identityHash, identityType, hashed)",
                )

    def _achievement(self, achievement: Mapping[str, Any], prefix: str) -> None:
        self.require(_is_uri(achievement.get("id")), f"{prefix}achievement needs an id URI")
        self.require("Achievement" in _types(achievement), f"{prefix}achievement type: Achievement")
        for key in ("name", "description"):
            self.require(_is_text(achievement.get(key)), f"{prefix}achievement needs a {key}")
        criteria = achievement.get("criteria")
        self.require(
            isinstance(criteria, Mapping) and ("id" in criteria or "narrative" in criteria),
            f"{prefix}achievement needs criteria (an id or a narrative)",
        )
        if "creditsAvailable" in achievement:
            self.require(
                _is_number(achievement["creditsAvailable"]),
                f"{prefix}creditsAvailable must be a number",
            )
        for description in _as_list(achievement.get("resultDescription", [])):
            self.require(
                isinstance(description, Mapping)
                and _is_uri(description.get("id"))
                and "ResultDescription" in _types(description)
                and isinstance(description.get("name"), str)
                and isinstance(description.get("resultType"), str),
                f"{prefix}resultDescription needs an id, type, name and resultType",
            )
        for alignment in _as_list(achievement.get("alignment", [])):
            self.require(
                isinstance(alignment, Mapping)
                and "Alignment" in _types(alignment)
                and isinstance(alignment.get("targetName"), str)
                and _is_uri(alignment.get("targetUrl")),
                f"{prefix}alignment needs a type, targetName and targetUrl",
            )

    def clr_credential(self, vc: Mapping[str, Any]) -> None:
        self.require(
            _second_context_matches(vc, _CLR_CONTEXT),
            "the second @context must be the CLR 2.0 context",
        )
        self.require(_is_uri(vc.get("id")), "a CLR credential needs an id URI")
        self.require("validFrom" in vc, "a CLR credential needs validFrom")
        self.require(_is_text(vc.get("name")), "a CLR credential needs a name")
        self.issuer_profile(vc)
        subject = vc.get("credentialSubject")
        if not isinstance(subject, Mapping) or "ClrSubject" not in _types(subject):
            self.errors.append("credentialSubject must be one ClrSubject")
            return
        self._identity(subject, "")
        embedded = subject.get("verifiableCredential")
        if not isinstance(embedded, list) or not embedded:
            self.errors.append("a ClrSubject embeds at least one verifiableCredential")
            return
        for index, credential in enumerate(embedded):
            prefix = f"verifiableCredential[{index}]: "
            if not self.require(isinstance(credential, Mapping), f"{prefix}not an object"):
                continue
            inner = _Rules()
            inner.verifiable_credential(credential)
            if ACHIEVEMENT_TYPES & set(_types(credential)):
                inner.achievement_credential(credential)
            self.errors.extend(prefix + message for message in inner.errors)
            self.warnings.extend(prefix + message for message in inner.warnings)

    def status_list_credential(self, vc: Mapping[str, Any]) -> None:
        subject = vc.get("credentialSubject")
        self.require(
            isinstance(subject, Mapping)
            and subject.get("type") == "BitstringStatusList"
            and isinstance(subject.get("encodedList"), str)
            and isinstance(subject.get("statusPurpose"), str),
            "a status list credential's subject is a BitstringStatusList "
            "with statusPurpose and encodedList",
        )


def is_vc_1_1(credential: Any) -> bool:
    """Whether a record follows VC Data Model 1.1 (its first @context is the 2018 one)."""
    contexts = credential.get("@context") if isinstance(credential, Mapping) else None
    return isinstance(contexts, list) and bool(contexts) and contexts[0] == CREDENTIALS_V1


def _second_context_matches(vc: Mapping[str, Any], pattern: re.Pattern[str]) -> bool:
    contexts = vc.get("@context")
    return (
        isinstance(contexts, list)
        and len(contexts) >= 2
        and isinstance(contexts[1], str)
        and bool(pattern.match(contexts[1]))
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_structure(credential: Any) -> Structure:
    """The structural errors and warnings of a credential (OB, CLR or status list)."""
    if not isinstance(credential, Mapping):
        return Structure(("a credential must be a JSON object",), ())
    rules = _Rules()
    rules.verifiable_credential(credential)
    types = set(_types(credential))
    if "ClrCredential" in types:
        rules.clr_credential(credential)
    elif ACHIEVEMENT_TYPES & types:
        rules.achievement_credential(credential)
    elif "BitstringStatusListCredential" in types:
        rules.status_list_credential(credential)
    else:
        rules.warnings.append("neither an Open Badges nor a CLR credential")
    return Structure(tuple(rules.errors), tuple(rules.warnings))
