"""The patient chart as one read: everything a clinician sees on the chart page, loaded after a
single access check and audited once (`patient.chart.read`).

Read only. The decisions shown (screening verdict, plan, alerts) were made and stored by their
own services; this module only gathers them. `course_stages` gives the patient list its
"status of course" column without reading every chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    BodyMeasurement,
    Consent,
    ConsentText,
    ConsentWithdrawal,
    ConsentWitness,
    DoseAdministration,
    Intake,
    IntegrationSession,
    Patient,
    PatientAlert,
    PatientAlertAcknowledgement,
    Screening,
    SymptomScore,
    SymptomScoreAmendment,
    TreatmentCourse,
    TreatmentPlan,
    TreatmentSession,
    User,
    VitalAlert,
)
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.patients import age_on, latest_weight_and_height
from ketacare.services.policy import current_policy
from ketacare.services.screening import ScreeningView, latest_screening, view_of


@dataclass(frozen=True)
class SessionLine:
    """One treatment session on the chart's timeline (dose in mg, alerts raised in it)."""

    session: TreatmentSession
    dose_mg: float | None
    alerts: int


@dataclass(frozen=True)
class ConsentLine:
    consent: Consent
    text: ConsentText
    witnessed_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "current" if self.witnessed_at is not None else "awaiting witness"


@dataclass(frozen=True)
class CourseChart:
    course: TreatmentCourse
    plans: Sequence[TreatmentPlan]  # newest first
    consents: Sequence[ConsentLine]  # newest first
    integration: Sequence[IntegrationSession]  # newest first

    @property
    def plan(self) -> TreatmentPlan | None:
        return self.plans[0] if self.plans else None


@dataclass(frozen=True)
class AlertLine:
    alert: PatientAlert
    acknowledgement: PatientAlertAcknowledgement | None


@dataclass(frozen=True)
class PatientChart:
    patient: Patient
    age_years: int
    measurement: BodyMeasurement | None
    height_cm: float | None
    intake: Intake | None
    screening: ScreeningView | None
    screenings_total: int
    courses: Sequence[CourseChart]  # newest first
    sessions: Sequence[SessionLine]  # oldest first
    scores: Sequence[SymptomScore]  # oldest first, struck ones left out
    struck: Sequence[tuple[SymptomScore, SymptomScoreAmendment]]
    alerts: Sequence[AlertLine]  # open first (most severe, newest), then acknowledged
    outcomes: OutcomesPolicy
    people: dict[int, str] = field(default_factory=dict)  # user id → full name, for "who"

    @property
    def course(self) -> CourseChart | None:
        return self.courses[0] if self.courses else None

    @property
    def open_alerts(self) -> list[AlertLine]:
        return [a for a in self.alerts if a.acknowledgement is None]

    @property
    def stage(self) -> str:
        return stage_of(self.screening, self.course.plan if self.course else None, self.intake)


def stage_of(
    screening: ScreeningView | None, plan: TreatmentPlan | None, intake: Intake | None
) -> str:
    """Where the patient is on the way from registration to maintenance, in words."""
    if plan is not None:
        return f"plan: {plan.status.value}"
    if screening is not None:
        if screening.status == "cleared":
            return "screening cleared"
        return f"screening: {screening.status.replace('_', ' ')}"
    return "intake recorded" if intake is not None else "registered"


def read_chart(*, session: Session, actor: Actor, clock: Clock, patient_id: int) -> PatientChart:
    """The whole chart of one patient (staff of the patient's clinic; patients: Forbidden)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="patient.chart.read",
        roles=access.STAFF,
    )
    measurement, height = latest_weight_and_height(session=session, patient_id=patient.id)
    latest = latest_screening(session=session, patient_id=patient.id)
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    chart = PatientChart(
        patient=patient,
        age_years=age_on(patient.date_of_birth, clock.now().date()),
        measurement=measurement,
        height_cm=height,
        intake=_intake(session, patient.id),
        screening=view_of(session, latest) if latest is not None else None,
        screenings_total=session.scalar(
            select(func.count()).select_from(Screening).where(Screening.patient_id == patient.id)
        )
        or 0,
        courses=[_course(session, c) for c in _courses(session, patient.id)],
        sessions=_sessions(session, patient.id),
        scores=_scores(session, patient.id),
        struck=_struck(session, patient.id),
        alerts=_alerts(session, patient.id),
        outcomes=policy.outcomes,
        people=_people(session, patient.clinic_id),
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="patient.chart.read",
        patient_id=patient.id,
        object_type="patient",
        object_id=patient.id,
    )
    return chart


def _people(session: Session, clinic_id: int) -> dict[int, str]:
    """Names of the clinic's staff (authors of plan versions, reviewers, intake recorders)."""
    rows = session.execute(select(User.id, User.full_name).where(User.clinic_id == clinic_id))
    return {user_id: name for user_id, name in rows}


def _intake(session: Session, patient_id: int) -> Intake | None:
    return session.scalar(
        select(Intake)
        .where(Intake.patient_id == patient_id)
        .order_by(Intake.version.desc())
        .limit(1)
    )


