"""Symptom questionnaires over a course: record (scored by the core), list, amend, and the
patient-level alerts they raise.

One door for every way a score arrives — intake, a check-in link, the patient's own pages, staff
entry — so that the safety rule runs the same way for all of them: a PHQ-9 whose item 9 reaches
the clinic's alert level raises an URGENT `PatientAlert` inside the same unit of work as the
score itself (never in a later batch).

Other concepts react to a new score (outcome state, booster queue) by registering a listener
with `on_score_recorded`; listeners run in the same transaction, after the score and its alerts
are flushed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    PatientAlert,
    PatientAlertAcknowledgement,
    Role,
    SymptomScore,
    SymptomScoreAmendment,
    SymptomSource,
    TreatmentCourse,
)
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.findings import Finding, Severity
from ketacare.domain.instrument_model import Instrument
from ketacare.domain.instruments import GAD7, PCL5, PHQ9, score
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.care_data import current_course
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy

OUTCOME_INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (GAD7, PHQ9, PCL5)}
STAFF = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.NURSE})
# Findings at or above this level become patient alerts the clinic must acknowledge.
ALERT_AT = Severity.REVIEW


@dataclass(frozen=True)
class RecordedSymptomScore:
    score: SymptomScore
    findings: tuple[Finding, ...]
    alerts: tuple[PatientAlert, ...]

    @property
    def urgent(self) -> bool:
        return any(a.level is Severity.URGENT for a in self.alerts)


ScoreListener = Callable[[Session, Actor, Clock, RecordedSymptomScore], None]
_listeners: list[ScoreListener] = []


def on_score_recorded(listener: ScoreListener) -> ScoreListener:
    """Register `listener` to run after every recorded score, in the same transaction."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def instrument_for(code: str) -> Instrument:
    try:
        return OUTCOME_INSTRUMENTS[code]
    except KeyError:
        allowed = ", ".join(OUTCOME_INSTRUMENTS)
        raise InvalidInput(
            f"instrument must be one of {allowed}; got {code!r}", field="instrument"
        ) from None


def record_symptom_score(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    instrument: str,
    answers: Sequence[int],
    source: SymptomSource,
    taken_at: datetime | None = None,
    course_id: int | None = None,
    check_in_id: int | None = None,
) -> RecordedSymptomScore:
    """Score `answers` with the core, store them, and raise alerts for serious findings.

    Staff of the patient's clinic and the patient themselves may record. `taken_at` defaults to
    now and may not be in the future. `course_id`, when given, must be one of the patient's
    courses; when omitted the patient's latest course (if any) is used.
    """
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="symptoms.record",
        roles=STAFF | {Role.PATIENT},
    )
    tool = instrument_for(instrument)
    now = clock.now()
    taken = taken_at or now
    if taken > now:
        raise InvalidInput("taken_at cannot be in the future", field="taken_at")
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    scored = score(tool, list(answers), policy=policy.outcomes)
    course = _course_of(session, patient.id, course_id)
    row = SymptomScore(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        course_id=course,
        instrument=tool.code,
        answers=list(scored.answers),
        total=scored.total,
        band=scored.band,
        findings=[f.as_dict() for f in scored.findings],
        taken_at=taken,
        source=source,
        check_in_id=check_in_id,
        recorded_at=now,
        recorded_by_user_id=actor.user_id,
        recorded_by_label=actor.label,
    )
    session.add(row)
    session.flush()
    alerts = tuple(
        _alert(session, row, finding, now)
        for finding in scored.findings
        if finding.severity.rank >= ALERT_AT.rank
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="symptoms.record",
        patient_id=patient.id,
        object_type="symptom_score",
        object_id=row.id,
        detail={
            "instrument": tool.code,
            "total": scored.total,
            "source": source.value,
            "alerts": [a.rule_id for a in alerts],
        },
    )
    recorded = RecordedSymptomScore(row, scored.findings, alerts)
    for listener in list(_listeners):
        listener(session, actor, clock, recorded)
    return recorded


def _course_of(session: Session, patient_id: int, course_id: int | None) -> int | None:
    if course_id is not None:
        course = session.get(TreatmentCourse, course_id)
        if course is None or course.patient_id != patient_id:
            raise InvalidInput(
                f"course {course_id} is not one of this patient's courses", field="course_id"
            )
        return course.id
    # The patient's latest course, as the listeners read it (one memoised read).
    latest = current_course(session, patient_id)
    return latest.id if latest is not None else None


def _alert(session: Session, row: SymptomScore, finding: Finding, now: datetime) -> PatientAlert:
    alert = PatientAlert(
        clinic_id=row.clinic_id,
        patient_id=row.patient_id,
        symptom_score_id=row.id,
        rule_id=finding.rule_id,
        level=finding.severity,
        message=finding.message,
        raised_at=now,
    )
    session.add(alert)
    session.flush()
    return alert


