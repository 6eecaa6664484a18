"""The "how many sessions will I need?" forecast for a patient, learnt from the clinic's courses.

Loads the patient's latest course (route), the intake (comorbid depression / PTSD from the
diagnoses), the baseline and later symptom scores, and the sessions given (discharged), then asks
the clinical core (`ketacare.domain.forecast`). The model is chosen by the core: the published
priors, or — when the clinic has at least `forecast.min_completed_courses` completed courses —
a fit on those courses shrunk toward the priors.

How scores line up with sessions: the baseline is the latest score taken before the course's
first session (the intake questionnaires, usually); the score "after session k" is the latest
score taken after session k started and before session k + 1 started (for the last session, up
to `AFTER_LAST_SESSION_DAYS` later). A completed course is one whose current plan is in
maintenance or stopped (its loading series is over). Fitted models are cached in-process per
clinic, day, instrument, policy version and a fingerprint of the clinic's data.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    Intake,
    Patient,
    SymptomScore,
    SymptomScoreAmendment,
    TreatmentCourse,
    TreatmentPlan,
    TreatmentSession,
)
from ketacare.db.models.course import PlanStatus
from ketacare.domain.errors import Conflict, NotFound
from ketacare.domain.forecast import (
    ForecastModel,
    PatientCourse,
    SessionForecast,
    choose_model,
    forecast_sessions,
)
from ketacare.domain.forecast_text import clinician_sentence, patient_sentence
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import Route
from ketacare.domain.screening_input import Diagnosis
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import access, audit, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.intake import current_intake
from ketacare.services.policy import current_policy

COMPLETED = frozenset({PlanStatus.MAINTENANCE, PlanStatus.STOPPED})
AFTER_LAST_SESSION_DAYS = 14
_CACHE_SIZE = 64
_cache: dict[tuple[Any, ...], ForecastModel] = {}


@dataclass(frozen=True)
class PatientForecast:
    patient_id: int
    course_id: int
    route: Route
    forecast: SessionForecast
    patient_sentence: str
    clinician_sentence: str


@dataclass(frozen=True)
class _Score:
    instrument: str
    total: int
    taken_at: datetime


def clear_cache() -> None:
    """Forget every cached fitted model (tests; after a bulk import)."""
    _cache.clear()


def patient_forecast(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int
) -> PatientForecast:
    """The forecast for the patient's latest course (staff of the clinic, or the patient)."""
    patient = access.patient_for(
        session=session, actor=actor, clock=clock, patient_id=patient_id, action="forecast.read"
    )
    course = session.scalar(
        select(TreatmentCourse)
        .where(TreatmentCourse.patient_id == patient.id)
        .order_by(TreatmentCourse.starts_on.desc(), TreatmentCourse.id.desc())
        .limit(1)
    )
    if course is None:
        raise NotFound("the patient has no treatment course yet: nothing to forecast")
    history = symptom_scores.symptom_history(
        session=session, actor=actor, clock=clock, patient_id=patient.id
    )
    scores = [_Score(s.instrument, s.total, s.taken_at) for s in history]
    starts = _session_starts(session, [course.id]).get(course.id, [])
    intake = current_intake(session=session, patient_id=patient.id)
    instrument, record = _patient_course(course.route, starts, scores, intake)
    policy, version = current_policy(session=session, clinic_id=patient.clinic_id)
    model = clinic_model(
        session=session,
        clinic_id=patient.clinic_id,
        instrument=instrument,
        policy=policy,
        policy_version=version,
        today=clock.now().date(),
        exclude_patient_id=patient.id,
    )
    result = forecast_sessions(record, model, outcomes=policy.outcomes, policy=policy.forecast)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="forecast.read",
        patient_id=patient.id,
        object_type="treatment_course",
        object_id=course.id,
        detail={"instrument": instrument, "basis": result.basis, "landmark": result.landmark},
    )
    return PatientForecast(
        patient.id,
        course.id,
        course.route,
        result,
        patient_sentence(result),
        clinician_sentence(result, policy.outcomes),
    )


