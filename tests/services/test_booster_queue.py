"""Scores into decisions: a scripted course (GAD-7 16 → 5 over loading, then back to 10) puts a
booster in the clinician's queue with its reason, booking it books a session; dismissing needs a
reason; one open recommendation per patient; tolerance and overuse flags from the data."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    BoosterDecision,
    BoosterDecisionKind,
    BoosterReason,
    BoosterRecommendation,
    OutcomeState,
    TreatmentSession,
)
from ketacare.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import booster_queue, care, outcome_state
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


def _gad7_state(db: Session, actor, clock: FixedClock, patient_id: int) -> OutcomeState:  # type: ignore[no-untyped-def]
    states = outcome_state.current_outcome_states(
        session=db, actor=actor, clock=clock, patient_id=patient_id
    )
    [gad7] = [s for s in states if s.instrument == "gad7"]
    return gad7


def _queue(db: Session, cast, clock: FixedClock, **kw):  # type: ignore[no-untyped-def]
    return booster_queue.care_queue(session=db, actor=cast.actor(cast.nurse_a), clock=clock, **kw)


@pytest.fixture
def course(db: Session, cast, clock: FixedClock) -> Course:  # type: ignore[no-untyped-def]
    """GAD-7 16 before the course, 10, 7, then 5 at the end of loading (17 March)."""
    course = course_in_loading(db, cast, clock)
    for day, total in ((date(2026, 3, 9), 10), (date(2026, 3, 13), 7), (date(2026, 3, 17), 5)):
        move_to(clock, at(day))
        score(db, course.nurse, clock, cast.patient_a.id, total)
    complete_loading(db, course, clock)
    return course


def _rise_to_10(db: Session, cast, clock: FixedClock, course: Course) -> None:  # type: ignore[no-untyped-def]
    move_to(clock, at(date(2026, 3, 24)))
    score(db, course.nurse, clock, cast.patient_a.id, 7)
    move_to(clock, at(date(2026, 3, 31)))
    score(db, course.nurse, clock, cast.patient_a.id, 10)


def test_gad7_falling_to_5_then_climbing_to_10_puts_a_booster_due_in_the_queue_with_its_reason(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    move_to(clock, at(date(2026, 3, 24)))
    score(db, course.nurse, clock, cast.patient_a.id, 7)
    assert _queue(db, cast, clock) == []  # +2 above the post-loading 5 and below 10: not due
    move_to(clock, at(date(2026, 3, 31)))
    score(db, course.nurse, clock, cast.patient_a.id, 10)
    [item] = _queue(db, cast, clock)
    assert item.patient.id == cast.patient_a.id
    reason = item.reason
    assert (reason.instrument, reason.post_loading_score, reason.trigger_score) == ("gad7", 5, 10)
    assert (reason.window_earliest, reason.window_latest) == (date(2026, 3, 31), date(2026, 4, 7))
    due = [f for f in reason.findings if f["rule_id"] == "maintenance.booster_due"]
    assert (
        "GAD-7 rose from 5 after loading to 10 on 2026-03-31 (+5 ≥ 4 points; ≥ 10)"
        in (due[0]["message"])
    )
    assert due[0]["source"]  # the rule's source travels with the finding
    assert [e["total"] for e in reason.evidence["gad7"]["recent"]] == [7, 10]
    assert len(item.slots) == 3 and item.booking_blocked is None


def test_accepting_the_recommended_booster_books_a_session_and_closes_it_as_booked(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    [item] = _queue(db, cast, clock)
    slot = item.slots[0]
    decision = booster_queue.book_recommendation(
        session=db,
        actor=course.nurse,
        clock=clock,
        recommendation_id=item.recommendation.id,
        start=slot.start,
        chair_id=slot.chair.id,
        nurse_user_id=slot.nurse.id,
    )
    assert decision.kind is BoosterDecisionKind.BOOKED
    booked = db.get(TreatmentSession, decision.session_id)
    assert booked is not None and booked.status is SessionStatus.SCHEDULED
    assert booked.course_id == course.row.id and booked.scheduled_start == slot.start
    assert _queue(db, cast, clock) == []
    with pytest.raises(Conflict, match="already closed \\(booked"):
        booster_queue.dismiss_recommendation(
            session=db,
            actor=course.prescriber,
            clock=clock,
            recommendation_id=item.recommendation.id,
            reason="too late",
        )


def test_a_higher_score_before_the_booked_booster_opens_no_second_recommendation(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    [item] = _queue(db, cast, clock)
    slot = item.slots[-1]
    booster_queue.book_recommendation(
        session=db, actor=course.nurse, clock=clock, recommendation_id=item.recommendation.id,
        start=slot.start, chair_id=slot.chair.id, nurse_user_id=slot.nurse.id,
    )  # fmt: skip
    clock.advance(minutes=30)
    score(db, course.nurse, clock, cast.patient_a.id, 12)
    assert _queue(db, cast, clock, with_slots=False) == []


def test_dismissing_needs_a_reason_and_a_prescriber(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    [item] = _queue(db, cast, clock, with_slots=False)
    rec_id = item.recommendation.id

    def dismiss(actor, reason: str):  # type: ignore[no-untyped-def]
        return booster_queue.dismiss_recommendation(
            session=db, actor=actor, clock=clock, recommendation_id=rec_id, reason=reason
        )

    with pytest.raises(InvalidInput) as refused:
        dismiss(course.prescriber, "   ")
    assert refused.value.field == "reason"
    with pytest.raises(Forbidden):
        dismiss(course.nurse, "settled after a phone call")
    with pytest.raises(NotFound):
        dismiss(cast.actor(cast.nurse_b), "not mine")
    decision = dismiss(course.prescriber, "life event; reassess in one week")
    assert decision.kind is BoosterDecisionKind.DISMISSED
    assert decision.reason == "life event; reassess in one week"
    assert decision.user_id == cast.prescriber_a.id
    assert _queue(db, cast, clock, with_slots=False) == []


def test_a_later_score_adds_a_reason_row_to_the_one_open_recommendation(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    move_to(clock, at(date(2026, 4, 2)))
    score(db, course.nurse, clock, cast.patient_a.id, 11)
    assert db.scalar(select(func.count()).select_from(BoosterRecommendation)) == 1
    [item] = _queue(db, cast, clock, with_slots=False)
    reasons = db.scalars(
        select(BoosterReason).where(BoosterReason.recommendation_id == item.recommendation.id)
    ).all()
    assert [(r.latest_score, r.trigger_score) for r in reasons] == [(10, 10), (11, 10)]
    assert item.reason.id == reasons[-1].id


def test_a_score_back_below_the_triggers_resolves_the_open_recommendation_with_the_cores_reason(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    move_to(clock, at(date(2026, 4, 2)))
    score(db, course.nurse, clock, cast.patient_a.id, 6)
    assert _queue(db, cast, clock, with_slots=False) == []
    decision = db.scalar(select(BoosterDecision))
    assert decision is not None and decision.kind is BoosterDecisionKind.RESOLVED
    assert "back to 6 on 2026-04-02: no booster due now" in decision.reason
    assert decision.user_id is None


def test_no_booster_is_recommended_during_the_loading_series(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    course = course_in_loading(db, cast, clock)
    move_to(clock, at(date(2026, 3, 9)))
    score(db, course.nurse, clock, cast.patient_a.id, 5)
    move_to(clock, at(date(2026, 3, 12)))
    score(db, course.nurse, clock, cast.patient_a.id, 12)
    assert _queue(db, cast, clock, with_slots=False) == []


def test_tolerance_and_overuse_flags_appear_when_the_sessions_say_so(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    # Six maintenance sessions in 30 days (> 5); the last four with a GAD-7 before and after
    # whose benefit shrinks 8, 6, 4, 2 points (fitted decline 6 ≥ 4).
    days = [date(2026, 3, d) for d in (18, 20, 22, 24, 26, 28)]
    for day in days:
        given_session(db, cast, course, at(day, 15))
    move_to(clock, at(date(2026, 3, 30)))
    for day, post in zip(days[2:], (4, 6, 8, 10), strict=True):
        score(db, course.nurse, clock, cast.patient_a.id, 12, taken_at=at(day, 14))
        score(
            db,
            course.nurse,
            clock,
            cast.patient_a.id,
            post,
            taken_at=at(day, 15).replace(day=day.day + 1),
        )
    score(db, course.nurse, clock, cast.patient_a.id, 12)
    [item] = _queue(db, cast, clock, with_slots=False)
    assert item.reason.tolerance_flag and item.reason.overuse_flag
    rules = {f["rule_id"]: f for f in item.reason.findings if f["severity"] == "review"}
    assert "fitted decline of 6.0 ≥ 4" in rules["maintenance.possible_tolerance"]["message"]
    assert "6 sessions in the 30 days" in rules["maintenance.overuse_session_frequency"]["message"]


def test_without_much_data_the_flags_stay_down(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    [item] = _queue(db, cast, clock, with_slots=False)
    assert not item.reason.tolerance_flag and not item.reason.overuse_flag


def test_each_score_stores_an_outcome_state_snapshot_and_the_newest_is_current(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    at_end_of_loading = _gad7_state(db, course.nurse, clock, cast.patient_a.id)
    assert (at_end_of_loading.baseline_score, at_end_of_loading.latest_score) == (16, 5)
    assert at_end_of_loading.state == "responder"
    assert at_end_of_loading.improvement_pct == pytest.approx(68.75)
    _rise_to_10(db, cast, clock, course)
    now = _gad7_state(db, course.nurse, clock, cast.patient_a.id)
    assert now.latest_score == 10 and now.state == "losing_response"
    assert now.first_response_at is not None and now.measurement_count == 6
    assert db.scalar(select(func.count()).select_from(OutcomeState)) >= 6


def test_striking_the_triggering_score_re_assesses_and_resolves_the_recommendation(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    [item] = _queue(db, cast, clock, with_slots=False)
    trigger_id = item.reason.evidence["gad7"]["recent"][-1]["score_id"]
    care.strike_score(
        session=db, actor=course.nurse, clock=clock, score_id=trigger_id, reason="wrong patient"
    )
    assert _queue(db, cast, clock, with_slots=False) == []
    assert _gad7_state(db, course.nurse, clock, cast.patient_a.id).latest_score == 7


def test_the_queue_looks_up_slots_only_for_the_items_asked_and_one_item_brings_its_own(
    db: Session, cast, clock: FixedClock, course: Course
) -> None:  # type: ignore[no-untyped-def]
    _rise_to_10(db, cast, clock, course)
    [lazy] = _queue(db, cast, clock, slots_for=0)
    assert not lazy.slots_loaded and lazy.slots == () and lazy.booking_blocked is None
    rec_id = lazy.recommendation.id
    [asked] = _queue(db, cast, clock, slots_for=0, slots_also={rec_id})
    assert asked.slots_loaded and len(asked.slots) == 3
    [first] = _queue(db, cast, clock, slots_for=1)
    assert first.slots_loaded and first.slots == asked.slots
    one = booster_queue.queue_item(
        session=db, actor=course.nurse, clock=clock, recommendation_id=rec_id
    )
    assert one.slots == asked.slots and one.reason.id == asked.reason.id
    with pytest.raises(NotFound):
        booster_queue.queue_item(
            session=db, actor=cast.actor(cast.nurse_b), clock=clock, recommendation_id=rec_id
        )
