"""The Vietnamese catalogue speaks the registrar's and teacher's words (see GLOSSARY.md)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("vi_spelling", ROOT / "scripts" / "vi_spelling.py")
assert spec and spec.loader
vi_spelling = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vi_spelling)


def _catalog(lang: str) -> Catalog:
    with (ROOT / "mooc" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


def _strings(catalog: Catalog) -> list[tuple[str, str]]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        values = [message.string] if isinstance(message.string, str) else list(message.string)
        found.extend((msgid, value) for value in values)
    return found


VI = _strings(_catalog("vi"))

FORBIDDEN = {
    r"\bhồ sơ\b": "a signed record is a chứng nhận",
    r"\bhọc viên\b": "say người học, học sinh or sinh viên",
    r"\bxuất bản\b": "Publish is công bố",
    r"\bchứng chỉ\b": "chứng chỉ is a regulated document",
    r"\bbảng điểm\b": "the learner's transcript is a bảng tổng hợp kết quả học tập",
    r"\bmã khoá học\b": "a course code is a mã học phần",
    r"\bkhoá ký(?! số)": "a signing key is a khoá ký số",
}


@pytest.mark.parametrize("pattern", sorted(FORBIDDEN))
def test_the_vietnamese_catalogue_avoids_misleading_words(pattern: str) -> None:
    offending = [(i, s) for i, s in VI if re.search(pattern, s, re.IGNORECASE)]
    assert not offending, f"{FORBIDDEN[pattern]}: {offending[:5]}"


def test_every_vietnamese_string_uses_the_textbook_spelling() -> None:
    old = [(i, s) for i, s in VI if vi_spelling.new_spelling(s) != s]
    assert not old, old[:5]


def test_every_message_is_translated_into_vietnamese() -> None:
    assert not [i for i, s in VI if not s]


def test_credit_transfer_is_chuyen_doi_and_recognition_cong_nhan() -> None:
    catalog = _catalog("vi")
    assert catalog.get("Credit transfer").string == "Chuyển đổi tín chỉ"
    assert catalog.get("Credit recognition").string == "Công nhận tín chỉ"
    assert catalog.get("Credit conversion").string == "Quy đổi tín chỉ"
    assert catalog.get("Course code").string == "Mã học phần"


def test_one_english_word_with_two_meanings_has_two_contexts() -> None:
    catalog = _catalog("vi")
    link = catalog.get("Withdraw", "share link").string
    request = catalog.get("Withdraw", "transfer request").string
    assert link and request and link != request


def test_no_promise_of_credit_everywhere() -> None:
    en = [i for i, _ in _strings(_catalog("en"))]
    assert not [i for i in en if re.search(r"everywhere|recognised by any", i, re.IGNORECASE)]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hóa học", "hoá học"),
        ("Khóa học", "Khoá học"),
        ("khỏe", "khoẻ"),
        ("thủy", "thuỷ"),
        ("lũy thừa", "luỹ thừa"),
        ("tọa độ", "toạ độ"),
        ("quý", "quý"),
        ("lý do", "lí do"),
        ("Vật lý", "Vật lí"),
        ("kỹ năng", "kĩ năng"),
        ("học kỳ", "học kì"),
        ("chữ ký số", "chữ ký số"),
        ("tuy nhiên", "tuy nhiên"),
        ("My records", "My records"),
    ],
)
def test_the_spelling_rewriter(old: str, new: str) -> None:
    assert vi_spelling.new_spelling(old) == new
    assert vi_spelling.new_spelling(new) == new
