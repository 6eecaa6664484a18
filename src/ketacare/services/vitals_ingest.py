"""Vital signs into a session: the one ingest path for manual entry and the monitor feed.

`record_vitals` validates a reading (the core's `VitalReading`), works out the session phase,
asks the core what it means (`assess_reading`), stores the reading with its findings and raises
an alert for every finding at one of the core's alert levels (caution, act, emergency); alerts
stay open until a staff member acknowledges them with a note. `cadence` reports when the next
reading is due (the core's `cadence_due`); `overdue_report` lists the clinic's sessions whose
reading is overdue.

Readings are only ever inserted: 50 concurrent recordings for one session are 50 rows, and a
monitor message re-sent with the same `external_id` is recognised rather than stored twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    AlertAcknowledgement,
    ReadingSource,
    TreatmentSession,
    VitalAlert,
    VitalReadingRow,
)
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.findings import Finding
from ketacare.domain.monitoring import CadenceStatus, cadence_due
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.session_flow import IN_CLINIC, SessionStatus
from ketacare.domain.vital_signs import Phase, VitalReading
from ketacare.domain.vitals import AlertLevel, assess_reading
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.session_common import (
    CLINICIANS,
    STAFF,
    findings_json,
    load_session,
    record,
    shape_of,
)

# The core's alert levels (caution, act, emergency). Pre-dose HOLD/BLOCK findings are the
# gate's business (a prescriber decides), not alerts to acknowledge.
ALERT_SEVERITIES = frozenset(level.severity for level in AlertLevel)


@dataclass(frozen=True)
class RecordedReading:
    """The stored reading, the alerts it raised and every finding of the core."""

    reading: VitalReadingRow
    alerts: tuple[VitalAlert, ...]
    findings: tuple[Finding, ...]
    duplicate: bool = False  # True: the same monitor message was already stored


def record_vitals(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    session_id: int,
    systolic_mmhg: float,
    diastolic_mmhg: float,
    heart_rate_bpm: float,
    spo2_pct: float,
    respiratory_rate_per_min: float | None = None,
    taken_at: datetime | None = None,
    moaas: int | None = None,
    symptoms: Sequence[str] = (),
    source: ReadingSource = ReadingSource.MANUAL,
    external_id: str | None = None,
) -> RecordedReading:
    """Store one reading for a session in the clinic (checked in, not yet left).

    `taken_at` defaults to now and cannot be in the future. `moaas` is a MOAA/S score observed
    with the reading; `symptoms` are crisis symptoms present (emergency whatever the numbers).
    `external_id` is the monitor's message id: a second message with the same id returns the
    first reading (`duplicate=True`) and stores nothing.
    """
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="vitals.record",
        roles=CLINICIANS,
    )
    row = loaded.row
    if row.status not in IN_CLINIC:
        raise Conflict(
            f"session {row.id} is {row.status.value}: vital signs are recorded from check-in "
            "until discharge"
        )
    now = clock.now()
    taken = taken_at or now
    if taken.tzinfo is None:
        raise InvalidInput("taken_at must carry a timezone", field="taken_at")
    if taken > now:
        raise InvalidInput("taken_at cannot be in the future", field="taken_at")
    if external_id is not None:
        existing = _by_external_id(session, row.id, external_id)
        if existing is not None:
            return RecordedReading(existing, (), (), duplicate=True)
    reading = VitalReading(
        systolic_mmhg=systolic_mmhg,
        diastolic_mmhg=diastolic_mmhg,
        heart_rate_bpm=heart_rate_bpm,
        spo2_pct=spo2_pct,
        respiratory_rate_per_min=respiratory_rate_per_min,
        taken_at=taken,
    )
    phase = phase_at(row, taken)
    findings = assess_reading(
        reading, row.route, phase, loaded.policy.vitals, moaas=moaas, symptoms=symptoms
    )
    stored = VitalReadingRow(
        session_id=row.id,
        patient_id=row.patient_id,
        taken_at=taken,
        systolic_mmhg=systolic_mmhg,
        diastolic_mmhg=diastolic_mmhg,
        heart_rate_bpm=heart_rate_bpm,
        spo2_pct=spo2_pct,
        respiratory_rate_per_min=respiratory_rate_per_min,
        moaas=moaas,
        phase=phase,
        source=source,
        external_id=external_id,
        findings=findings_json(findings),
        recorded_at=now,
        recorded_by_user_id=actor.user_id,
    )
    session.add(stored)
    session.flush()
    alerts = tuple(_raise_alerts(session, stored, findings, now))
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=row,
        action="vitals.record",
        detail={
            "reading_id": stored.id,
            "source": source.value,
            "alerts": [a.level.value for a in alerts],
        },
    )
    return RecordedReading(stored, alerts, tuple(findings))


def phase_at(row: TreatmentSession, taken: datetime) -> Phase:
    """Where in the session a reading taken at `taken` falls."""
    if row.dose_start_at is None or taken < row.dose_start_at:
        return Phase.PRE_DOSE
    if row.dose_end_at is None or taken < row.dose_end_at:
        return Phase.DOSING
    return Phase.RECOVERY


def _raise_alerts(
    session: Session, stored: VitalReadingRow, findings: Sequence[Finding], now: datetime
) -> list[VitalAlert]:
    alerts = [
        VitalAlert(
            session_id=stored.session_id,
            reading_id=stored.id,
            rule_id=f.rule_id,
            level=f.severity,
            message=f.message,
            raised_at=now,
        )
        for f in findings
        if f.severity in ALERT_SEVERITIES
    ]
    session.add_all(alerts)
    session.flush()
    return alerts


def _by_external_id(session: Session, session_id: int, external_id: str) -> VitalReadingRow | None:
    return session.scalar(
        select(VitalReadingRow).where(
            VitalReadingRow.session_id == session_id, VitalReadingRow.external_id == external_id
        )
    )


def list_readings(
    *, session: Session, actor: Actor, clock: Clock, session_id: int
) -> Sequence[VitalReadingRow]:
    """A session's readings, oldest first."""
    loaded = load_session(
        session=session, actor=actor, clock=clock, session_id=session_id, action="vitals.read"
    )
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="vitals.read")
    return readings_of(session, session_id)


