"""The JSON-LD contexts a record may use, served from files bundled with the package.

Verifying a record must not depend on anyone's web server being up (nor leak who verifies what),
so the document loader never touches the network and refuses every URL it does not bundle.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"  # VC 1.1, verified as well
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"  # proof terms for VC 1.1
UNDEFINED_TERMS_V2 = "https://www.w3.org/ns/credentials/undefined-terms/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
# The platform's own terms (beyond OB 3.0 / CLR 2.0), published by every deployment at this path
# of its base URL and bundled here, so that a record names them by URL (as the OB 3.0 JSON Schema
# wants) and still verifies offline. A new term means a new version (v2), never an edit of v1.
MOOC_CONTEXT_V1_PATH = "/contexts/mooc/v1.jsonld"
MOOC_CONTEXT_V1_FILE = "mooc_v1.jsonld"

BUNDLE_DIR = Path(__file__).with_name("contexts")


def mooc_context_url(base_url: str) -> str:
    """Where the deployment at `base_url` publishes the platform's versioned context."""
    return base_url.rstrip("/") + MOOC_CONTEXT_V1_PATH


def is_mooc_context_url(url: str) -> bool:
    """Whether `url` names the platform's v1 context (on any deployment's host).

    Every deployment serves the same bundled document at that path, so the loader answers it
    from the bundle whatever the host: verifying never fetches it.
    """
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and parts.path.endswith(MOOC_CONTEXT_V1_PATH)
        and not parts.query
        and not parts.fragment
    )


def mooc_context_document() -> Any:
    """The platform's v1 context document, as bundled (and served)."""
    return json.loads((BUNDLE_DIR / MOOC_CONTEXT_V1_FILE).read_text(encoding="utf-8"))


class UnknownContext(LookupError):
    """A record names a JSON-LD context (or document) that is not bundled."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not bundled; refusing to fetch it from the network"
        )
        self.url = url


class ContextLoader:
    """A pyld document loader over a fixed set of context documents, parsed once and cached.

    Documents are given as parsed JSON or as paths read on first use. Answers are marked
    "static", pyld's sign that a resolved context may be kept across calls.
    """

    def __init__(self, documents: Mapping[str, Path | Mapping[str, Any]]) -> None:
        self._sources = dict(documents)
        self._parsed: dict[str, Any] = {}
        self._static_ids: set[int] = set()
        self._lock = threading.Lock()

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self._sources)

    def with_documents(self, extra: Mapping[str, Path | Mapping[str, Any]]) -> ContextLoader:
        """A loader serving these documents too (tests add the W3C examples context this way).

        A bundled URL cannot be redefined: one URL always means one document.
        """
        clash = sorted(set(extra) & set(self._sources))
        if clash:
            raise ValueError(f"contexts already bundled: {', '.join(clash)}")
        return ContextLoader({**self._sources, **extra})

    def document(self, url: str) -> Any:
        """The parsed document at `url`, or `UnknownContext`."""
        parsed = self._parsed.get(url)
        if parsed is not None:
            return parsed
        source = self._sources.get(url)
        if source is None and is_mooc_context_url(url):
            source = BUNDLE_DIR / MOOC_CONTEXT_V1_FILE
        if source is None:
            raise UnknownContext(url)
        if isinstance(source, Path):
            parsed = json.loads(source.read_text(encoding="utf-8"))
        else:
            parsed = json.loads(json.dumps(source))  # a private copy nobody else can mutate
        with self._lock:
            if url not in self._parsed:
                self._parsed[url] = parsed
                self._static_ids.update(_object_ids(parsed))
            return self._parsed[url]

    def is_static(self, value: object) -> bool:
        """Whether `value` is (part of) a document this loader serves: kept forever, never
        changed, so its identity can key a cache."""
        return id(value) in self._static_ids

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The pyld `documentLoader` interface."""
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            "tag": "static",
        }


def _object_ids(value: Any) -> list[int]:
    ids = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ids.append(id(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            ids.append(id(item))
            stack.extend(item)
    return ids


def load_bundle(directory: Path = BUNDLE_DIR) -> dict[str, Path]:
    """URL → file for the contexts listed in `directory`/index.json."""
    index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    return {url: directory / name for url, name in index.items()}


@functools.cache
def bundled_loader() -> ContextLoader:
    """The loader over the contexts shipped with this package (one per process)."""
    return ContextLoader(load_bundle())
