"""Read models for the staff pages at the chair: today's board, the clinic's nurses and the
names a session's page shows.

Read-only. The board composes the existing services (the day view, the cadence rule's overdue
report, the patient alerts) and adds what they do not give in one read: each session's patient,
its open vital alerts, minutes since dose and the end of the minimum observation (the core's
`earliest_discharge`). Every read is audited like the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    AlertAcknowledgement,
    Clinic,
    Location,
    Patient,
    PatientAlert,
    Role,
    TreatmentSession,
    User,
    VitalAlert,
)
from ketacare.domain.discharge import earliest_discharge
from ketacare.domain.errors import InvalidInput
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.session_flow import DOSED, IN_CLINIC
from ketacare.services import access, audit, session_day, symptom_scores, vitals_ingest
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.session_common import STAFF, shape_of


@dataclass(frozen=True)
class BoardCard:
    """One session on the board. `minutes_since_dose` and `observation_left_min` are None
    before dosing; `overdue_by_min` is None unless the cadence rule reports a reading overdue."""

    row: TreatmentSession
    patient_name: str
    nurse_name: str
    minutes_since_dose: int | None
    observation_left_min: int | None
    overdue_by_min: float | None
    open_alerts: tuple[VitalAlert, ...]

    @property
    def in_clinic(self) -> bool:
        return self.row.status in IN_CLINIC


@dataclass(frozen=True)
class BoardChair:
    chair: Location
    cards: tuple[BoardCard, ...]


@dataclass(frozen=True)
class PatientAlertLine:
    alert: PatientAlert
    patient_name: str


@dataclass(frozen=True)
class Board:
    day: date
    zone: ZoneInfo
    now: datetime
    chairs: tuple[BoardChair, ...]
    patient_alerts: tuple[PatientAlertLine, ...]

    @property
    def open_vital_alerts(self) -> int:
        return sum(len(card.open_alerts) for c in self.chairs for card in c.cards)

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.chairs for card in c.cards if card.overdue_by_min is not None)


def clinic_of(*, session: Session, actor: Actor) -> Clinic:
    """The actor's clinic (InvalidInput for an actor without one)."""
    clinic = session.get(Clinic, actor.clinic_id) if actor.clinic_id is not None else None
    if clinic is None:
        raise InvalidInput("the actor belongs to no clinic", field="clinic_id")
    return clinic


def clinic_zone(*, session: Session, actor: Actor) -> ZoneInfo:
    """The actor's clinic's timezone (clinic time is what the pages show and read)."""
    return ZoneInfo(clinic_of(session=session, actor=actor).timezone)


def today_board(*, session: Session, actor: Actor, clock: Clock) -> Board:
    """Today's sessions (clinic time) chair by chair, with state, patient, minutes since dose,
    overdue readings and open alerts; the clinic's open patient alerts, urgent first."""
    clinic = clinic_of(session=session, actor=actor)
    zone = ZoneInfo(clinic.timezone)
    now = clock.now()
    day = now.astimezone(zone).date()
    chair_days = session_day.day_view(session=session, actor=actor, clock=clock, day=day)
    overdue = {
        line.session.id: line.status.overdue_by_min
        for line in vitals_ingest.overdue_report(session=session, actor=actor, clock=clock)
    }
    rows = [s for c in chair_days for s in c.sessions]
    alerts = _open_alerts(session, [r.id for r in rows])
    names = patient_names(session, {r.patient_id for r in rows})
    nurses = user_names(session, {r.nurse_user_id for r in rows})
    policy, _ = current_policy(session=session, clinic_id=clinic.id)
    chairs = tuple(
        BoardChair(
            c.chair,
            tuple(
                _card(r, names, nurses, overdue, alerts, policy_shape_end(r, policy), now)
                for r in c.sessions
            ),
        )
        for c in chair_days
    )
    patient_alerts = symptom_scores.patient_alerts(session=session, actor=actor, clock=clock)
    alert_names = patient_names(session, {a.patient_id for a in patient_alerts})
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="board.read",
        detail={"day": day.isoformat(), "sessions": len(rows)},
    )
    return Board(
        day,
        zone,
        now,
        chairs,
        tuple(PatientAlertLine(a, alert_names.get(a.patient_id, "")) for a in patient_alerts),
    )


