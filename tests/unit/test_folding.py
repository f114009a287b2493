"""Diacritic folding: the key of Vietnamese search."""

from mooc.folding import fold, fold_terms


def test_fold_strips_vietnamese_diacritics_and_case() -> None:
    assert fold("Toán lớp 6") == "toan lop 6"
    assert fold("  TIẾNG   Việt ") == "tieng viet"


def test_fold_maps_d_with_stroke() -> None:
    assert fold("Đà Nẵng đẹp") == "da nang dep"


def test_fold_terms_drops_punctuation() -> None:
    assert fold_terms("Vật lý, lớp-10!") == ["vat", "ly", "lop", "10"]
