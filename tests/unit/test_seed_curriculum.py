"""The K-12 seed courses follow the 2018 general education programme (GDPT 2018) of their grade.

Textbook order, the programme's treatment of a topic, section names as in the textbooks, and no
claim to cover more of the programme than the course does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mooc.authoring.core.package_format import CoursePackage, load_course, load_tree

CONTENT = Path(__file__).resolve().parents[2] / "content"
ROMAN_CHAPTER = re.compile(r"^Chương [IVX]+\. \S")
PRIMARY_SECTION = re.compile(r"^(Chủ đề|Bài) \d+\. \S")


def course(slug: str) -> CoursePackage:
    return load_course(CONTENT / slug)


def lecture_order(package: CoursePackage) -> list[str]:
    return [ref.slug for s in package.sections for ref in s.items if ref.kind == "lecture"]


def k12_courses() -> list[CoursePackage]:
    return [c for c in load_tree(CONTENT).courses if c.level == "k12" and c.language == "vi"]


def test_toan_6_follows_the_textbook_order() -> None:
    order = lecture_order(course("toan-lop-6"))
    # Order of operations needs powers; fractions a/b are built on integers.
    assert order.index("luy-thua") < order.index("thu-tu-thuc-hien-phep-tinh")
    assert order.index("uoc-boi-so-nguyen-to") < order.index("so-nguyen") < order.index("phan-so")
    assert [s.title for s in course("toan-lop-6").sections] == [
        "Chương I. Tập hợp các số tự nhiên",
        "Chương II. Tính chia hết trong tập hợp các số tự nhiên",
        "Chương III. Số nguyên",
        "Chương VI. Phân số",
    ]


def test_toan_6_natural_numbers_lecture_does_not_use_powers_before_they_are_taught() -> None:
    source = course("toan-lop-6").lectures["so-tu-nhien-va-phep-tinh"].source
    assert "^2" not in source
    assert "Thứ tự thực hiện" not in source.split("## Tóm tắt")[0]


def test_vat_li_10_is_built_on_displacement_and_the_d_t_graph() -> None:
    package = course("vat-ly-lop-10")
    text = "\n".join(lec.source for lec in package.lectures.values()) + "\n".join(package.outcomes)
    assert "đồ thị độ dịch chuyển – thời gian" in text.lower()
    assert "v^2 - v_0^2 = 2 a d" in text
    assert "d = v_0 t + \\frac{1}{2} a t^2" in text
    # The 2006 treatment: position–time graph x(t) and equations of motion in x.
    for old in ("x = x_0", "x(t)", "toạ độ – thời gian", "2as", "2 a s"):
        assert old not in text, old


def test_k12_sections_are_named_as_in_the_textbooks() -> None:
    for package in k12_courses():
        pattern = PRIMARY_SECTION if (package.grade or 0) <= 5 else ROMAN_CHAPTER
        for section in package.sections:
            assert pattern.match(section.title), (package.slug, section.title)


@pytest.mark.parametrize("slug", ["toan-lop-6", "vat-ly-lop-10", "tieng-viet-lop-1"])
def test_k12_descriptions_claim_only_what_the_course_covers(slug: str) -> None:
    description = " ".join(course(slug).description.split())
    assert "bám sát" not in description
    assert "Chương trình giáo dục phổ thông 2018" in description
    assert "một phần" in description
