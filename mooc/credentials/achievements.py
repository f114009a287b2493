"""What a completed course states in its record: the course as an OB 3.0 Achievement (level,
credits in tín chỉ, workload, learning outcomes, grade scale) and the learner's result.

The learner is named only by a salted hash of the email, so no name or email appears in clear
(pupils included).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from mooc.accounts.models import User
from mooc.assessment.core.scales import BANDS, PASSING_LETTER, scaled_grade, ten_point
from mooc.catalog.models import Course, Level
from mooc.credentials.core.identity import hashed_recipient, new_salt, person_identities
from mooc.credentials.core.records import (
    K12_FRAMEWORK,
    Alignment,
    CourseAchievement,
    CourseCompletion,
    CreditUnit,
    EducationLevel,
    EquivalentResult,
    GradeScale,
    IssuerProfile,
    ScaleLevel,
)
from mooc.credentials.core.status_list import StatusListEntry
from mooc.learning.models import Completion

UNIVERSITY_LEVEL = EducationLevel(
    stage="university",
    name="Bachelor level (EQF level 6)",
    url="http://data.europa.eu/snb/eqf/6",
    framework="European Qualifications Framework",
    code="6",
)
_MARKUP = re.compile(r"[*_`#>]+")


def tin_chi(base_url: str) -> CreditUnit:
    """The Vietnamese credit: 50 hours of a learner's standard study (Circular 08/2021)."""
    return CreditUnit(
        name="tín chỉ",
        url=f"{base_url}/credit-units/tin-chi",
        framework="Vietnamese higher-education credit, Circular 08/2021/TT-BGDĐT",
        hours_per_credit=50,
    )


TT08 = "Circular 08/2021/TT-BGDĐT, Article 10"


def _letter_level_id(identifier: str, letter: str) -> str:
    return f"{identifier}#letter-grade-{letter.replace('+', '-plus')}"


def equivalent_scales(
    identifier: str, *, university: bool, pass_mark: int
) -> tuple[GradeScale, ...]:
    """The 10-point scale, and at university the TT08 letter and 4-point scales."""
    ten = GradeScale(
        id=f"{identifier}#grade-10",
        name="Grade on the 10-point scale (0–10)",
        result_type="ScaledScore",
        value_min="0",
        value_max="10",
        required_value=str(ten_point(pass_mark)),
    )
    if not university:
        return (ten,)
    letters = GradeScale(
        id=f"{identifier}#letter-grade",
        name=f"Letter grade ({TT08})",
        result_type="LetterGrade",
        allowed_values=tuple(band.letter for band in BANDS),
        levels=tuple(
            ScaleLevel(
                id=_letter_level_id(identifier, band.letter),
                name=band.letter,
                description=f"{band.low}–{band.high} on the 10-point scale",
                points=str(band.points),
            )
            for band in BANDS
        ),
        required_level=_letter_level_id(identifier, PASSING_LETTER),
    )
    four = GradeScale(
        id=f"{identifier}#grade-4",
        name=f"Grade on the 4-point scale ({TT08})",
        result_type="GradePointAverage",
        value_min="0",
        value_max="4",
        required_value="1.0",
    )
    return (ten, letters, four)


def equivalent_results(
    identifier: str, *, university: bool, grade: float
) -> tuple[EquivalentResult, ...]:
    """The final grade (0–100) on each of `equivalent_scales`."""
    scaled = scaled_grade(grade, university=university)
    results = [EquivalentResult(f"{identifier}#grade-10", str(scaled.ten))]
    if scaled.band is not None:
        results.append(EquivalentResult(f"{identifier}#letter-grade", scaled.band.letter))
        results.append(EquivalentResult(f"{identifier}#grade-4", str(scaled.band.points)))
    return tuple(results)


def achievement_id(base_url: str, course: Course) -> str:
    return f"{base_url}/courses/{course.slug}/achievement"


def _summary(course: Course) -> str:
    """The first paragraph of the course description, as plain text."""
    for paragraph in course.description.split("\n\n"):
        text = " ".join(_MARKUP.sub("", paragraph).split())
        if text:
            return text[:600]
    return course.title


def _level(base_url: str, course: Course) -> EducationLevel:
    if course.level == Level.UNIVERSITY:
        return UNIVERSITY_LEVEL
    return EducationLevel(
        stage="k12",
        name=f"Grade {course.grade}",
        url=f"{base_url}/courses?level=k12&grade={course.grade}",
        framework=K12_FRAMEWORK,
        code=str(course.grade),
    )


def course_achievement(base_url: str, course: Course, completion: Completion) -> CourseAchievement:
    """The course as it was promised when the learner completed it (pass mark, credits, hours
    copied onto the completion)."""
    identifier = achievement_id(base_url, course)
    framework = f"{course.code or course.title} learning outcomes"
    outcomes = tuple(
        Alignment(
            target_name=outcome,
            target_url=f"{base_url}/courses/{course.slug}#outcome-{number}",
            target_framework=framework,
            target_code=f"LO{number}",
        )
        for number, outcome in enumerate(course.outcomes or [], start=1)
    )
    credits = float(completion.credits) if completion.credits is not None else None
    hours = float(completion.workload_hours) if completion.workload_hours is not None else None
    return CourseAchievement(
        id=identifier,
        name=course.title,
        description=_summary(course),
        criteria=(
            "Study every required lecture and pass the required quizzes, with a final grade "
            f"of at least {completion.pass_mark} out of 100."
        ),
        criteria_url=f"{base_url}/courses/{course.slug}",
        level=_level(base_url, course),
        grade_scale=GradeScale(
            id=f"{identifier}#final-grade",
            name="Final grade (0–100)",
            result_type="ScaledScore",
            value_min="0",
            value_max="100",
            required_value=str(completion.pass_mark),
        ),
        equivalent_scales=equivalent_scales(
            identifier, university=course.level == Level.UNIVERSITY, pass_mark=completion.pass_mark
        ),
        credits_available=credits,
        credit_unit=tin_chi(base_url) if credits is not None else None,
        workload_hours=hours,
        field_of_study=course.subject,
        human_code=course.code,
        language=course.language,
        learning_outcomes=outcomes,
    )


def grade_text(grade: float) -> str:
    rounded = round(grade, 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def completion_record(
    *,
    base_url: str,
    completion: Completion,
    course: Course,
    user: User,
    issuer: IssuerProfile,
    status: StatusListEntry,
    started_at: dt.datetime | None,
    issued_at: dt.datetime,
    credential_uuid: str | None = None,
    student_number: str | None = None,
) -> CourseCompletion:
    """Everything the record of one completion states (still unsigned). A university course's
    record names its holder in clear (name, student number when known); a school course's
    only as salted hashes."""
    achievement = course_achievement(base_url, course, completion)
    salt = new_salt()
    return CourseCompletion(
        credential_id=f"urn:uuid:{credential_uuid or uuid.uuid4()}",
        issuer=issuer,
        achievement=achievement,
        recipient=hashed_recipient(user.email, user.username, salt),
        holder=person_identities(
            user.name, student_number, in_clear=course.level == Level.UNIVERSITY, salt=salt
        ),
        grade=grade_text(completion.final_grade),
        completed_at=completion.completed_at,
        valid_from=issued_at,
        credits_earned=achievement.credits_available,
        started_at=started_at if started_at and started_at <= completion.completed_at else None,
        status=status,
        equivalent_results=equivalent_results(
            achievement.id,
            university=course.level == Level.UNIVERSITY,
            grade=completion.final_grade,
        ),
    )
