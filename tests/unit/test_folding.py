"""Diacritic folding: the key of Vietnamese search."""

import unicodedata

from mooc.folding import fold, fold_terms, tone_canonical


def test_fold_strips_vietnamese_diacritics_and_case() -> None:
    assert fold("Toán lớp 6") == "toan lop 6"
    assert fold("  TIẾNG   Việt ") == "tieng viet"


def test_fold_maps_d_with_stroke() -> None:
    assert fold("Đà Nẵng đẹp") == "da nang dep"


def test_fold_terms_drops_punctuation() -> None:
    assert fold_terms("Vật lý, lớp-10!") == ["vat", "ly", "lop", "10"]


def test_tone_canonical_joins_old_and_new_tone_placement() -> None:
    # The 2018 textbooks put the mark on the main vowel ("hòa"); many teachers type "hoà".
    for old, new in [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoá học", "Hóa học")]:
        assert old != new
        assert tone_canonical(old) == tone_canonical(new)


def test_tone_canonical_keeps_the_marks_themselves() -> None:
    keys = {tone_canonical(word) for word in ("hoa", "hoà", "hoá", "hoả", "hoã", "hoạ")}
    assert len(keys) == 6
    # Vowel letters with their own marks stay apart: ơ, ô, o.
    assert len({tone_canonical(word) for word in ("mơ", "mô", "mo")}) == 3
    # Marks never travel across a consonant to another vowel.
    assert tone_canonical("bàn an") != tone_canonical("ban àn")


def test_tone_canonical_reads_combining_marks_like_precomposed_letters() -> None:
    typed = unicodedata.normalize("NFD", "người Việt")
    assert tone_canonical(typed) == tone_canonical("người Việt")
    assert tone_canonical("người Việt") == unicodedata.normalize("NFC", tone_canonical(typed))
