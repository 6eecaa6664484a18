"""Sedation and dissociation scores, adverse events, the discharge gate and the session note.

Scores are scored by the core (`instruments.score`: MOAA/S, CADSS-6); a MOAA/S rating is also
checked against the sedation alert lines (`vitals.assess_reading` with the latest reading) and
raises an alert like a reading does. Discharge asks the core's `discharge_gate` and is refused
(RuleViolation with every unmet criterion) until it passes. The note is a generated draft, then
edited versions, then a signed one; a signed note is changed only by an amendment with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    AdverseEvent,
    DoseAdministration,
    ScoreKind,
    SessionDischarge,
    SessionNote,
    SessionScore,
    VitalAlert,
)
from ketacare.domain.discharge import DischargeResult, discharge_gate
from ketacare.domain.errors import Conflict, InvalidInput, RuleViolation
from ketacare.domain.instruments import DISSOCIATION, MOAAS, score
from ketacare.domain.session_flow import DOSED, IN_CLINIC, SessionStatus
from ketacare.domain.vitals import SESSION_SEDATION, assess_reading
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_common import (
    CLINICIANS,
    Loaded,
    findings_json,
    load_session,
    move,
    record,
    shape_of,
)
from ketacare.services.session_flow import as_reading, latest_assessment
from ketacare.services.vitals_ingest import phase_at, readings_of


class AdverseEventType(StrEnum):
    NAUSEA = "nausea"
    VOMITING = "vomiting"
    HYPERTENSION = "hypertension"
    TACHYCARDIA = "tachycardia"
    DESATURATION = "desaturation"
    OVERSEDATION = "oversedation"
    DISSOCIATION = "dissociation"
    AGITATION = "agitation"
    HEADACHE = "headache"
    DIZZINESS = "dizziness"
    OTHER = "other"


class AdverseSeverity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    LIFE_THREATENING = "life_threatening"


_INSTRUMENTS = {ScoreKind.MOAAS: MOAAS, ScoreKind.CADSS6: DISSOCIATION}


@dataclass(frozen=True)
class RecordedScore:
    score: SessionScore
    alerts: tuple[VitalAlert, ...]


def record_score(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    kind: ScoreKind,
    answers: Sequence[int],
    taken_at: datetime | None = None,
) -> RecordedScore:
    """Record a MOAA/S rating (`answers` = [score 0–5]) or a CADSS-6 (six items 0–4)."""
    loaded = _in_clinic(session, actor, clock, session_id, "session.score")
    now = clock.now()
    taken = taken_at or now
    if taken > now:
        raise InvalidInput("taken_at cannot be in the future", field="taken_at")
    scored = score(_INSTRUMENTS[kind], list(answers), policy=loaded.policy.outcomes)
    row = SessionScore(
        session_id=loaded.row.id,
        kind=kind,
        answers=list(scored.answers),
        total=scored.total,
        band=scored.band,
        taken_at=taken,
        recorded_at=now,
        recorded_by_user_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    alerts = _sedation_alerts(session, loaded, scored.total, now) if kind is ScoreKind.MOAAS else ()
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        action="session.score",
        detail={"kind": kind.value, "total": scored.total},
    )
    return RecordedScore(row, alerts)


def _sedation_alerts(
    session: Session, loaded: Loaded, moaas: int, now: datetime
) -> tuple[VitalAlert, ...]:
    readings = readings_of(session, loaded.row.id)
    if not readings:
        return ()
    latest = readings[-1]
    phase = phase_at(loaded.row, now)
    findings = assess_reading(
        as_reading(latest), loaded.row.route, phase, loaded.policy.vitals, moaas=moaas
    )
    alerts = tuple(
        VitalAlert(
            session_id=loaded.row.id,
            reading_id=latest.id,
            rule_id=f.rule_id,
            level=f.severity,
            message=f.message,
            raised_at=now,
        )
        for f in findings
        if f.rule_id == SESSION_SEDATION.id
    )
    session.add_all(alerts)
    session.flush()
    return alerts


def record_adverse_event(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    event_type: AdverseEventType,
    severity: AdverseSeverity,
    action_taken: str = "",
    outcome: str = "",
    treatment_given: str = "",
    occurred_at: datetime | None = None,
) -> AdverseEvent:
    """An adverse event: type, severity, action taken, outcome, treatment given (e.g. an
    antiemetic for nausea)."""
    loaded = _in_clinic(session, actor, clock, session_id, "session.adverse_event")
    now = clock.now()
    when = occurred_at or now
    if when > now:
        raise InvalidInput("occurred_at cannot be in the future", field="occurred_at")
    row = AdverseEvent(
        session_id=loaded.row.id,
        event_type=event_type.value,
        severity=severity.value,
        action_taken=action_taken.strip(),
        outcome=outcome.strip(),
        treatment_given=treatment_given.strip(),
        occurred_at=when,
        recorded_at=now,
        recorded_by_user_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        action="session.adverse_event",
        detail={"type": event_type.value, "severity": severity.value},
    )
    return row


def discharge_check(
    *, session: Session, actor: Actor, clock: Clock, session_id: int, escort_present: bool
) -> DischargeResult:
    """May the patient leave now? Every criterion, passed or not (nothing is recorded)."""
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="session.discharge_check",
    )
    record(
        session=session, actor=actor, clock=clock, row=loaded.row, action="session.discharge_check"
    )
    return _gate(session, loaded, clock.now(), escort_present)


def discharge(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    escort_name: str,
    ready_to_leave_at: datetime | None = None,
) -> SessionDischarge:
    """Discharge the patient to their escort, if the core's discharge gate passes now.

    Refused (RuleViolation listing each unmet criterion) before it passes. Records the time
    the patient was ready to leave (default now; not before the end of the minimum observation),
    the escort's name and the instructions given, and drafts the session note.
    """
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="session.discharge",
        roles=CLINICIANS,
        for_update=True,
    )
    row, now = loaded.row, clock.now()
    if row.status not in (SessionStatus.MONITORING, SessionStatus.RECOVERY):
        raise Conflict(
            f"session {row.id} is {row.status.value}; discharge follows dosing and observation"
        )
    if not escort_name.strip():
        raise InvalidInput("name the escort the patient leaves with", field="escort_name")
    result = _gate(session, loaded, now, escort_present=True)
    if not result.allowed:
        unmet = "; ".join(c.finding.message for c in result.unmet)
        raise RuleViolation(
            f"discharge refused: {unmet}", [c.finding for c in result.unmet], field="discharge"
        )
    ready = ready_to_leave_at or now
    if not result.ready_at_earliest <= ready <= now:
        raise InvalidInput(
            f"ready_to_leave_at must be between {result.ready_at_earliest:%H:%M} and now",
            field="ready_to_leave_at",
        )
    done = SessionDischarge(
        session_id=row.id,
        ready_to_leave_at=ready,
        discharged_at=now,
        escort_name=escort_name.strip(),
        instructions=list(result.instructions),
        criteria=findings_json(result.findings),
        actor_user_id=actor.user_id,
    )
    session.add(done)
    move(session=session, actor=actor, clock=clock, row=row, target=SessionStatus.DISCHARGED)
    _add_note(session, row.id, draft_note(session, loaded, done), actor, now, generated=True)
    record(session=session, actor=actor, clock=clock, row=row, action="session.discharge")
    return done


def _gate(session: Session, loaded: Loaded, now: datetime, escort_present: bool) -> DischargeResult:
    row = loaded.row
    if row.dose_start_at is None or row.status not in DOSED:
        raise Conflict(f"session {row.id} has not been dosed; there is nothing to discharge from")
    readings = [r for r in readings_of(session, row.id) if r.taken_at <= now]
    assessment = latest_assessment(session, row.id)
    baseline = next((r for r in readings if assessment and r.id == assessment.reading_id), None)
    scores = session.scalars(
        select(SessionScore)
        .where(SessionScore.session_id == row.id, SessionScore.taken_at <= now)
        .order_by(SessionScore.taken_at, SessionScore.id)
    ).all()
    moaas_times = [(r.taken_at, r.moaas) for r in readings if r.moaas is not None]
    moaas_times += [(s.taken_at, s.total) for s in scores if s.kind is ScoreKind.MOAAS]
    cadss = [s.total for s in scores if s.kind is ScoreKind.CADSS6]
    return discharge_gate(
        row.route,
        row.dose_start_at,
        now,
        as_reading(readings[-1]) if readings else None,
        as_reading(baseline) if baseline else None,
        max(moaas_times, key=lambda t: t[0])[1] if moaas_times else None,
        cadss[-1] if cadss else None,
        escort_present,
        shape_of(row, loaded.policy),
        loaded.policy.discharge,
        vitals_policy=loaded.policy.vitals,
        dose_end=row.dose_end_at,
    )


def draft_note(session: Session, loaded: Loaded, done: SessionDischarge) -> str:
    """A plain-text draft of the session note from what was recorded."""
    row = loaded.row
    dose = session.scalar(select(DoseAdministration).where(DoseAdministration.session_id == row.id))
    readings = readings_of(session, row.id)
    events = session.scalars(select(AdverseEvent).where(AdverseEvent.session_id == row.id)).all()
    lines = [
        f"Session {row.id} — {loaded.patient.display_name}, route {row.route.value}.",
    ]
    if dose is not None:
        lines.append(
            f"Dose: {dose.drug.value} {dose.dose_mg:g} mg"
            + (f" ({dose.dose_mg_per_kg:g} mg/kg)" if dose.dose_mg_per_kg else "")
            + (f", {dose.device_count} device(s)" if dose.device_count else "")
            + f", lot {dose.lot_number} (exp. {dose.lot_expiry}), started "
            f"{dose.started_at:%H:%M} UTC"
            + (f", ended {row.dose_end_at:%H:%M} UTC." if row.dose_end_at else ".")
        )
    if readings:
        lines.append(
            f"Vital signs: {len(readings)} readings; last "
            f"{as_reading(readings[-1]).bp_text}, HR {readings[-1].heart_rate_bpm:g}, "
            f"SpO2 {readings[-1].spo2_pct:g}%."
        )
    for event in events:
        lines.append(
            f"Adverse event: {event.event_type} ({event.severity}); action: "
            f"{event.action_taken or 'none'}; outcome: {event.outcome or 'not stated'}."
        )
    lines.append(
        f"Ready to leave {done.ready_to_leave_at:%H:%M} UTC; discharged {done.discharged_at:%H:%M}"
        f" UTC with {done.escort_name}. Instructions given: " + " ".join(done.instructions)
    )
    return "\n".join(lines)


def notes(
    *, session: Session, actor: Actor, clock: Clock, session_id: int
) -> Sequence[SessionNote]:
    """Every version of the session note, oldest first."""
    loaded = load_session(
        session=session, actor=actor, clock=clock, session_id=session_id, action="session.note_read"
    )
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="session.note_read")
    return _notes(session, session_id)


def save_note(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    text: str,
    sign: bool = False,
    amendment_reason: str = "",
) -> SessionNote:
    """A new version of the note (edited text, and signed when `sign`). After a signed version,
    a new version is an amendment and needs `amendment_reason`."""
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="session.note_write",
        roles=CLINICIANS,
    )
    if not text.strip():
        raise InvalidInput("the note must not be empty", field="text")
    earlier = _notes(session, session_id)
    if any(n.signed for n in earlier) and not amendment_reason.strip():
        raise Conflict("the note is signed; a change is an amendment and needs its reason")
    note = _add_note(
        session,
        session_id,
        text.strip(),
        actor,
        clock.now(),
        signed=sign,
        amendment_reason=amendment_reason.strip(),
    )
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        action="session.note_sign" if sign else "session.note_write",
        detail={"version": note.version},
    )
    return note


def _notes(session: Session, session_id: int) -> Sequence[SessionNote]:
    return session.scalars(
        select(SessionNote)
        .where(SessionNote.session_id == session_id)
        .order_by(SessionNote.version)
    ).all()


def _add_note(
    session: Session,
    session_id: int,
    text: str,
    actor: Actor,
    at: datetime,
    *,
    generated: bool = False,
    signed: bool = False,
    amendment_reason: str = "",
) -> SessionNote:
    version = len(_notes(session, session_id)) + 1
    note = SessionNote(
        session_id=session_id,
        version=version,
        text=text,
        signed=signed,
        generated=generated,
        amendment_reason=amendment_reason,
        at=at,
        author_user_id=actor.user_id,
    )
    session.add(note)
    session.flush()
    return note


def _in_clinic(
    session: Session, actor: Actor, clock: Clock, session_id: int, action: str
) -> Loaded:
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action=action,
        roles=CLINICIANS,
    )
    if loaded.row.status not in IN_CLINIC:
        raise Conflict(
            f"session {loaded.row.id} is {loaded.row.status.value}; this is recorded while the "
            "patient is in the clinic"
        )
    return loaded
