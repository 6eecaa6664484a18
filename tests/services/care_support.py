"""Helpers shared by the care tests: a course in its loading series, scores by total, the plan
moved to maintenance, and dosed sessions written directly (the rules under test read them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from ketacare.db.models import SymptomSource, TreatmentCourse, TreatmentSession
from ketacare.domain.plans import SessionOutcome
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import consent, courses, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.symptom_scores import RecordedSymptomScore
from tests.factories.courses import screened_course
from tests.services.session_support import chairs

COURSE_START = date(2026, 3, 3)


def answers(instrument: str, total: int) -> list[int]:
    """Item answers (0–3 each) adding up to `total`."""
    count = {"gad7": 7, "phq9": 9}[instrument]
    items = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    assert len(items) <= count, "total too high for the instrument"
    items += [0] * (count - len(items))
    if instrument == "phq9":  # keep item 9 (self-harm) at 0 unless a test sets it
        items = items[-1:] + items[:-1] if items[-1] == 0 else items
    return items


def score(
    db: Session,
    actor: Actor,
    clock: FixedClock,
    patient_id: int,
    total: int,
    *,
    instrument: str = "gad7",
    taken_at: datetime | None = None,
) -> RecordedSymptomScore:
    return symptom_scores.record_symptom_score(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        instrument=instrument,
        answers=answers(instrument, total),
        source=SymptomSource.CLINIC,
        taken_at=taken_at,
    )


def at(day: date, hour: int = 14) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class Course:
    row: TreatmentCourse
    nurse: Actor
    prescriber: Actor


def course_in_loading(db: Session, cast, clock: FixedClock) -> Course:  # type: ignore[no-untyped-def]
    """Patient A: intake, screening, an IV course starting 3 March with its plan and consent,
    and a GAD-7 of 16 the day before the course (the baseline)."""
    nurse, prescriber = cast.actor(cast.nurse_a), cast.actor(cast.prescriber_a)
    row = screened_course(
        db,
        actor=nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        prescriber_id=cast.prescriber_a.id,
        starts_on=COURSE_START,
    )
    courses.create_plan(session=db, actor=prescriber, clock=clock, course_id=row.id)
    consent.record_consent(session=db, actor=nurse, clock=clock, course_id=row.id)
    clock.advance(minutes=5)
    score(db, nurse, clock, cast.patient_a.id, 16)
    return Course(row, nurse, prescriber)


def complete_loading(db: Session, course: Course, clock: FixedClock) -> None:
    """Six sessions with a response: the core's next_step completes loading (maintenance)."""
    outcomes = [SessionOutcome(n, 69.0, True, mg_per_kg=0.5) for n in range(1, 7)]
    plan = courses.adjust_plan(
        session=db, actor=course.prescriber, clock=clock, course_id=course.row.id, outcomes=outcomes
    )
    assert plan.status.value == "maintenance", plan.findings


def move_to(clock: FixedClock, moment: datetime) -> None:
    clock.advance(minutes=(moment - clock.now()).total_seconds() / 60)


def given_session(
    db: Session, cast, course: Course, dose_at: datetime, route: Route = Route.IV
) -> TreatmentSession:  # type: ignore[no-untyped-def]
    """A session that was dosed and discharged at `dose_at` (written directly)."""
    chair = chairs(db, cast.clinic_a)[0]
    row = TreatmentSession(
        clinic_id=cast.clinic_a.id,
        patient_id=course.row.patient_id,
        course_id=course.row.id,
        route=route,
        chair_id=chair.id,
        nurse_user_id=cast.nurse_a.id,
        scheduled_start=dose_at - timedelta(minutes=15),
        scheduled_end=dose_at + timedelta(minutes=100),
        status=SessionStatus.DISCHARGED,
        dose_start_at=dose_at,
        dose_end_at=dose_at + timedelta(minutes=40),
        created_at=dose_at - timedelta(days=1),
        created_by_user_id=cast.nurse_a.id,
    )
    db.add(row)
    db.flush()
    return row
