"""K-12 seed content follows the ministry's spelling rules for textbooks.

Quyết định 1989/QĐ-BGDĐT (2018): the tone mark sits on the main vowel of "oa", "oe", "uy" (hoá,
khoẻ, thuỷ — not hóa, khỏe, thủy), and a syllable with an initial h/k/l/m/s/t and no glide is
written with *i* (kí hiệu, lí do, Vật lí, kĩ, mĩ thuật). Proper names keep their own spelling.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from mooc.authoring.core.package_format import load_course

CONTENT = Path(__file__).resolve().parents[2] / "content"
TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".svg", ".vtt"}
# Grave, acute, hook above, tilde, dot below (decomposed).
TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}

_WORD = re.compile(r"\w+")
# The tone on the glide of a closing "oa", "oe", "uy"; after q the u belongs to the initial
# ("quý", "quá" are right).
_TONE_ON_GLIDE = re.compile(r"(?<!q)([òóỏõọ][ae]|[ùúủũụ]y)$")
# h/k/l/m/s/t + y as a whole syllable: "lý", "kỹ", "mỹ", "tỷ", "hy".
_Y_AFTER = re.compile(r"[hklmst][yýỳỷỹỵ]")
_NEXT_WORD = re.compile(r"\s+(\w)")

# Old forms a teacher may still type, and the textbook form (the checker must flag each).
OLD_FORMS = {
    "hóa học": "hoá học",
    "Khóa học": "Khoá học",
    "lũy thừa": "luỹ thừa",
    "tọa độ": "toạ độ",
    "ống thủy tinh": "ống thuỷ tinh",
    "khỏe mạnh": "khoẻ mạnh",
    "tùy ý": "tuỳ ý",
    "thỏa mãn": "thoả mãn",
    "ký hiệu": "kí hiệu",
    "lý do": "lí do",
    "Vật lý": "Vật lí",
    "hợp lý": "hợp lí",
    "kỹ năng": "kĩ năng",
    "mỹ thuật": "mĩ thuật",
    "tỷ lệ": "tỉ lệ",
    "hy vọng": "hi vọng",
    "Lý thuyết": "Lí thuyết",
}
# Right as they are: main vowel already marked, u of "qu", y after a glide or opening a word,
# a final consonant after "oa"/"uy", and personal or place names.
LEGITIMATE = [
    "hoá học", "khoá học", "hoà", "quý", "quá", "quỳ", "thuyền", "hoàn thành", "toán",
    "úa vàng", "mùa", "y tá", "ý kiến", "yêu", "uy tín", "Lý Thường Kiệt", "Mỹ Tho",
    "kí hiệu", "Vật lí", "tia", "mía",
]  # fmt: skip


def _textbook_form(word: str) -> str:
    """`word` with its tone mark on the main vowel, and y after h/k/l/m/s/t written i."""
    letters = unicodedata.normalize("NFD", word)
    tone = "".join(ch for ch in letters if ch in TONE_MARKS)
    bare = "".join(ch for ch in letters if ch not in TONE_MARKS)
    if _Y_AFTER.fullmatch(word.lower()):
        bare = bare[0] + ("I" if bare[1].isupper() else "i")
    # Vowel-quality marks (circumflex, horn) stay; the tone goes after the last letter.
    return unicodedata.normalize("NFC", bare + tone)


def old_spellings(text: str) -> list[tuple[int, str, str]]:
    """(line, old form, textbook form) for every old spelling in `text`."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in _WORD.finditer(line):
            word = match.group(0)
            lower = word.lower()
            if word.isascii() and line[match.end() : match.end() + 1] in ("-", "/"):
                continue  # part of a slug or a path: vat-ly-lop-10
            if _Y_AFTER.fullmatch(lower):
                after = _NEXT_WORD.match(line, match.end())
                if word[0].isupper() and after and after.group(1).isupper():
                    continue  # a name: Lý Thường Kiệt, Mỹ Tho
            elif not _TONE_ON_GLIDE.search(lower):
                continue
            found.append((number, word, _textbook_form(word)))
    return found


def k12_vietnamese_courses() -> list[Path]:
    """Course folders of Vietnamese K-12 courses (English text may say "my")."""
    return [
        course.parent
        for course in sorted(CONTENT.glob("*/course.md"))
        if (package := load_course(course.parent)).level == "k12" and package.language == "vi"
    ]


@pytest.mark.parametrize(("old", "new"), OLD_FORMS.items())
def test_the_checker_flags_each_old_form(old: str, new: str) -> None:
    found = old_spellings(f"Bài học: {old}.")
    assert [(word, fixed) for _line, word, fixed in found] == [
        (o, n) for o, n in zip(old.split(), new.split(), strict=True) if o != n
    ]


def test_the_checker_leaves_legitimate_forms_alone() -> None:
    assert old_spellings("\n".join(f"Ví dụ: {word} và {word}." for word in LEGITIMATE)) == []


def test_k12_content_uses_the_textbook_spelling() -> None:
    courses = k12_vietnamese_courses()
    assert {c.name for c in courses} >= {"tieng-viet-lop-1", "toan-lop-6", "vat-ly-lop-10"}
    problems = [
        f"{path.relative_to(CONTENT)}:{line}: {old} → {new}"
        for course in courses
        for path in sorted(course.rglob("*"))
        if path.suffix in TEXT_SUFFIXES
        for line, old, new in old_spellings(path.read_text(encoding="utf-8"))
    ]
    assert problems == []