def symptom_history(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    instrument: str | None = None,
    include_struck: bool = False,
) -> list[SymptomScore]:
    """The patient's scores, oldest first; scores struck by an amendment are left out unless
    `include_struck`."""
    patient = access.patient_for(
        session=session, actor=actor, clock=clock, patient_id=patient_id, action="symptoms.read"
    )
    query = select(SymptomScore).where(SymptomScore.patient_id == patient.id)
    if instrument is not None:
        query = query.where(SymptomScore.instrument == instrument_for(instrument).code)
    if not include_struck:
        struck = select(SymptomScoreAmendment.score_id)
        query = query.where(SymptomScore.id.not_in(struck))
    rows = list(session.scalars(query.order_by(SymptomScore.taken_at, SymptomScore.id)))
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="symptoms.read",
        patient_id=patient.id,
        object_type="symptom_score",
        detail={"count": len(rows), "instrument": instrument},
    )
    return rows


def strike_symptom_score(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    score_id: int,
    reason: str,
    replaced_by_id: int | None = None,
) -> SymptomScoreAmendment:
    """Mark a score as entered in error (staff only); the row itself is never changed."""
    row = session.get(SymptomScore, score_id)
    if row is None:
        raise NotFound(f"symptom score {score_id} was not found")
    access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=row.patient_id,
        action="symptoms.amend",
        roles=STAFF,
        object_type="symptom_score",
        object_id=score_id,
    )
    if not reason.strip():
        raise InvalidInput("a reason is required to strike a score", field="reason")
    if session.scalar(
        select(SymptomScoreAmendment).where(SymptomScoreAmendment.score_id == score_id)
    ):
        raise Conflict(f"symptom score {score_id} has already been amended")
    if replaced_by_id is not None:
        replacement = session.get(SymptomScore, replaced_by_id)
        if replacement is None or replacement.patient_id != row.patient_id:
            raise InvalidInput(
                "the replacement must be a score of the same patient", field="replaced_by_id"
            )
    assert actor.user_id is not None  # staff actors are users
    amendment = SymptomScoreAmendment(
        score_id=score_id,
        replaced_by_id=replaced_by_id,
        reason=reason.strip(),
        at=clock.now(),
        user_id=actor.user_id,
    )
    session.add(amendment)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="symptoms.amend",
        patient_id=row.patient_id,
        object_type="symptom_score",
        object_id=score_id,
        detail={"reason": amendment.reason, "replaced_by": replaced_by_id},
    )
    return amendment


def patient_alerts(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    open_only: bool = True,
    patient_id: int | None = None,
) -> list[PatientAlert]:
    """The clinic's patient alerts, most severe and newest first (staff only)."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=STAFF, action="patient_alerts.read"
    )
    query = select(PatientAlert).where(PatientAlert.clinic_id == actor.clinic_id)
    if patient_id is not None:
        query = query.where(PatientAlert.patient_id == patient_id)
    if open_only:
        query = query.where(PatientAlert.id.not_in(select(PatientAlertAcknowledgement.alert_id)))
    rows = list(
        session.scalars(query.order_by(PatientAlert.raised_at.desc(), PatientAlert.id.desc()))
    )
    rows.sort(key=lambda a: a.level.rank, reverse=True)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient_alerts.read",
        object_type="patient_alert",
        detail={"count": len(rows), "open_only": open_only},
    )
    return rows


def acknowledge_patient_alert(
    *, session: Session, actor: Actor, clock: Clock, alert_id: int, note: str
) -> PatientAlertAcknowledgement:
    """A staff member acknowledges an alert with a note saying what was done."""
    alert = session.get(PatientAlert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} was not found")
    access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=alert.patient_id,
        action="patient_alerts.acknowledge",
        roles=STAFF,
        object_type="patient_alert",
        object_id=alert_id,
    )
    if not note.strip():
        raise InvalidInput("say what was done in the acknowledgement note", field="note")
    if session.scalar(
        select(PatientAlertAcknowledgement).where(PatientAlertAcknowledgement.alert_id == alert_id)
    ):
        raise Conflict(f"alert {alert_id} has already been acknowledged")
    assert actor.user_id is not None
    ack = PatientAlertAcknowledgement(
        alert_id=alert_id, note=note.strip(), at=clock.now(), user_id=actor.user_id
    )
    session.add(ack)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient_alerts.acknowledge",
        patient_id=alert.patient_id,
        object_type="patient_alert",
        object_id=alert_id,
        detail={"rule": alert.rule_id},
    )
    return ack