def readings_of(session: Session, session_id: int) -> Sequence[VitalReadingRow]:
    return session.scalars(
        select(VitalReadingRow)
        .where(VitalReadingRow.session_id == session_id)
        .order_by(VitalReadingRow.taken_at, VitalReadingRow.id)
    ).all()


@dataclass(frozen=True)
class AlertView:
    alert: VitalAlert
    acknowledgement: AlertAcknowledgement | None

    @property
    def open(self) -> bool:
        return self.acknowledgement is None


def list_alerts(
    *, session: Session, actor: Actor, clock: Clock, session_id: int, only_open: bool = False
) -> list[AlertView]:
    """A session's alerts, newest first, each with its acknowledgement if any."""
    loaded = load_session(
        session=session, actor=actor, clock=clock, session_id=session_id, action="alerts.read"
    )
    rows = session.execute(
        select(VitalAlert, AlertAcknowledgement)
        .outerjoin(AlertAcknowledgement, AlertAcknowledgement.alert_id == VitalAlert.id)
        .where(VitalAlert.session_id == session_id)
        .order_by(VitalAlert.raised_at.desc(), VitalAlert.id.desc())
    ).all()
    views = [AlertView(alert, ack) for alert, ack in rows]
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="alerts.read")
    return [v for v in views if v.open] if only_open else views


def acknowledge_alert(
    *, session: Session, actor: Actor, clock: Clock, alert_id: int, note: str
) -> AlertAcknowledgement:
    """A clinician acknowledges an alert with a note (what was seen and done). Once only."""
    alert = session.get(VitalAlert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} was not found")
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=alert.session_id,
        action="alerts.acknowledge",
        roles=CLINICIANS,
    )
    if not note.strip():
        raise InvalidInput("say what was assessed and done in the note", field="note")
    done = session.scalar(
        select(AlertAcknowledgement).where(AlertAcknowledgement.alert_id == alert_id)
    )
    if done is not None:
        raise Conflict(f"alert {alert_id} was already acknowledged at {done.at:%H:%M}")
    ack = AlertAcknowledgement(
        alert_id=alert_id, note=note.strip(), at=clock.now(), user_id=actor.user_id
    )
    session.add(ack)
    session.flush()
    record(
        session=session,
        actor=actor,
        clock=clock,
        row=loaded.row,
        action="alerts.acknowledge",
        detail={"alert_id": alert_id, "level": alert.level.value},
    )
    return ack


def cadence(*, session: Session, actor: Actor, clock: Clock, session_id: int) -> CadenceStatus:
    """When the session's next reading is due and whether it is overdue now."""
    loaded = load_session(
        session=session, actor=actor, clock=clock, session_id=session_id, action="vitals.cadence"
    )
    record(session=session, actor=actor, clock=clock, row=loaded.row, action="vitals.cadence")
    return _cadence_of(session, loaded.row, loaded.policy, clock.now())


def _cadence_of(
    session: Session, row: TreatmentSession, policy: ClinicPolicy, now: datetime
) -> CadenceStatus:
    # Before dosing, the pre-dose reading is due when dosing is planned to start.
    planned = row.scheduled_start + timedelta(minutes=shape_of(row, policy).pre_dose_min)
    dose_start = row.dose_start_at or planned
    times = [r.taken_at for r in readings_of(session, row.id) if r.taken_at <= now]
    return cadence_due(row.route, dose_start, row.dose_end_at, times, now, policy.vitals)


@dataclass(frozen=True)
class OverdueLine:
    session: TreatmentSession
    status: CadenceStatus


def overdue_report(*, session: Session, actor: Actor, clock: Clock) -> list[OverdueLine]:
    """Sessions of the actor's clinic being monitored (dosing, monitoring, recovery) whose next
    reading is overdue now, most overdue first."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=STAFF, action="vitals.overdue_report"
    )
    monitored = (SessionStatus.DOSING, SessionStatus.MONITORING, SessionStatus.RECOVERY)
    rows = session.scalars(
        select(TreatmentSession).where(
            TreatmentSession.clinic_id == actor.clinic_id,
            TreatmentSession.status.in_(monitored),
        )
    ).all()
    now = clock.now()
    lines: list[OverdueLine] = []
    if rows:
        policy, _ = current_policy(session=session, clinic_id=rows[0].clinic_id)
        for row in rows:
            status = _cadence_of(session, row, policy, now)
            if status.overdue:
                lines.append(OverdueLine(row, status))
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="vitals.overdue_report",
        detail={"overdue": [line.session.id for line in lines]},
    )
    return sorted(lines, key=lambda line: -line.status.overdue_by_min)
