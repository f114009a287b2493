"""How much `demo scale --pupils N` generates: every other size follows from N, so a small N
gives the same shapes (a big course, a long queue) at a scale a test builds in seconds."""

from __future__ import annotations

from dataclasses import dataclass

CLASS_SIZE = 35
CLASSES_PER_SCHOOL = 12
# The measured data set: a course of 20,000 learners and a queue of 5,000 pending
# records among 100,000 pupils; smaller runs keep the proportions.
BIG_COURSE_LEARNERS = 20_000
QUEUE_ITEMS = 5_000
# Completions get real signed records at the end of the command, on every core: a few per
# hundred pupils keeps that to seconds.
RECORDS = 1_000


@dataclass(frozen=True)
class Sizes:
    pupils: int
    classes: int
    schools: int
    big_course_learners: int
    queue_items: int
    completions: int

    @property
    def teachers(self) -> int:
        """One homeroom teacher per class."""
        return self.classes


def sizes_for(pupils: int, completions: int | None = None) -> Sizes:
    """The sizes for `pupils` pupils (at least 1); `completions` overrides the records' cap."""
    if pupils < 1:
        raise ValueError("pupils must be at least 1")
    classes = -(-pupils // CLASS_SIZE)
    return Sizes(
        pupils=pupils,
        classes=classes,
        schools=-(-classes // CLASSES_PER_SCHOOL),
        big_course_learners=min(BIG_COURSE_LEARNERS, max(1, pupils // 5)),
        queue_items=min(QUEUE_ITEMS, max(1, pupils // 20)),
        completions=min(RECORDS, max(1, pupils // 100)) if completions is None else completions,
    )
