"""Symptom scores: one door for every way a questionnaire arrives, the PHQ-9 item 9 alert raised
in the same unit of work, amendments instead of edits, and access limited to the patient's clinic
and the patient."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ketacare.db.models import PatientAlert, SymptomScore, SymptomSource
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.findings import Severity
from ketacare.services import intake, symptom_scores
from ketacare.services.actors import Actor


def _record(db, cast, clock, actor, answers, instrument="gad7", **kw):  # type: ignore[no-untyped-def]
    return symptom_scores.record_symptom_score(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=cast.patient_a.id,
        instrument=instrument,
        answers=answers,
        source=kw.pop("source", SymptomSource.CLINIC),
        **kw,
    )


def test_a_nurse_records_a_gad7_scored_by_the_core(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    recorded = _record(db, cast, clock, cast.actor(cast.nurse_a), [2, 2, 2, 2, 2, 2, 1])
    assert recorded.score.total == 13
    assert recorded.score.band == "moderate"
    assert recorded.alerts == ()


def test_phq9_item_9_answered_1_raises_an_urgent_alert_in_the_same_call(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    patient = Actor.for_user(cast.patient_user_a)
    recorded = _record(db, cast, clock, patient, [1] * 8 + [1], instrument="phq9")
    assert recorded.urgent
    stored = db.scalars(select(PatientAlert).where(PatientAlert.patient_id == cast.patient_a.id))
    assert [a.level for a in stored] == [Severity.URGENT]


def test_phq9_item_9_answered_0_raises_no_alert(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    recorded = _record(db, cast, clock, cast.actor(cast.nurse_a), [3] * 8 + [0], instrument="phq9")
    assert not recorded.urgent and recorded.alerts == ()


def test_a_score_taken_in_the_future_is_refused_and_nothing_is_stored(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as error:
        _record(
            db, cast, clock, cast.actor(cast.nurse_a), [1] * 7,
            taken_at=clock.now() + timedelta(minutes=5),
        )  # fmt: skip
    assert error.value.field == "taken_at"
    assert db.scalar(select(SymptomScore)) is None


def test_an_unknown_instrument_is_refused_naming_the_allowed_ones(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="gad7, phq9, pcl5"):
        _record(db, cast, clock, cast.actor(cast.nurse_a), [1] * 7, instrument="bdi")


def test_another_clinics_nurse_cannot_record_or_read(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        _record(db, cast, clock, cast.actor(cast.nurse_b), [1] * 7)
    with pytest.raises(NotFound):
        symptom_scores.symptom_history(
            session=db, actor=cast.actor(cast.nurse_b), clock=clock, patient_id=cast.patient_a.id
        )


def test_a_struck_score_leaves_the_history_but_stays_in_the_record(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    wrong = _record(db, cast, clock, nurse, [3] * 7)
    clock.advance(minutes=1)
    right = _record(db, cast, clock, nurse, [1] * 7)
    symptom_scores.strike_symptom_score(
        session=db,
        actor=nurse,
        clock=clock,
        score_id=wrong.score.id,
        reason="typed into the wrong patient's form",
        replaced_by_id=right.score.id,
    )
    history = symptom_scores.symptom_history(
        session=db, actor=nurse, clock=clock, patient_id=cast.patient_a.id
    )
    assert [s.total for s in history] == [7]
    everything = symptom_scores.symptom_history(
        session=db, actor=nurse, clock=clock, patient_id=cast.patient_a.id, include_struck=True
    )
    assert [s.total for s in everything] == [21, 7]
    with pytest.raises(Conflict):
        symptom_scores.strike_symptom_score(
            session=db, actor=nurse, clock=clock, score_id=wrong.score.id, reason="again"
        )


def test_an_alert_is_open_until_acknowledged_with_a_note(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    recorded = _record(db, cast, clock, nurse, [2] * 8 + [2], instrument="phq9")
    alert_id = recorded.alerts[0].id
    open_alerts = symptom_scores.patient_alerts(session=db, actor=nurse, clock=clock)
    assert [a.id for a in open_alerts] == [alert_id]
    with pytest.raises(InvalidInput):
        symptom_scores.acknowledge_patient_alert(
            session=db, actor=nurse, clock=clock, alert_id=alert_id, note="  "
        )
    symptom_scores.acknowledge_patient_alert(
        session=db, actor=nurse, clock=clock, alert_id=alert_id, note="Called; safety plan made."
    )
    assert symptom_scores.patient_alerts(session=db, actor=nurse, clock=clock) == []


def test_a_link_actor_reaches_only_its_own_patient(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    link = Actor.for_link(
        patient_id=cast.patient_a.id, clinic_id=cast.patient_a.clinic_id, label="check-in link"
    )
    assert not link.is_system
    _record(db, cast, clock, link, [1] * 7, source=SymptomSource.CHECK_IN)
    with pytest.raises(NotFound):
        symptom_scores.record_symptom_score(
            session=db,
            actor=link,
            clock=clock,
            patient_id=cast.other_patient_a.id,
            instrument="gad7",
            answers=[1] * 7,
            source=SymptomSource.CHECK_IN,
        )


def test_the_intake_questionnaires_become_baseline_scores_and_an_amendment_replaces_them(
    db, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    data = {"diagnoses": ["gad"], "gad7": [2] * 7, "phq9": [1] * 8 + [0]}
    intake.record_intake(
        session=db, actor=nurse, clock=clock, patient_id=cast.patient_a.id, data=data
    )
    history = symptom_scores.symptom_history(
        session=db, actor=nurse, clock=clock, patient_id=cast.patient_a.id
    )
    assert {(s.instrument, s.total, s.source) for s in history} == {
        ("gad7", 14, SymptomSource.INTAKE),
        ("phq9", 8, SymptomSource.INTAKE),
    }
    clock.advance(minutes=10)
    intake.amend_intake(
        session=db,
        actor=nurse,
        clock=clock,
        patient_id=cast.patient_a.id,
        data={**data, "gad7": [3] * 7},
        reason="patient re-read item wording",
    )
    history = symptom_scores.symptom_history(
        session=db, actor=nurse, clock=clock, patient_id=cast.patient_a.id, instrument="gad7"
    )
    assert [s.total for s in history] == [21]
