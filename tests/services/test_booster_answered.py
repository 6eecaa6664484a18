"""A booster booked outside the queue (the schedule) answers the recommendation: it leaves the
queue at once; a cancellation, a no-show or a stop before the dose brings it back; only sessions
booked after the recommendation opened count; once the session has been given the next
re-assessment closes it as "booked outside the queue (session N)"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    BoosterDecision,
    BoosterDecisionKind,
    BoosterReason,
    BoosterRecommendation,
    TreatmentSession,
)
from ketacare.domain.errors import Conflict
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import booster_answered, booster_queue, session_booking
from ketacare.services.clock import FixedClock
from tests.services.care_support import (
    Course,
    at,
    complete_loading,
    course_in_loading,
    given_session,
    move_to,
    score,
)
from tests.services.session_support import chairs


@pytest.fixture
def course(db: Session, cast, clock: FixedClock) -> Course:  # type: ignore[no-untyped-def]
    """GAD-7 16 before the course, 10, 7, 5 over loading; maintenance from 17 March."""
    course = course_in_loading(db, cast, clock)
    for day, total in ((date(2026, 3, 9), 10), (date(2026, 3, 13), 7), (date(2026, 3, 17), 5)):
        move_to(clock, at(day))
        score(db, course.nurse, clock, cast.patient_a.id, total)
    complete_loading(db, course, clock)
    return course


def _due(db: Session, cast, clock: FixedClock, course: Course) -> BoosterRecommendation:  # type: ignore[no-untyped-def]
    """GAD-7 7 on 24 March, 10 on 31 March: a booster is due (open recommendation)."""
    move_to(clock, at(date(2026, 3, 24)))
    score(db, course.nurse, clock, cast.patient_a.id, 7)
    move_to(clock, at(date(2026, 3, 31)))
    score(db, course.nurse, clock, cast.patient_a.id, 10)
    rec = booster_queue.open_recommendation(db, cast.patient_a.id)
    assert rec is not None
    return rec


def _queue_ids(db: Session, cast, clock: FixedClock) -> list[int]:  # type: ignore[no-untyped-def]
    items = booster_queue.care_queue(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, with_slots=False
    )
    return [i.recommendation.id for i in items]


def _book_on_schedule(db: Session, cast, clock: FixedClock, course: Course) -> TreatmentSession:  # type: ignore[no-untyped-def]
    """What the schedule page does: `session_booking.book_session` in the course, 2 April 15:00
    UTC (not through the queue)."""
    return session_booking.book_session(
        session=db,
        actor=course.nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        start=at(date(2026, 4, 2), 15),
        chair_id=chairs(db, cast.clinic_a)[0].id,
        nurse_user_id=cast.nurse_a.id,
        course_id=course.row.id,
    )


def _give(db: Session, row: TreatmentSession) -> None:
    """The booked session took place: dosed and discharged (written directly)."""
    row.status = SessionStatus.DISCHARGED
    row.dose_start_at = row.scheduled_start + timedelta(minutes=20)
    row.dose_end_at = row.dose_start_at + timedelta(minutes=40)
    db.flush()


def _decision(db: Session, rec: BoosterRecommendation) -> BoosterDecision | None:
    return db.scalar(select(BoosterDecision).where(BoosterDecision.recommendation_id == rec.id))


def test_a_booster_booked_on_the_schedule_takes_the_recommendation_out_of_the_queue(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    assert _queue_ids(db, cast, clock) == [rec.id]
    _book_on_schedule(db, cast, clock, course)
    assert _queue_ids(db, cast, clock) == []
    assert booster_queue.open_recommendation(db, cast.patient_a.id) is None
    assert _decision(db, rec) is None  # nothing written: only read as answered


def test_cancelling_the_session_booked_on_the_schedule_puts_the_recommendation_back(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    assert _queue_ids(db, cast, clock) == []
    session_booking.cancel(
        session=db, actor=course.nurse, clock=clock, session_id=booked.id, reason="patient away"
    )
    assert _queue_ids(db, cast, clock) == [rec.id]
    assert booster_queue.open_recommendation(db, cast.patient_a.id) == rec


def test_a_no_show_of_the_session_booked_on_the_schedule_puts_the_recommendation_back(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    move_to(clock, booked.scheduled_start + timedelta(minutes=30))
    assert _queue_ids(db, cast, clock) == []  # still booked (the start passed, not yet marked)
    session_booking.mark_no_show(session=db, actor=course.nurse, clock=clock, session_id=booked.id)
    assert _queue_ids(db, cast, clock) == [rec.id]


def test_a_session_stopped_before_the_dose_answers_nothing_but_one_stopped_after_does(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    booked.status = SessionStatus.STOPPED  # e.g. blood pressure too high at the pre-dose check
    db.flush()
    assert _queue_ids(db, cast, clock) == [rec.id]
    booked.dose_start_at = booked.scheduled_start + timedelta(minutes=20)  # stopped while dosing
    db.flush()
    assert _queue_ids(db, cast, clock) == []


def test_only_sessions_booked_after_the_recommendation_opened_answer_it(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    # A maintenance session given on 27 March (booked the day before), then the rise to 10.
    move_to(clock, at(date(2026, 3, 28)))
    given_session(db, cast, course, at(date(2026, 3, 27), 15))
    move_to(clock, at(date(2026, 3, 31)))
    score(db, course.nurse, clock, cast.patient_a.id, 10)
    rec = booster_queue.open_recommendation(db, cast.patient_a.id)
    assert rec is not None
    assert _queue_ids(db, cast, clock) == [rec.id]  # the earlier session does not answer it
    booked = _book_on_schedule(db, cast, clock, course)
    booked.created_at = rec.opened_at - timedelta(minutes=1)  # booked a minute before: no
    db.flush()
    assert _queue_ids(db, cast, clock) == [rec.id]
    booked.created_at = rec.opened_at  # booked as it opened: yes
    db.flush()
    assert _queue_ids(db, cast, clock) == []


def test_a_session_booked_without_the_course_does_not_answer_it(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    booked.course_id = None  # as if booked by route alone
    db.flush()
    assert _queue_ids(db, cast, clock) == [rec.id]


def test_once_the_session_was_given_the_next_score_resolves_it_as_booked_outside_the_queue(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    _give(db, booked)
    move_to(clock, at(date(2026, 4, 4)))
    score(db, course.nurse, clock, cast.patient_a.id, 6)
    decision = _decision(db, rec)
    assert decision is not None and decision.kind is BoosterDecisionKind.RESOLVED
    assert decision.reason == f"booked outside the queue (session {booked.id})"
    assert decision.session_id == booked.id and decision.user_id is None
    reasons = db.scalars(
        select(BoosterReason).where(BoosterReason.recommendation_id == rec.id)
    ).all()
    assert len(reasons) == 2  # the assessment that closed it is stored too (append-only)
    assert _queue_ids(db, cast, clock) == []


def test_while_only_booked_a_later_score_adds_a_reason_but_does_not_close_it(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    clock.advance(minutes=60)
    score(db, course.nurse, clock, cast.patient_a.id, 11)
    assert _decision(db, rec) is None
    others = select(BoosterRecommendation).where(BoosterRecommendation.id != rec.id)
    assert db.scalar(others) is None
    session_booking.cancel(
        session=db, actor=course.nurse, clock=clock, session_id=booked.id, reason="clash"
    )
    [item] = booster_queue.care_queue(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, with_slots=False
    )
    assert item.recommendation.id == rec.id and item.reason.latest_score == 11


def test_after_a_given_booster_a_new_rise_opens_a_new_recommendation(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    _give(db, booked)
    move_to(clock, at(date(2026, 4, 9)))
    score(db, course.nurse, clock, cast.patient_a.id, 12)  # ≥ 10 again after the booster
    assert _decision(db, rec) is not None
    [item] = booster_queue.care_queue(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, with_slots=False
    )
    assert item.recommendation.id != rec.id
    assert [e["total"] for e in item.reason.evidence["gad7"]["recent"]] == [12]


def test_booking_or_dismissing_an_answered_recommendation_from_a_stale_page_is_refused(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    rec = _due(db, cast, clock, course)
    booked = _book_on_schedule(db, cast, clock, course)
    with pytest.raises(Conflict, match=f"booked outside the queue \\(session {booked.id}"):
        booster_queue.dismiss_recommendation(
            session=db,
            actor=course.prescriber,
            clock=clock,
            recommendation_id=rec.id,
            reason="settled",
        )
    with pytest.raises(Conflict, match="booked outside the queue"):
        booster_queue.queue_item(
            session=db, actor=course.nurse, clock=clock, recommendation_id=rec.id
        )


def test_read_together_each_recommendation_counts_only_sessions_booked_after_itself(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    move_to(clock, at(date(2026, 3, 28)))
    earlier = given_session(db, cast, course, at(date(2026, 3, 27), 15))  # booked 26 March
    move_to(clock, at(date(2026, 3, 31)))
    score(db, course.nurse, clock, cast.patient_a.id, 10)
    rec = booster_queue.open_recommendation(db, cast.patient_a.id)
    assert rec is not None
    # An older recommendation of the same course (not stored), opened 20 March, read together.
    old = BoosterRecommendation(id=-1, course_id=course.row.id, opened_at=at(date(2026, 3, 20)))
    answered = booster_answered.answering_sessions(db, [old, rec])
    assert answered == {-1: earlier}