def _patient_course(
    route: Route, starts: Sequence[datetime], scores: Sequence[_Score], intake: Intake | None
) -> tuple[str, PatientCourse]:
    """The forecast instrument (GAD-7, else PHQ-9) and the course as the core sees it."""
    for code in ("gad7", "phq9"):
        record = course_record(route, starts, scores, intake, code)
        if record is not None:
            return code, record
    raise Conflict(
        "the patient has no baseline GAD-7 or PHQ-9 above 0: record the intake questionnaires "
        "before forecasting"
    )


def course_record(
    route: Route,
    starts: Sequence[datetime],
    scores: Sequence[_Score],
    intake: Intake | None,
    code: str,
) -> PatientCourse | None:
    """The course for forecasting `code`, or None without a baseline of `code` above 0."""
    baselines = {c: _baseline(scores, c, starts) for c in ("gad7", "phq9")}
    if (baselines[code] or 0) <= 0:
        return None
    depression, ptsd = comorbidity(intake.data if intake else {})
    return PatientCourse(
        route=route,
        gad7_baseline=baselines["gad7"],
        phq9_baseline=baselines["phq9"],
        comorbid_depression=depression,
        comorbid_ptsd=ptsd,
        sessions_done=len(starts),
        scores_after_session=after_sessions(scores, code, starts),
    )


def comorbidity(intake_data: Mapping[str, Any]) -> tuple[bool, bool]:
    """(comorbid depression, comorbid PTSD) from the intake's diagnoses."""
    diagnoses = set(intake_data.get("diagnoses", []))
    ptsd = Diagnosis.PTSD.value in diagnoses or bool(intake_data.get("ptsd_suspected"))
    return Diagnosis.MDD.value in diagnoses, ptsd


def _baseline(scores: Sequence[_Score], code: str, starts: Sequence[datetime]) -> int | None:
    first = starts[0] if starts else None
    before = [s for s in scores if s.instrument == code and (first is None or s.taken_at < first)]
    return before[-1].total if before else None


def after_sessions(
    scores: Iterable[_Score], code: str, starts: Sequence[datetime]
) -> tuple[tuple[int, int], ...]:
    """(session number, total): the latest score of `code` after each session (see module)."""
    if not starts:
        return ()
    latest: dict[int, tuple[datetime, int]] = {}
    cutoff = starts[-1] + timedelta(days=AFTER_LAST_SESSION_DAYS)
    for s in scores:
        if s.instrument != code or s.taken_at < starts[0] or s.taken_at > cutoff:
            continue
        k = bisect_right(list(starts), s.taken_at)
        if k not in latest or s.taken_at >= latest[k][0]:
            latest[k] = (s.taken_at, s.total)
    return tuple((k, total) for k, (_, total) in sorted(latest.items()))


def _session_starts(session: Session, course_ids: Sequence[int]) -> dict[int, list[datetime]]:
    """Start of each discharged (given) session per course, in order."""
    if not course_ids:
        return {}
    rows = session.execute(
        select(
            TreatmentSession.course_id,
            func.coalesce(TreatmentSession.dose_start_at, TreatmentSession.scheduled_start),
        ).where(
            TreatmentSession.course_id.in_(course_ids),
            TreatmentSession.status == SessionStatus.DISCHARGED,
        )
    ).all()
    out: dict[int, list[datetime]] = defaultdict(list)
    for course_id, start in rows:
        if course_id is not None:
            out[int(course_id)].append(_aware(start))
    return {k: sorted(v) for k, v in out.items()}


def _aware(value: datetime) -> datetime:
    # coalesce() bypasses the UTCDateTime column type on SQLite; the stored values are UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def clinic_model(
    *,
    session: Session,
    clinic_id: int,
    instrument: str,
    policy: ClinicPolicy,
    policy_version: int,
    today: date,
    exclude_patient_id: int | None = None,
) -> ForecastModel:
    """The model for `instrument` from the clinic's completed courses (cached; see module)."""
    key = (clinic_id, today, instrument, policy_version, exclude_patient_id)
    key += _fingerprint(session, clinic_id)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    courses = completed_courses(session=session, clinic_id=clinic_id, exclude=exclude_patient_id)
    model = choose_model(
        instrument, courses.get(instrument, []), policy=policy.forecast, outcomes=policy.outcomes
    )
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[key] = model
    return model


