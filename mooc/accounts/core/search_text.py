"""What a person is found by in people search: the folded name, the username and the email."""

from __future__ import annotations

from mooc.folding import fold


def person_search_text(name: str | None, username: str | None, email: str | None) -> str:
    """One folded line: "Nguyễn Văn An" is found by "nguyen", "an.nguyen.6a1" or the address.

    The parts are separated by a space and search terms never hold one, so a term cannot match
    across two parts (the end of a name and the start of a username)."""
    return fold(" ".join(part for part in (name, username, email) if part))


def person_search_terms(query: str, limit: int = 10) -> list[str]:
    """The folded words of a people search, each to be found somewhere in a person's line.

    Words split at white space only, so an address or a username ("an.nguyen.6a1") stays whole."""
    return fold(query).split()[:limit]