def _courses(session: Session, patient_id: int) -> Sequence[TreatmentCourse]:
    return session.scalars(
        select(TreatmentCourse)
        .where(TreatmentCourse.patient_id == patient_id)
        .order_by(TreatmentCourse.starts_on.desc(), TreatmentCourse.id.desc())
    ).all()


def _course(session: Session, course: TreatmentCourse) -> CourseChart:
    plans = session.scalars(
        select(TreatmentPlan)
        .where(TreatmentPlan.course_id == course.id)
        .order_by(TreatmentPlan.version.desc())
    ).all()
    integration = session.scalars(
        select(IntegrationSession)
        .where(IntegrationSession.course_id == course.id)
        .order_by(IntegrationSession.held_on.desc(), IntegrationSession.id.desc())
    ).all()
    return CourseChart(course, plans, _consents(session, course.id), integration)


def _consents(session: Session, course_id: int) -> list[ConsentLine]:
    rows = session.execute(
        select(Consent, ConsentText, ConsentWitness, ConsentWithdrawal)
        .join(ConsentText, ConsentText.id == Consent.consent_text_id)
        .outerjoin(ConsentWitness, ConsentWitness.consent_id == Consent.id)
        .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
        .where(Consent.course_id == course_id)
        .order_by(Consent.signed_at.desc(), Consent.id.desc())
    ).all()
    return [
        ConsentLine(
            consent,
            text,
            witness.witnessed_at if witness else None,
            withdrawal.withdrawn_at if withdrawal else None,
            withdrawal.reason if withdrawal else "",
        )
        for consent, text, witness, withdrawal in rows
    ]


def _sessions(session: Session, patient_id: int) -> list[SessionLine]:
    alerts = (
        select(VitalAlert.session_id, func.count().label("n"))
        .group_by(VitalAlert.session_id)
        .subquery()
    )
    rows = session.execute(
        select(TreatmentSession, DoseAdministration.dose_mg, alerts.c.n)
        .outerjoin(DoseAdministration, DoseAdministration.session_id == TreatmentSession.id)
        .outerjoin(alerts, alerts.c.session_id == TreatmentSession.id)
        .where(TreatmentSession.patient_id == patient_id)
        .order_by(TreatmentSession.scheduled_start, TreatmentSession.id)
    ).all()
    return [SessionLine(row, dose, count or 0) for row, dose, count in rows]


def _scores(session: Session, patient_id: int) -> Sequence[SymptomScore]:
    struck = select(SymptomScoreAmendment.score_id)
    return session.scalars(
        select(SymptomScore)
        .where(SymptomScore.patient_id == patient_id, SymptomScore.id.not_in(struck))
        .order_by(SymptomScore.taken_at, SymptomScore.id)
    ).all()


def _struck(session: Session, patient_id: int) -> list[tuple[SymptomScore, SymptomScoreAmendment]]:
    rows = session.execute(
        select(SymptomScore, SymptomScoreAmendment)
        .join(SymptomScoreAmendment, SymptomScoreAmendment.score_id == SymptomScore.id)
        .where(SymptomScore.patient_id == patient_id)
        .order_by(SymptomScore.taken_at, SymptomScore.id)
    ).all()
    return [(s, a) for s, a in rows]


def _alerts(session: Session, patient_id: int) -> list[AlertLine]:
    rows = session.execute(
        select(PatientAlert, PatientAlertAcknowledgement)
        .outerjoin(
            PatientAlertAcknowledgement, PatientAlertAcknowledgement.alert_id == PatientAlert.id
        )
        .where(PatientAlert.patient_id == patient_id)
        .order_by(PatientAlert.raised_at.desc(), PatientAlert.id.desc())
    ).all()
    lines = [AlertLine(alert, ack) for alert, ack in rows]
    # Open before acknowledged; within each, the most severe first (urgent at the top).
    lines.sort(key=lambda a: (a.acknowledgement is not None, -a.alert.level.rank))
    return lines


def course_stages(
    *, session: Session, patients: Iterable[Patient]
) -> dict[int, tuple[str, str | None]]:
    """Each listed patient's stage and route (None before a course) for the patient list.

    No access check and no audit: the caller listed these patients through `list_patients`,
    which checked and audited the listing.
    """
    stages: dict[int, tuple[str, str | None]] = {}
    for patient in patients:
        course = session.scalar(
            select(TreatmentCourse)
            .where(TreatmentCourse.patient_id == patient.id)
            .order_by(TreatmentCourse.starts_on.desc(), TreatmentCourse.id.desc())
            .limit(1)
        )
        plan = (
            session.scalar(
                select(TreatmentPlan)
                .where(TreatmentPlan.course_id == course.id)
                .order_by(TreatmentPlan.version.desc())
                .limit(1)
            )
            if course is not None
            else None
        )
        latest = latest_screening(session=session, patient_id=patient.id)
        view = view_of(session, latest) if latest is not None else None
        stage = stage_of(view, plan, _intake(session, patient.id))
        stages[patient.id] = (stage, course.route.value if course is not None else None)
    return stages
