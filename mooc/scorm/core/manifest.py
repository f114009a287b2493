"""Reading `imsmanifest.xml`: the SCORM version, the title and the launchable SCOs in order,
with the little of IMS Simple Sequencing the player honours (see `Sco`).

Parsed with defusedxml (no entities, no external references, no network); elements are matched
by local name so the several namespace editions of IMS CP and ADL CP read alike.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mooc.scorm.core.reasons import Refused

MANIFEST = "imsmanifest.xml"
VERSIONS = ("1.2", "2004")
MAX_SCOS = 500


class ManifestError(Refused):
    """The manifest cannot be used; its code and parameters say why, for the teacher."""


@dataclass(frozen=True)
class Sco:
    identifier: str  # the item's identifier: where the learner's state is kept
    title: str
    href: str  # path inside the package, with the item's parameters, if any
    # The controlMode of the SCO's parent cluster (IMS SS), which governs moving among its
    # children. IMS's default flow is false; a package that says nothing gets flow here, as
    # every LMS's "next" button gives it, and only a written flow="false" turns it off.
    flow: bool = True
    choice: bool = True
    forward_only: bool = False
    # Whether the SCO counts when the lesson rolls up: false when its sequencing says it is not
    # tracked, or that it rolls up neither satisfaction nor completion.
    counted: bool = True

    def as_json(self) -> dict[str, Any]:
        """The SCO as kept on the package row."""
        return {
            "identifier": self.identifier,
            "title": self.title[:200],
            "href": self.href,
            "flow": self.flow,
            "choice": self.choice,
            "forward_only": self.forward_only,
            "counted": self.counted,
        }

    @property
    def path(self) -> str:
        """The launch file inside the package (no query, no fragment, percent-decoded)."""
        return unquote(urlsplit(self.href).path)


@dataclass(frozen=True)
class Manifest:
    version: str  # "1.2" | "2004"
    edition: str  # the schemaversion as written ("1.2", "CAM 1.3", "2004 4th Edition", …)
    title: str
    scos: tuple[Sco, ...]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _first(element: Element, name: str) -> Element | None:
    return next(_children(element, name), None)


def _attr(element: Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (`adlcp:scormtype`, `scormType`)."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value.strip()
    return ""


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _version(root: Element) -> tuple[str, str]:
    metadata = _first(root, "metadata")
    edition = _text(_first(metadata, "schemaversion")) if metadata is not None else ""
    if edition == "1.2":
        return "1.2", edition
    if edition:
        return "2004", edition
    # No schemaversion: the ADL CP namespace tells the edition apart.
    namespaces = " ".join(el.tag for el in root.iter()) + " ".join(
        key for el in root.iter() for key in el.attrib
    )
    if "adlcp_v1p3" in namespaces or "imscp_v1p1" in namespaces:
        return "2004", ""
    return "1.2", ""


def _resources(root: Element) -> dict[str, tuple[str, bool]]:
    """Each resource's launch href (joined to its xml:base) and whether it is a SCO."""
    found: dict[str, tuple[str, bool]] = {}
    holder = _first(root, "resources")
    if holder is None:
        return found
    base = _attr(holder, "base")
    for resource in _children(holder, "resource"):
        identifier = _attr(resource, "identifier")
        href = _attr(resource, "href")
        if not identifier or not href:
            continue
        joined = posixpath.join(base, _attr(resource, "base"), href)
        found[identifier] = (joined, _attr(resource, "scormtype").lower() == "sco")
    return found


def _items(element: Element) -> Iterator[tuple[Element, Element]]:
    """Every item in manifest order, with its parent (the organization or a cluster item)."""
    for item in _children(element, "item"):
        yield item, element
        yield from _items(item)


def _flag(element: Element | None, name: str, default: bool) -> bool:
    value = _attr(element, name).lower() if element is not None else ""
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    return default


def _sequencing(element: Element, name: str) -> Element | None:
    """`imsss:sequencing/imsss:<name>` of an item or organization (an `IDRef` to a
    sequencingCollection is not followed)."""
    sequencing = _first(element, "sequencing")
    return _first(sequencing, name) if sequencing is not None else None


def _counted(item: Element) -> bool:
    delivery = _sequencing(item, "deliveryControls")
    rollup = _sequencing(item, "rollupRules")
    if not _flag(delivery, "tracked", True):
        return False
    return _flag(rollup, "rollupObjectiveSatisfied", True) or _flag(
        rollup, "rollupProgressCompletion", True
    )


def _organization(root: Element) -> Element | None:
    holder = _first(root, "organizations")
    if holder is None:
        return None
    wanted = _attr(holder, "default")
    organizations = list(_children(holder, "organization"))
    chosen = [o for o in organizations if _attr(o, "identifier") == wanted]
    found = chosen or organizations
    return found[0] if found else None


def parse_manifest(data: bytes) -> Manifest:
    """The package's version, title and SCOs; raises `ManifestError` saying what is wrong."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ManifestError("manifest-entities") from None
    except ParseError as exc:
        raise ManifestError("manifest-malformed", error=str(exc)[:200]) from None
    if _local(root.tag) != "manifest":
        raise ManifestError("manifest-root")
    version, edition = _version(root)
    resources = _resources(root)
    organization = _organization(root)
    scos: list[Sco] = []
    if organization is not None:
        for item, parent in _items(organization):
            ref = resources.get(_attr(item, "identifierref"))
            if ref is None or not ref[1]:
                continue
            href = ref[0] + _attr(item, "parameters")
            control = _sequencing(parent, "controlMode")
            scos.append(
                Sco(
                    _attr(item, "identifier") or href,
                    _text(_first(item, "title")),
                    href,
                    flow=_flag(control, "flow", True),
                    choice=_flag(control, "choice", True),
                    forward_only=_flag(control, "forwardOnly", False),
                    counted=_counted(item),
                )
            )
    if not scos:  # a package without an organization still launches its SCO resources
        scos = [Sco(ident, ident, href) for ident, (href, sco) in resources.items() if sco]
    if not scos:
        raise ManifestError("manifest-no-sco")
    if len(scos) > MAX_SCOS:
        raise ManifestError("manifest-too-many-scos", count=MAX_SCOS)
    if len({s.identifier for s in scos}) != len(scos):
        raise ManifestError("manifest-duplicate")
    title = _text(_first(organization, "title")) if organization is not None else ""
    return Manifest(version, edition, title or scos[0].title or "SCORM", tuple(scos))
