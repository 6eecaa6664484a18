"""The forecast service: the patient's course, scores and intake go to the core; the read is
audited; the clinic's own courses are used only above the policy count; no reach, no forecast."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ketacare.db.models import AuditEvent
from ketacare.domain.errors import NotFound
from ketacare.services import forecast
from ketacare.services.actors import Actor
from tests.factories.forecast import course_with_scores


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    forecast.clear_cache()


def _course(db, cast, clock, scores):  # type: ignore[no-untyped-def]
    return course_with_scores(
        db, actor=cast.actor(cast.prescriber_a), clock=clock, patient_id=cast.patient_a.id,
        clinic_id=cast.patient_a.clinic_id, prescriber_id=cast.prescriber_a.id,
        nurse_id=cast.nurse_a.id, gad7_after=scores,
    )  # fmt: skip


def _read(db, cast, clock, actor=None):  # type: ignore[no-untyped-def]
    return forecast.patient_forecast(
        session=db, actor=actor or cast.actor(cast.nurse_a), clock=clock,
        patient_id=cast.patient_a.id,
    )  # fmt: skip


def test_before_the_first_session_the_forecast_uses_the_intake_baseline_and_priors(
    db, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [])
    result = _read(db, cast, clock)
    assert result.forecast.landmark == 0 and result.forecast.instrument == "gad7"
    assert result.forecast.basis == "published figures"
    assert result.patient_sentence.endswith("Based on published figures.")


def test_scores_after_two_sessions_condition_the_forecast(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [12, 9])  # GAD-7 14 → 9 after session 2: 36% better
    improving = _read(db, cast, clock).forecast
    assert improving.landmark == 2 and improving.improvement_pct == pytest.approx(35.7, abs=0.1)
    assert improving.by_session[:2] == (0.0, 0.0)
    assert any(f.rule_id == "forecast.early_improvement" for f in improving.findings)


def test_a_response_already_reached_is_reported(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [10, 6])
    assert _read(db, cast, clock).forecast.responded_at_session == 2


def test_the_read_is_audited(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    course = _course(db, cast, clock, [12])
    _read(db, cast, clock)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "forecast.read")).one()
    assert event.patient_id == cast.patient_a.id and event.object_id == str(course.id)


def test_the_patient_may_read_their_own_forecast(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [])
    assert (
        _read(db, cast, clock, Actor.for_user(cast.patient_user_a)).patient_id == cast.patient_a.id
    )


def test_another_clinic_gets_not_found(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [])
    with pytest.raises(NotFound):
        _read(db, cast, clock, cast.actor(cast.nurse_b))


def test_a_patient_without_a_course_has_nothing_to_forecast(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match="no treatment course"):
        _read(db, cast, clock)


def test_a_clinic_with_fewer_completed_courses_than_the_policy_uses_the_priors(
    db, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [])
    result = _read(db, cast, clock)
    assert not result.forecast.fitted
    assert "the clinic has 0 completed courses" in result.forecast.findings[0].message