def _fingerprint(session: Session, clinic_id: int) -> tuple[Any, ...]:
    """Changes whenever a score, session or plan of the clinic is added (append-only tables)."""
    scores = session.execute(
        select(func.count(SymptomScore.id), func.max(SymptomScore.id)).where(
            SymptomScore.clinic_id == clinic_id
        )
    ).one()
    struck = session.scalar(select(func.max(SymptomScoreAmendment.id)))
    sessions = session.scalar(
        select(func.max(TreatmentSession.id)).where(TreatmentSession.clinic_id == clinic_id)
    )
    plans = session.scalar(select(func.max(TreatmentPlan.id)))
    return (tuple(scores), struck, sessions, plans)


def completed_courses(
    *, session: Session, clinic_id: int, exclude: int | None = None
) -> dict[str, list[PatientCourse]]:
    """The clinic's completed courses as the core sees them, per forecast instrument."""
    courses = session.execute(
        select(TreatmentCourse.id, TreatmentCourse.patient_id, TreatmentCourse.route)
        .join(Patient, Patient.id == TreatmentCourse.patient_id)
        .where(Patient.clinic_id == clinic_id)
    ).all()
    ids = [c.id for c in courses if c.patient_id != exclude]
    done = _completed_ids(session, ids)
    chosen = [c for c in courses if c.id in done]
    starts = _session_starts(session, [c.id for c in chosen])
    patients = {c.patient_id for c in chosen}
    scores = _clinic_scores(session, clinic_id, patients)
    intakes = _latest_intakes(session, patients)
    out: dict[str, list[PatientCourse]] = {"gad7": [], "phq9": []}
    for c in chosen:
        if not starts.get(c.id):
            continue
        for code, records in out.items():
            got = scores.get(c.patient_id, [])
            record = course_record(c.route, starts[c.id], got, intakes.get(c.patient_id), code)
            if record is not None:
                records.append(record)
    return out


def _completed_ids(session: Session, course_ids: Sequence[int]) -> set[int]:
    if not course_ids:
        return set()
    latest: dict[int, tuple[int, PlanStatus]] = {}
    rows = session.execute(
        select(TreatmentPlan.course_id, TreatmentPlan.version, TreatmentPlan.status).where(
            TreatmentPlan.course_id.in_(course_ids)
        )
    ).all()
    for course_id, version, status in rows:
        if course_id not in latest or version > latest[course_id][0]:
            latest[course_id] = (version, status)
    return {cid for cid, (_, status) in latest.items() if status in COMPLETED}


def _clinic_scores(
    session: Session, clinic_id: int, patient_ids: set[int]
) -> dict[int, list[_Score]]:
    if not patient_ids:
        return {}
    struck = select(SymptomScoreAmendment.score_id)
    rows = session.execute(
        select(
            SymptomScore.patient_id,
            SymptomScore.instrument,
            SymptomScore.total,
            SymptomScore.taken_at,
        )
        .where(
            SymptomScore.clinic_id == clinic_id,
            SymptomScore.patient_id.in_(patient_ids),
            SymptomScore.instrument.in_(("gad7", "phq9")),
            SymptomScore.id.not_in(struck),
        )
        .order_by(SymptomScore.taken_at, SymptomScore.id)
    ).all()
    out: dict[int, list[_Score]] = defaultdict(list)
    for patient_id, instrument, total, taken_at in rows:
        out[int(patient_id)].append(_Score(instrument, int(total), taken_at))
    return out


def _latest_intakes(session: Session, patient_ids: set[int]) -> dict[int, Intake]:
    if not patient_ids:
        return {}
    rows = session.scalars(
        select(Intake).where(Intake.patient_id.in_(patient_ids)).order_by(Intake.version)
    ).all()
    return {row.patient_id: row for row in rows}
