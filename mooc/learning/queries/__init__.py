"""A learner's course, read: its lectures in order and a lecture's place (`lectures`), what a page
reads of its course and reader in one statement (`visits`), enrolments and completions
(`enrolments`), quiz standings and the completion status (`standings`). Reads only; writes are in
`mooc.learning.services`. The names below are the feature's public surface."""

from mooc.learning.queries.enrolments import (
    completion,
    enrolment,
    is_enrolled,
)
from mooc.learning.queries.lectures import (
    LecturePlace,
    done_lecture_ids,
    lecture_place,
    ordered_lectures,
    studied_retired_lecture,
)
from mooc.learning.queries.standings import (
    course_status,
    course_status_and_done,
    course_statuses,
    quiz_standings,
    scorm_standings,
)
from mooc.learning.queries.visits import (
    NOT_ENROLLED,
    CourseFacts,
    CourseVisit,
    LectureReading,
    LectureVisit,
    QuizVisit,
    course_visit,
    lecture_reading,
    lecture_visit,
    quiz_visit,
)

__all__ = [
    "NOT_ENROLLED",
    "CourseFacts",
    "CourseVisit",
    "LecturePlace",
    "LectureReading",
    "LectureVisit",
    "QuizVisit",
    "completion",
    "course_status",
    "course_status_and_done",
    "course_statuses",
    "course_visit",
    "done_lecture_ids",
    "enrolment",
    "is_enrolled",
    "lecture_place",
    "lecture_reading",
    "lecture_visit",
    "ordered_lectures",
    "quiz_standings",
    "quiz_visit",
    "scorm_standings",
    "studied_retired_lecture",
]