def policy_shape_end(row: TreatmentSession, policy: ClinicPolicy) -> datetime | None:
    """The end of the minimum observation (the core's `earliest_discharge`; None before
    dosing)."""
    if row.dose_start_at is None or row.status not in DOSED:
        return None
    return earliest_discharge(row.dose_start_at, shape_of(row, policy), row.dose_end_at)


def _card(
    row: TreatmentSession,
    names: dict[int, str],
    nurses: dict[int, str],
    overdue: dict[int, float],
    alerts: dict[int, list[VitalAlert]],
    observation_end: datetime | None,
    now: datetime,
) -> BoardCard:
    since = None
    if row.dose_start_at is not None:
        since = max(0, int((now - row.dose_start_at).total_seconds() // 60))
    left = None
    if observation_end is not None and row.status in IN_CLINIC:
        left = max(0, int(-(-(observation_end - now).total_seconds() // 60)))
    return BoardCard(
        row,
        names.get(row.patient_id, ""),
        nurses.get(row.nurse_user_id, ""),
        since,
        left,
        overdue.get(row.id),
        tuple(sorted(alerts.get(row.id, []), key=lambda a: -a.level.rank)),
    )


def _open_alerts(session: Session, session_ids: Sequence[int]) -> dict[int, list[VitalAlert]]:
    if not session_ids:
        return {}
    rows = session.scalars(
        select(VitalAlert)
        .outerjoin(AlertAcknowledgement, AlertAcknowledgement.alert_id == VitalAlert.id)
        .where(VitalAlert.session_id.in_(session_ids), AlertAcknowledgement.id.is_(None))
        .order_by(VitalAlert.raised_at.desc(), VitalAlert.id.desc())
    ).all()
    found: dict[int, list[VitalAlert]] = {}
    for alert in rows:
        found.setdefault(alert.session_id, []).append(alert)
    return found


def patient_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Display names of patients already read through an audited service (e.g. the day view)."""
    if not ids:
        return {}
    rows = session.scalars(select(Patient).where(Patient.id.in_(ids))).all()
    return {p.id: p.display_name for p in rows}


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.scalars(select(User).where(User.id.in_(ids))).all()
    return {u.id: u.full_name for u in rows}


def clinic_nurses(*, session: Session, actor: Actor, clock: Clock) -> Sequence[User]:
    """The active nurses of the actor's clinic (staff only), for booking forms."""
    access.require_role(session=session, actor=actor, clock=clock, roles=STAFF, action="nurse.list")
    return session.scalars(
        select(User)
        .where(User.clinic_id == actor.clinic_id, User.role == Role.NURSE, User.active.is_(True))
        .order_by(User.full_name, User.id)
    ).all()


@dataclass(frozen=True)
class SessionNames:
    """What a session's page names besides the record itself."""

    patient: Patient
    chair_name: str
    nurse_name: str
    zone: ZoneInfo
    observation_end: datetime | None


def session_names(*, session: Session, row: TreatmentSession) -> SessionNames:
    """Names for a session already loaded through a service that checked the actor's reach
    (`session_read.get_session`); reads nothing new about the patient beyond the name."""
    patient = session.get(Patient, row.patient_id)
    chair = session.get(Location, row.chair_id)
    nurse = session.get(User, row.nurse_user_id)
    clinic = session.get(Clinic, row.clinic_id)
    assert patient is not None and clinic is not None
    policy, _ = current_policy(session=session, clinic_id=row.clinic_id)
    return SessionNames(
        patient,
        chair.name if chair else "",
        nurse.full_name if nurse else "",
        ZoneInfo(clinic.timezone),
        policy_shape_end(row, policy),
    )
