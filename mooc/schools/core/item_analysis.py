"""Item analysis of a quiz a class took: per question, how many answered it, the share who got it
right, the most chosen wrong answer, and how well it separates stronger from weaker pupils.

Discrimination is the upper–lower index: rank the pupils who drew the question by their score on
the whole quiz, take the top and bottom 27 %, and subtract the bottom group's share correct from
the top group's (−1 to 1; 0.3 and above is good, below 0 means weaker pupils did better). With a
question pool only the pupils who drew a question count for it. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GROUP_SHARE = 0.27  # Kelley's 27 % upper and lower groups
MIN_PUPILS = 5  # fewer answers than this make shares and indexes noise: no flags, no index
TOO_EASY = 0.9  # share correct at or above
TOO_HARD = 0.3  # share correct below
WEAK = 0.2  # discrimination below this (and not negative) separates pupils poorly


@dataclass(frozen=True)
class Answer:
    """One pupil's answer to one question they drew. `wrong` names what they chose that is wrong:
    the texts of wrong options picked, or the wrong value typed."""

    correct: bool
    answered: bool
    wrong: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sitting:
    """The attempt of one pupil that the analysis uses: its whole-quiz score (0–100) and its
    answers by question id (only the questions that attempt drew)."""

    score: float
    answers: Mapping[int, Answer]


@dataclass(frozen=True)
class QuestionStats:
    question_id: int
    drew: int  # pupils whose attempt had the question
    answered: int
    correct: int
    top_wrong: str | None
    top_wrong_count: int
    discrimination: float | None  # None with fewer than MIN_PUPILS
    flags: tuple[str, ...]  # "too_easy", "too_hard", "negative", "weak"

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.drew if self.drew else None


def read_answer(
    kind: str, options: Sequence[Mapping[str, Any]], response: Any, *, correct: bool
) -> Answer:
    """A stored response as an `Answer`: wrong choices are named by their option text (so options
    shown in another order still count together), a wrong typed answer by what was typed."""
    if kind in ("single", "multiple"):
        picked = response if isinstance(response, list) else [response]
        indexes = [int(p) for p in picked if str(p).isdigit() and int(p) < len(options)]
        wrong = (
            ()
            if correct
            else tuple(str(options[i]["text"]) for i in indexes if not options[i].get("correct"))
        )
        return Answer(correct=correct, answered=bool(indexes), wrong=wrong)
    text = "" if response is None else str(response).strip()
    return Answer(
        correct=correct, answered=bool(text), wrong=(text,) if text and not correct else ()
    )


def upper_lower_index(results: Sequence[tuple[float, bool]]) -> float | None:
    """The discrimination index of `(whole-quiz score, answered this right)` pairs, rounded to
    two decimals; None for fewer than `MIN_PUPILS`. Ties in score keep their given order."""
    count = len(results)
    if count < MIN_PUPILS:
        return None
    group = max(1, round(GROUP_SHARE * count))
    ranked = sorted(range(count), key=lambda i: (-results[i][0], i))
    upper = sum(1 for i in ranked[:group] if results[i][1])
    lower = sum(1 for i in ranked[-group:] if results[i][1])
    return round((upper - lower) / group, 2)


def _flags(drew: int, correct: int, discrimination: float | None) -> tuple[str, ...]:
    if drew < MIN_PUPILS:
        return ()
    flags = []
    share = correct / drew
    if share >= TOO_EASY:
        flags.append("too_easy")
    elif share < TOO_HARD:
        flags.append("too_hard")
    if discrimination is not None:
        if discrimination < 0:
            flags.append("negative")
        elif discrimination < WEAK and not flags:  # an easy or hard item cannot separate much
            flags.append("weak")
    return tuple(flags)


def analyse(sittings: Sequence[Sitting], question_ids: Sequence[int]) -> list[QuestionStats]:
    """One `QuestionStats` per question id, in the order given."""
    out = []
    for qid in question_ids:
        drawn = [(s.score, s.answers[qid]) for s in sittings if qid in s.answers]
        wrong: Counter[str] = Counter(label for _score, a in drawn for label in a.wrong)
        top = min(wrong.items(), key=lambda item: (-item[1], item[0]), default=None)
        correct = sum(1 for _score, a in drawn if a.correct)
        index = upper_lower_index([(score, a.correct) for score, a in drawn])
        out.append(
            QuestionStats(
                question_id=qid,
                drew=len(drawn),
                answered=sum(1 for _score, a in drawn if a.answered),
                correct=correct,
                top_wrong=top[0] if top else None,
                top_wrong_count=top[1] if top else 0,
                discrimination=index,
                flags=_flags(len(drawn), correct, index),
            )
        )
    return out
