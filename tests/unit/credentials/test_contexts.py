"""The document loader serves bundled contexts only and never touches the network."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest

from mooc.credentials.core.canonical import Canonicalizer
from mooc.credentials.core.contexts import (
    CLR_V2,
    CREDENTIALS_V2,
    OB_V3,
    ContextLoader,
    UnknownContext,
    bundled_loader,
)


def test_bundled_contexts_are_served_parsed_and_cached() -> None:
    loader = bundled_loader()
    answer = loader(OB_V3)
    assert answer["documentUrl"] == OB_V3
    assert "@context" in answer["document"]
    assert loader(OB_V3)["document"] is answer["document"]
    assert {CREDENTIALS_V2, OB_V3, CLR_V2} <= loader.urls


def test_unknown_url_is_refused_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the loader tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(UnknownContext, match=re.escape("https://evil.example/context.json")):
        bundled_loader()("https://evil.example/context.json")


def test_canonicalizing_a_document_with_an_unknown_context_names_the_url() -> None:
    document = {
        "@context": [CREDENTIALS_V2, "https://schema.example/ctx.jsonld"],
        "type": ["VerifiableCredential"],
    }
    with pytest.raises(UnknownContext) as refused:
        Canonicalizer().canonicalize(document)
    assert refused.value.url == "https://schema.example/ctx.jsonld"
    assert "not bundled" in str(refused.value)


def test_extra_documents_cannot_redefine_a_bundled_url() -> None:
    with pytest.raises(ValueError, match="already bundled"):
        bundled_loader().with_documents({CREDENTIALS_V2: {"@context": {}}})
    extended = ContextLoader({}).with_documents({"https://x.example/c": {"@context": {"a": "b"}}})
    assert extended("https://x.example/c")["document"] == {"@context": {"a": "b"}}
