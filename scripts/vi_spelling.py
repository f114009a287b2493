"""Rewrite Vietnamese text to the textbook spelling of QĐ 1989/QĐ-BGDĐT (2018).

Two rules, both mechanical: the tone mark sits on the main vowel of the open rhymes
oa, oe, uy (hóa → hoá, khỏe → khoẻ, thủy → thuỷ), and a lone toned *y* after h/k/l/m/s/t is
written *i* (lý → lí, kỹ → kĩ). Used by translators and content authors:
``python scripts/vi_spelling.py FILE...`` rewrites in place and prints what changed.
"""

from __future__ import annotations

import re
import sys
import unicodedata

LETTER = r"[^\W\d_]"
_TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}  # sắc, huyền, hỏi, ngã, nặng


def _retone(m: re.Match[str]) -> str:
    """Move the tone of the first vowel of an open oa/oe/uy onto the second."""
    first, second = m.group(2), m.group(3)
    decomposed = unicodedata.normalize("NFD", first)
    tone = "".join(c for c in decomposed if c in _TONES)
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return m.group(1) + bare + unicodedata.normalize("NFC", second + tone)


# o/u carrying a tone, followed by a/e/y, at the end of a syllable; not after q (quý is fine)
_OLD_TONE = re.compile(
    rf"(^|(?<={LETTER})(?<![qQ])|(?<!{LETTER}))([óòỏõọÓÒỎÕỌúùủũụÚÙỦŨỤ])([aeyAEY])(?!{LETTER})"
)
_Y_TO_I = {"ý": "í", "ỳ": "ì", "ỷ": "ỉ", "ỹ": "ĩ", "ỵ": "ị"}
_OLD_Y = re.compile(rf"(?<!{LETTER})([hklmstHKLMST])([ýỳỷỹỵ])(?!{LETTER})")
# "ký" (to sign: chữ ký số, khoá ký số) is the spelling of the law on electronic transactions,
# which registrars search for; the interface keeps it (docs/glossary.md).
KEEP = frozenset({"ký", "Ký", "KÝ"})


def new_spelling(text: str, *, keep_signing: bool = True) -> str:
    """The same text in the textbook spelling (idempotent)."""
    text = unicodedata.normalize("NFC", text)

    def retone(m: re.Match[str]) -> str:
        o_or_u, follower = m.group(2).lower(), m.group(3).lower()
        base = unicodedata.normalize("NFD", o_or_u)[0]
        if (base == "o" and follower in "ae") or (base == "u" and follower == "y"):
            return _retone(m)
        return m.group(0)

    text = _OLD_TONE.sub(retone, text)
    return _OLD_Y.sub(
        lambda m: (
            m.group(0) if m.group(0) in KEEP and keep_signing else m.group(1) + _Y_TO_I[m.group(2)]
        ),
        text,
    )


def main(paths: list[str]) -> int:
    for path in paths:
        with open(path, encoding="utf-8") as f:
            old = f.read()
        new = "\n".join(
            new_spelling(line) if not line.startswith("msgid") else line for line in old.split("\n")
        )
        if new != old:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"{path}: rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
