"""The folded line people search matches, and the words a query is split into."""

from __future__ import annotations

from mooc.accounts.core.search_text import person_search_terms, person_search_text


def test_the_line_folds_the_name_and_keeps_username_and_email() -> None:
    line = person_search_text("Nguyễn  Văn Đức", "duc.nguyen.6a1", "Duc@Example.test")
    assert line == "nguyen van duc duc.nguyen.6a1 duc@example.test"


def test_missing_parts_leave_no_gap() -> None:
    assert person_search_text("Lê Thị Lan", None, None) == "le thi lan"
    assert person_search_text(None, "lan.le", "") == "lan.le"


def test_query_words_split_at_white_space_only() -> None:
    assert person_search_terms("  Nguyễn   an.nguyen.6a1 a_b@x.vn 50% ") == [
        "nguyen",
        "an.nguyen.6a1",
        "a_b@x.vn",
        "50%",
    ]
    assert person_search_terms("") == []
    assert len(person_search_terms(" ".join("abcdefghijklmnop"))) == 10
