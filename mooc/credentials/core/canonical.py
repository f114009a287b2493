"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD records, as the signatures need it.

pyld does the JSON-LD work, with its pitfalls handled here once: the algorithm is named
explicitly (pyld defaults to URGNA2012 and rejects the name 'RDFC-1.0'); relative IRIs are never
resolved against pyld's made-up base; undefined terms and relative types are errors, as in the
"safe mode" of the JavaScript verifiers; literals are escaped as RDFC-1.0 says (pyld leaves
control characters raw); whole-number floats need pyld ≥ 3.3. Contexts come only from the
bundled loader, resolved once per process, and identical inputs (a batch's proof configuration)
are hashed once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any, cast

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

from mooc.credentials.core.contexts import ContextLoader, UnknownContext, bundled_loader

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# RDFC-1.0 canonical N-Quads: ECHAR for \b \t \n \f \r " \\, UCHAR for the other controls.
_NEEDS_ESCAPE = re.compile('[\u0000-\u001f\u007f"\\\\]')
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
# characters pyld would leave raw although RDFC-1.0 escapes them
_PYLD_RAW = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")


class CanonicalizationError(ValueError):
    """A document that cannot be canonicalized (invalid JSON-LD, or too costly to label)."""


class UnsafeDocument(CanonicalizationError):
    """A document whose JSON-LD would silently lose data: a term or type its contexts do not define.

    Signing it would give a record that the JavaScript verifiers reject.
    """


def _escape(value: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: _ECHAR.get(m[0], f"\\u{ord(m[0]):04X}"), value)


def _term(component: Mapping[str, Any], label: str | None = None) -> str:
    if component["type"] == "IRI":
        return f"<{component['value']}>"
    if component["type"] == "blank node":
        return label if label is not None else str(component["value"])
    text = f'"{_escape(component["value"])}"'
    datatype = component.get("datatype")
    if datatype == _RDF_LANGSTRING:
        return f"{text}@{component['language']}" if component.get("language") else text
    return text if datatype in (None, _XSD_STRING) else f"{text}^^<{datatype}>"


def _nquad(quad: Mapping[str, Any], relabel: dict[str, str] | None = None) -> str:
    def term(key: str) -> str:
        component = quad[key]
        label = relabel.get(component["value"]) if relabel is not None else None
        return _term(component, label)

    graph = f" {term('name')}" if "name" in quad else ""
    return f"{term('subject')} {term('predicate')} {term('object')}{graph} .\n"


class _Rdfc10(URDNA2015):
    """pyld's URDNA2015 (= RDFC-1.0) with RDFC-1.0 escaping and a bound on deep labeling work.

    The bound stops a crafted "poison" graph from keeping a verifier busy for hours.
    """

    def __init__(self, max_deep_iterations: int, hash_algorithm: str = "sha256") -> None:
        super().__init__()
        self._budget = max_deep_iterations
        self._hash_algorithm = hash_algorithm

    def create_hash(self) -> Any:
        """RDFC-1.0's hash algorithm: SHA-256 unless a suite names another (P-384: SHA-384)."""
        return hashlib.new(self._hash_algorithm)

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            lines = []
            for quad in info["quads"]:
                relabel = {
                    quad[key]["value"]: "_:a" if quad[key]["value"] == id_ else "_:z"
                    for key in ("subject", "object", "name")
                    if key in quad and quad[key]["type"] == "blank node"
                }
                lines.append(_nquad(quad, relabel))
            lines.sort()
            digest = self.create_hash()
            digest.update("".join(lines).encode("utf-8"))
            info["hash"] = digest.hexdigest()
        return cast(str, info["hash"])

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict[str, Any]:
        self._budget -= 1
        if self._budget < 0:
            raise CanonicalizationError(
                "blank nodes too entangled to label within the work limit (poison graph?)"
            )
        return cast(dict[str, Any], super().hash_n_degree_quads(id_, issuer))

    def canonical_nquads(self, dataset: dict[str, Any]) -> str:
        nquads = cast(str, self.main(dataset, {"format": "application/n-quads"}))
        if not any(
            q["object"]["type"] == "literal" and _PYLD_RAW.search(q["object"]["value"])
            for q in self.quads
        ):
            return nquads
        # main() has relabeled self.quads in place; serialize them again, escaped properly
        return "".join(sorted(_nquad(quad) for quad in self.quads))


def _raise_dropped(term: str | None) -> None:
    raise UnsafeDocument(f"term {term!r} is not defined by the document's @context")


def _is_node_iri(value: str) -> bool:
    return bool(_ABSOLUTE_IRI.match(value)) or value.startswith("_:")


def _check_absolute(node: Any) -> None:
    """Relative @id/@type IRIs are undefined names pyld keeps silently; refuse them."""
    if isinstance(node, list):
        for item in node:
            _check_absolute(item)
        return
    if not isinstance(node, dict):
        return
    types = node.get("@type", [])
    for type_ in types if isinstance(types, list) else [types]:
        if isinstance(type_, str) and type_ != "@json" and not _is_node_iri(type_):
            raise UnsafeDocument(f"type {type_!r} is not defined by the document's @context")
    id_ = node.get("@id")
    if "@value" not in node and isinstance(id_, str) and not _is_node_iri(id_):
        raise UnsafeDocument(f"id {id_!r} is not an absolute IRI")
    for key, value in node.items():
        if key not in ("@id", "@type", "@value", "@language", "@direction", "@index"):
            _check_absolute(value)


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor, minus two repetitions that cost about half the time of a record.

    pyld re-processes a type-scoped context (every OB class has one) for every typed node, as it
    keys its cache on a fresh copy of the active context; here the result is remembered by the
    identity of the (immutable) active context and of the bundled scoped context. And the dataset
    is built straight from the checked expanded form instead of expanding it a second time.
    """

    def __init__(self, loader: ContextLoader, memo: LRUCache[Any, Any]) -> None:
        super().__init__(on_property_dropped=_raise_dropped)
        self._loader = loader
        self._memo = memo

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        def process() -> Any:
            return super(_Processor, self)._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )

        static_url = isinstance(local_ctx, str)
        static = static_url or self._loader.is_static(local_ctx)
        if cycles is not None or not static or not isinstance(active_ctx, frozendict):
            return process()
        local_key = local_ctx if isinstance(local_ctx, str) else id(local_ctx)
        key = (id(active_ctx), local_key, override_protected, propagate, validate_scoped)
        hit = self._memo.get(key)
        # the entry holds both objects, so their ids cannot be reused while it lives
        if hit is not None and hit[0] is active_ctx and (static_url or hit[2] is local_ctx):
            return hit[1]
        result = process()
        if isinstance(result, frozendict):
            self._memo[key] = (active_ctx, result, local_ctx)
        return result

    def dataset(self, expanded: list[Any], options: Mapping[str, Any]) -> dict[str, Any]:
        """The RDF dataset of an expanded document (what `to_rdf` does after expanding)."""
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        options = {**options, "produceGeneralizedRdf": False}
        return {
            name: self._graph_to_rdf(graph, issuer, options)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _is_node_iri(name)
        }


class Canonicalizer:
    """Canonical N-Quads and their SHA-256 hashes, with contexts resolved once per process.

    One lock serializes its work: pyld is pure Python, so threads would not run it in parallel
    anyway, and its caches are then never touched by two threads at once.
    """

    def __init__(
        self, loader: ContextLoader | None = None, *, max_deep_iterations: int = 2000
    ) -> None:
        self.loader = loader or bundled_loader()
        self._max_deep_iterations = max_deep_iterations
        self._contexts: LRUCache[str, Any] = LRUCache(maxsize=512)
        self._processed: LRUCache[Any, Any] = LRUCache(maxsize=2048)
        self._hashes: LRUCache[str, bytes] = LRUCache(maxsize=1024)
        self._lock = threading.RLock()

    def _options(self) -> dict[str, Any]:
        return {
            "documentLoader": self.loader,
            "contextResolver": ContextResolver(self._contexts, self.loader),
            "base": None,
            "processingMode": "json-ld-1.1",
        }

    def _processor(self) -> _Processor:
        return _Processor(self.loader, self._processed)

    def expand(self, document: Mapping[str, Any]) -> list[Any]:
        """The expanded JSON-LD form, refusing undefined terms and types ("safe mode")."""
        with self._lock:
            return self._expand(self._processor(), document)

    def _expand(self, processor: _Processor, document: Mapping[str, Any]) -> list[Any]:
        with _as_canonicalization_errors():
            expanded = cast(list[Any], processor.expand(dict(document), self._options()))
        _check_absolute(expanded)
        return expanded

    def canonicalize(self, document: Mapping[str, Any], hash_algorithm: str = "sha256") -> str:
        """RDFC-1.0 canonical N-Quads of a JSON-LD document, labelling blank nodes with
        `hash_algorithm` ("sha256", RDFC-1.0's default, or "sha384" as ecdsa-rdfc-2019 on P-384).

        Raises `UnknownContext`, `UnsafeDocument` or `CanonicalizationError`, whatever the input.
        """
        with self._lock:
            processor = self._processor()
            expanded = self._expand(processor, document)
            with _as_canonicalization_errors():
                dataset = processor.dataset(expanded, self._options())
                rdfc = _Rdfc10(self._max_deep_iterations, hash_algorithm)
                return rdfc.canonical_nquads(dataset)

    def hash(self, document: Mapping[str, Any]) -> bytes:
        """SHA-256 of the canonical N-Quads."""
        return hashlib.sha256(self.canonicalize(document).encode("utf-8")).digest()

    def hash_reused(self, document: Mapping[str, Any]) -> bytes:
        """`hash`, remembered: for inputs that repeat, such as one batch's proof configuration."""
        key = json.dumps(document, sort_keys=True, ensure_ascii=False)
        with self._lock:
            digest = self._hashes.get(key)
            if digest is None:
                digest = self.hash(document)
                self._hashes[key] = digest
            return digest


@contextlib.contextmanager
def _as_canonicalization_errors() -> Iterator[None]:
    """pyld answers some malformed JSON-LD with TypeError and the like; give one kind of error."""
    try:
        yield
    except (UnknownContext, CanonicalizationError):
        raise
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError) as error:
        raise CanonicalizationError(f"invalid JSON-LD: {error}") from error


def _unwrap(error: BaseException) -> Exception:
    """The cause a person can act on, out of pyld's chain of wrapped errors."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnknownContext | UnsafeDocument | CanonicalizationError):
            return cause
        cause = cause.__cause__
    return CanonicalizationError(f"invalid JSON-LD: {error}")


@functools.cache
def default_canonicalizer() -> Canonicalizer:
    """The process-wide canonicalizer over the bundled contexts."""
    return Canonicalizer()
