"""The pure parts of login cards: one-time passwords and folded usernames."""

from __future__ import annotations

import re

from mooc.accounts.core.one_time_passwords import ALPHABET, one_time_password
from mooc.schools.core.usernames import MAX_LENGTH, make_username, split_name


def test_one_time_passwords_are_three_groups_of_four_without_look_alikes() -> None:
    made = {one_time_password() for _ in range(500)}
    assert len(made) == 500
    for password in made:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
        assert not set(password) & set("0o1li")
    assert set(ALPHABET) == set("".join(made).replace("-", ""))  # every symbol is used
    assert len(ALPHABET) == 31


def test_a_username_folds_given_name_family_name_and_class() -> None:
    never = lambda _name: False  # noqa: E731
    assert make_username("An", "Nguyễn", "6A1", never) == "an.nguyen.6a1"
    assert make_username("Đức", "Đặng", "10 Toán", never) == "duc.dang.10toan"
    assert make_username("Thị Ánh", "Lê-Phạm", "12A", never) == "thianh.lepham.12a"
    assert make_username("", "", "", never) == "hs"
    assert make_username("😀", "", "6A1", never) == "hs.6a1"


def test_a_taken_username_gets_the_next_free_number() -> None:
    taken = {"an.nguyen.6a1", "an.nguyen2.6a1"}
    assert make_username("An", "Nguyễn", "6A1", taken.__contains__) == "an.nguyen3.6a1"


def test_a_username_fits_the_column_even_with_a_number() -> None:
    long = "Nguyễn" * 20
    first = make_username(long, long, "6A1", lambda n: False)
    name = make_username(long, long, "6A1", lambda n: n == first)
    assert len(first) <= MAX_LENGTH and len(name) <= MAX_LENGTH
    assert name.endswith("2.6a1")


def test_a_vietnamese_name_splits_into_given_name_last_and_family_name_first() -> None:
    assert split_name("Nguyễn Văn An") == ("An", "Nguyễn")
    assert split_name("  Bình ") == ("Bình", "")
    assert split_name("") == ("", "")
