"""How much work a record may ask of the verifier, measured before anything is canonicalized.

JSON-LD expansion and RDF canonicalization compare each value of a list with the values before
it, so their time grows with the square of a list's length: 20,000 `type` entries alone take
minutes. A record is measured in one pass, without recursion, and stops being read at the
first limit it passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Excess = Literal["values", "list", "lists", "depth"]


@dataclass(frozen=True)
class Bounds:
    """Limits far above the records the platform issues (a 60-course transcript has about
    8,000 values, its longest list 60 entries, depth 9). At these limits the slowest record
    found takes about a third of a second to verify."""

    max_values: int = 20_000  # every object, list, string, number … counted once
    max_list: int = 256  # entries of one list
    max_list_work: int = 100_000  # the sum of every list's length squared
    max_depth: int = 32  # objects and lists inside one another


DEFAULT_BOUNDS = Bounds()


@dataclass(frozen=True)
class TooComplex:
    """The first limit a record passes, and where (a JSON path such as ``$.type``)."""

    excess: Excess
    limit: int
    path: str

    @property
    def message(self) -> str:
        if self.excess == "values":
            return f"the record has more than {self.limit:,} values; it was not verified"
        if self.excess == "list":
            return f"the list {self.path} has more than {self.limit:,} entries; not verified"
        if self.excess == "lists":
            return "the record's lists are too long together; it was not verified"
        return f"the record is nested more than {self.limit} levels deep; it was not verified"


def _path(parent: str, key: str | int) -> str:
    return f"{parent}[{key}]" if isinstance(key, int) else f"{parent}.{key}"


def measure(record: Any, bounds: Bounds = DEFAULT_BOUNDS) -> TooComplex | None:
    """The first limit `record` passes, or None when it is within `bounds`."""
    values = 1
    work = 0
    pending: list[tuple[Any, int, str]] = [(record, 0, "$")]
    while pending:
        value, depth, path = pending.pop()
        if isinstance(value, Mapping):
            children: list[tuple[str | int, Any]] = list(value.items())
        elif isinstance(value, list):
            if len(value) > bounds.max_list:
                return TooComplex("list", bounds.max_list, path)
            work += len(value) ** 2
            if work > bounds.max_list_work:
                return TooComplex("lists", bounds.max_list_work, path)
            children = list(enumerate(value))
        else:
            continue
        if children and depth + 1 > bounds.max_depth:
            return TooComplex("depth", bounds.max_depth, path)
        values += len(children)
        if values > bounds.max_values:
            return TooComplex("values", bounds.max_values, path)
        pending.extend((child, depth + 1, _path(path, key)) for key, child in children)
    return None
