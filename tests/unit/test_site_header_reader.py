"""The header kept for everyone alike is keyed by every fact of its reader but the name: a fact
added to `HeaderReader` and left out of `facts()` would serve one reader's menus to another."""

from __future__ import annotations

from dataclasses import fields, replace

from mooc.web.site_header import HeaderReader

READER = HeaderReader(
    name="Lan", unread=3, teaching=True, recognition=False, school=True, admin=False
)


def test_facts_are_every_field_but_the_name() -> None:
    others = [f.name for f in fields(HeaderReader) if f.name != "name"]
    assert READER.facts() == tuple(getattr(READER, name) for name in others)


def _changed(reader: HeaderReader, name: str) -> HeaderReader:
    value = getattr(reader, name)
    if isinstance(value, bool):
        return replace(reader, **{name: not value})
    if isinstance(value, int):
        return replace(reader, **{name: value + 1})
    return replace(reader, **{name: f"{value} (changed)"})


def test_readers_differing_in_any_fact_but_the_name_have_different_keys() -> None:
    for field in fields(HeaderReader):
        same_key = _changed(READER, field.name).facts() == READER.facts()
        assert same_key == (field.name == "name"), field.name
