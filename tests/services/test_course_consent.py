"""Consent per course: current only when signed, witnessed and not withdrawn, at that moment."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentCourse
from ketacare.domain.errors import Forbidden, RuleViolation
from ketacare.services import consent
from ketacare.services.clock import FixedClock
from tests.factories.courses import screened_course


@pytest.fixture
def course(db: Session, cast, clock: FixedClock) -> TreatmentCourse:  # type: ignore[no-untyped-def]
    return screened_course(
        db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        prescriber_id=cast.prescriber_a.id,
        starts_on=date(2026, 3, 9),
    )


def _current(db: Session, course: TreatmentCourse, clock: FixedClock) -> bool:
    return consent.has_current_consent(
        session=db, patient_id=course.patient_id, course_id=course.id, at=clock.now()
    )


def test_a_course_without_consent_has_no_current_consent_and_no_session_can_start(
    db: Session, course: TreatmentCourse, clock: FixedClock
) -> None:
    assert not _current(db, course, clock)
    with pytest.raises(RuleViolation, match="no session can start without a current consent"):
        consent.require_current_consent(
            session=db, patient_id=course.patient_id, course_id=course.id, at=clock.now()
        )


def test_consent_recorded_by_staff_is_witnessed_and_current(
    db: Session, cast, course: TreatmentCourse, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    view = consent.record_consent(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, course_id=course.id
    )
    assert view.status == "current" and view.text.version == 1
    assert {s["key"] for s in view.text.sections} == {
        "off_label_use",
        "acute_effects",
        "escort_and_no_driving",
        "right_to_stop",
    }
    assert _current(db, course, clock)


def test_a_patients_own_signature_counts_only_once_staff_witness_it(
    db: Session, cast, course: TreatmentCourse, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    view = consent.record_consent(
        session=db, actor=cast.actor(cast.patient_user_a), clock=clock, course_id=course.id
    )
    assert view.status == "awaiting_witness" and not _current(db, course, clock)
    with pytest.raises(Forbidden):
        consent.witness_consent(
            session=db,
            actor=cast.actor(cast.patient_user_a),
            clock=clock,
            consent_id=view.consent.id,
        )
    clock.advance(minutes=5)
    consent.witness_consent(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, consent_id=view.consent.id
    )
    assert _current(db, course, clock)


def test_a_withdrawn_consent_is_current_before_the_withdrawal_and_not_after(
    db: Session, cast, course: TreatmentCourse, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    view = consent.record_consent(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, course_id=course.id
    )
    signed = clock.now()
    clock.advance(minutes=60)
    consent.withdraw_consent(
        session=db,
        actor=cast.actor(cast.patient_user_a),
        clock=clock,
        consent_id=view.consent.id,
        reason="I want to stop",
    )
    assert not _current(db, course, clock)
    assert consent.has_current_consent(
        session=db, patient_id=course.patient_id, course_id=course.id, at=signed
    )
