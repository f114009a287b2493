"""Vietnamese names for generated people: family, middle and given names drawn at random."""

from __future__ import annotations

import random

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE = (
    "Văn",
    "Thị",
    "Minh",
    "Ngọc",
    "Đức",
    "Thu",
    "Hoàng",
    "Gia",
    "Bảo",
    "Khánh",
    "Quốc",
    "Thanh",
)
GIVEN = (
    "An",
    "Anh",
    "Bình",
    "Châu",
    "Cường",
    "Dung",
    "Dũng",
    "Đạt",
    "Giang",
    "Hà",
    "Hải",
    "Hiếu",
    "Hòa",
    "Huy",
    "Hương",
    "Khánh",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "My",
    "Nam",
    "Ngân",
    "Nhi",
    "Phúc",
    "Phương",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tú",
    "Tuấn",
    "Vân",
    "Vy",
)
PLACES = (
    "Ba Đình",
    "Hoàn Kiếm",
    "Cầu Giấy",
    "Hải Châu",
    "Ninh Kiều",
    "Quận 3",
    "Thủ Đức",
    "Hồng Bàng",
    "Lê Chân",
    "Vinh",
    "Huế",
    "Đà Lạt",
    "Buôn Ma Thuột",
    "Hạ Long",
)


def person_name(rng: random.Random) -> str:
    """A full name such as "Nguyễn Thị Lan"."""
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
