"""Math written in LaTeX (`$…$`, `$$…$$`) rendered on the server to MathML, with long inline
formulas cut after their relations so a phone's line may break between the pieces."""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert as latex_to_mathml

_ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?:\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])</(?P=tag)>',
    re.DOTALL,
)


# Relations after which a long inline formula may wrap, as printed mathematics does.
_RELATION = re.compile(
    r"(?:=|<|>|\\(?:approx|leq?|geq?|neq?|sim|equiv|Rightarrow|Leftrightarrow|iff)(?![A-Za-z]))"
)
_WRAP_FROM = 40  # characters of LaTeX: shorter inline formulas always fit a phone's line


def inline_pieces(tex: str) -> list[str]:
    """A long inline formula cut after its top-level relations (outside braces, parentheses and
    \\left…\\right), so that each piece is a formula of its own and the line may break between
    them: a chain such as `P(5 < X < 8) = Φ(1) − Φ(−1) = 0,6826` would otherwise be one
    unbreakable box wider than a phone. Short ones and those without such a relation stay whole."""
    if len(tex) < _WRAP_FROM:
        return [tex]
    pieces, start, depth, at = [], 0, 0, 0
    while at < len(tex):
        if tex.startswith("\\left", at) and not tex[at + 5 : at + 6].isalpha():
            depth, at = depth + 1, at + 5
            continue
        if tex.startswith("\\right", at) and not tex[at + 6 : at + 7].isalpha():
            depth, at = depth - 1, at + 6
            continue
        char = tex[at]
        if char == "\\" and tex[at + 1 : at + 2] in "{}":
            at += 2  # an escaped brace is a character, not a group
            continue
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth = max(0, depth - 1)  # a half-open interval [0, 1) must not stop all wrapping
        elif depth == 0 and (relation := _RELATION.match(tex, at)):
            at = relation.end()
            if tex[start:at].strip() and tex[at:].strip():
                pieces.append(tex[start:at])
                start = at
            continue
        at += 1
    pieces.append(tex[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _math_to_mathml(match: re.Match[str]) -> str:
    tex = html.unescape(match.group("tex")).strip()
    block = match.group("tag") == "div"
    try:
        if block:  # a display formula gets its scrolling box from the sanitizer
            return str(latex_to_mathml(tex, display="block"))
        # a zero-width space between the pieces lets the line break there, and only there
        return "\u200b".join(str(latex_to_mathml(piece)) for piece in inline_pieces(tex))
    except Exception:
        source = html.escape(tex)
        return f'<code class="math-error" title="LaTeX">{source}</code>'


def formulas_to_mathml(rendered: str) -> str:
    """Replace the formulas Markdown's arithmatex marked in `rendered` by MathML (a formula that
    is not valid LaTeX stays as its source, in a `code` element)."""
    return _ARITHMATEX.sub(_math_to_mathml, rendered)
