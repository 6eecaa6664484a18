"""The clinic's own records as the analytics' three columnar tables (no access check, no
audit: `outcome_report.clinic_outcome_report` authorises and audits the read).

The shapes are those `ketacare.simulation` generates (docs/simulation.md), so the same
`ketacare.analytics.outcome_report` runs on both:

- ``patients``: patient_id, comorbid_depression, comorbid_ptsd (diagnoses of the current
  intake: MDD, PTSD), route (of the first course).
- ``sessions``: one row per dosed session — patient_id, session_number (1, 2, … in dose order),
  day (days since the patient's first dose), phase ("loading" before the course's plan first
  reached maintenance, "booster" after), route, and the event flags nausea (a nausea or
  vomiting adverse event), dissociation (highest CADSS-6 above 4), sedation (lowest MOAA/S 4 or
  below), large_bp_rise (peak − pre-dose ≥ 40 systolic and/or ≥ 25 diastolic mmHg).
- ``scores``: GAD-7 and PHQ-9 totals not struck by an amendment — the intake score is the
  baseline (session_number 0, day 0); the first score after session k and before session k+1
  is the score after session k; every other score is a check-in (session_number NaN).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    AdverseEvent,
    Intake,
    Patient,
    ScoreKind,
    SessionScore,
    SymptomScore,
    SymptomScoreAmendment,
    SymptomSource,
    TreatmentCourse,
    TreatmentPlan,
    TreatmentSession,
    VitalReadingRow,
)
from ketacare.db.models.course import PlanStatus
from ketacare.domain.vital_signs import Phase

INSTRUMENT_NAMES = {"gad7": "GAD-7", "phq9": "PHQ-9"}
NAUSEA_EVENTS = ("nausea", "vomiting")
DISSOCIATION_ABOVE_CADSS6 = 4
SEDATION_AT_MOST_MOAAS = 4
LARGE_RISE_SYSTOLIC_MMHG = 40
LARGE_RISE_DIASTOLIC_MMHG = 25
DAY_S = 86_400.0

EVENT_DEFINITIONS = {
    "nausea": "a nausea or vomiting adverse event recorded in the session",
    "dissociation": f"the session's highest CADSS-6 above {DISSOCIATION_ABOVE_CADSS6}",
    "sedation": f"the session's lowest MOAA/S {SEDATION_AT_MOST_MOAAS} or below",
    "large_bp_rise": f"peak reading ≥ {LARGE_RISE_SYSTOLIC_MMHG} mmHg systolic and/or "
    f"≥ {LARGE_RISE_DIASTOLIC_MMHG} mmHg diastolic above the pre-dose reading (Spravato label "
    "definition)",
}


@dataclass(frozen=True)
class ClinicFrames:
    patients: pd.DataFrame
    sessions: pd.DataFrame
    scores: pd.DataFrame


def clinic_frames(session: Session, clinic_id: int) -> ClinicFrames:
    """The clinic's records as the analytics' tables (patients of other clinics never)."""
    ids = list(session.scalars(select(Patient.id).where(Patient.clinic_id == clinic_id)))
    sessions = _sessions(session, clinic_id)
    first_dose = sessions.groupby("patient_id")["at"].min().to_dict() if len(sessions) else {}
    scores = _scores(session, clinic_id, sessions, first_dose)
    patients = _patients(session, ids, clinic_id)
    return ClinicFrames(patients, sessions.drop(columns=["at", "session_id"]), scores)


def _patients(session: Session, ids: list[int], clinic_id: int) -> pd.DataFrame:
    latest = (
        select(Intake.patient_id, func.max(Intake.version).label("version"))
        .join(Patient, Patient.id == Intake.patient_id)
        .where(Patient.clinic_id == clinic_id)
        .group_by(Intake.patient_id)
        .subquery()
    )
    diagnoses = {
        pid: set(data.get("diagnoses", []))
        for pid, data in session.execute(
            select(Intake.patient_id, Intake.data).join(
                latest,
                (latest.c.patient_id == Intake.patient_id) & (latest.c.version == Intake.version),
            )
        )
    }
    routes: dict[int, str] = {}
    for pid, route in session.execute(
        select(TreatmentCourse.patient_id, TreatmentCourse.route)
        .join(Patient, Patient.id == TreatmentCourse.patient_id)
        .where(Patient.clinic_id == clinic_id)
        .order_by(TreatmentCourse.starts_on, TreatmentCourse.id)
    ):
        routes.setdefault(pid, route.value)
    return pd.DataFrame(
        {
            "patient_id": np.asarray(ids, dtype=np.int64),
            "comorbid_depression": [("mdd" in diagnoses.get(p, set())) for p in ids],
            "comorbid_ptsd": [("ptsd" in diagnoses.get(p, set())) for p in ids],
            "route": [routes.get(p, "none") for p in ids],
        }
    )


def _sessions(session: Session, clinic_id: int) -> pd.DataFrame:
    rows = session.execute(
        select(
            TreatmentSession.id,
            TreatmentSession.patient_id,
            TreatmentSession.course_id,
            TreatmentSession.route,
            TreatmentSession.dose_start_at,
        )
        .where(
            TreatmentSession.clinic_id == clinic_id,
            TreatmentSession.dose_start_at.is_not(None),
        )
        .order_by(TreatmentSession.patient_id, TreatmentSession.dose_start_at)
    ).all()
    maintenance_from = dict(
        session.execute(
            select(TreatmentPlan.course_id, func.min(TreatmentPlan.created_at))
            .join(TreatmentCourse, TreatmentCourse.id == TreatmentPlan.course_id)
            .join(Patient, Patient.id == TreatmentCourse.patient_id)
            .where(Patient.clinic_id == clinic_id, TreatmentPlan.status == PlanStatus.MAINTENANCE)
            .group_by(TreatmentPlan.course_id)
        ).all()
    )
    session_ids = [r.id for r in rows]
    flags = _event_flags(session, clinic_id, session_ids)
    number: dict[int, int] = defaultdict(int)
    first: dict[int, datetime] = {}
    records = []
    for r in rows:
        number[r.patient_id] += 1
        start = first.setdefault(r.patient_id, r.dose_start_at)
        since = maintenance_from.get(r.course_id)
        records.append(
            {
                "session_id": r.id,
                "patient_id": r.patient_id,
                "session_number": number[r.patient_id],
                "day": (r.dose_start_at - start).total_seconds() / DAY_S,
                "phase": "booster" if since is not None and r.dose_start_at > since else "loading",
                "route": r.route.value,
                "at": r.dose_start_at,
                **{name: r.id in found for name, found in flags.items()},
            }
        )
    columns = ["session_id", "patient_id", "session_number", "day", "phase", "route", "at"]
    return pd.DataFrame.from_records(records, columns=[*columns, *EVENT_DEFINITIONS])


def _event_flags(session: Session, clinic_id: int, ids: list[int]) -> dict[str, set[int]]:
    in_clinic = select(TreatmentSession.id).where(TreatmentSession.clinic_id == clinic_id)
    nausea = set(
        session.scalars(
            select(AdverseEvent.session_id).where(
                AdverseEvent.session_id.in_(in_clinic),
                AdverseEvent.event_type.in_(NAUSEA_EVENTS),
            )
        )
    )
    cadss = session.execute(
        select(SessionScore.session_id, func.max(SessionScore.total))
        .where(SessionScore.session_id.in_(in_clinic), SessionScore.kind == ScoreKind.CADSS6)
        .group_by(SessionScore.session_id)
    ).all()
    moaas: dict[int, int] = {}
    for sid, low in session.execute(
        select(SessionScore.session_id, func.min(SessionScore.total))
        .where(SessionScore.session_id.in_(in_clinic), SessionScore.kind == ScoreKind.MOAAS)
        .group_by(SessionScore.session_id)
    ):
        moaas[sid] = low
    predose: dict[int, tuple[float, float]] = {}
    peak: dict[int, tuple[float, float]] = {}
    for sid, phase, systolic, diastolic, reading_moaas in session.execute(
        select(
            VitalReadingRow.session_id,
            VitalReadingRow.phase,
            VitalReadingRow.systolic_mmhg,
            VitalReadingRow.diastolic_mmhg,
            VitalReadingRow.moaas,
        )
        .where(VitalReadingRow.session_id.in_(in_clinic))
        .order_by(VitalReadingRow.taken_at, VitalReadingRow.id)
    ):
        if reading_moaas is not None:
            moaas[sid] = min(moaas.get(sid, 5), reading_moaas)
        if phase is Phase.PRE_DOSE:
            predose[sid] = (systolic, diastolic)  # the latest pre-dose reading counts
        else:
            high = peak.get(sid, (0.0, 0.0))
            peak[sid] = (max(high[0], systolic), max(high[1], diastolic))
    rise = {
        sid
        for sid, (s, d) in peak.items()
        if sid in predose
        and (
            s - predose[sid][0] >= LARGE_RISE_SYSTOLIC_MMHG
            or d - predose[sid][1] >= LARGE_RISE_DIASTOLIC_MMHG
        )
    }
    return {
        "nausea": nausea,
        "dissociation": {sid for sid, top in cadss if top > DISSOCIATION_ABOVE_CADSS6},
        "sedation": {sid for sid, low in moaas.items() if low <= SEDATION_AT_MOST_MOAAS},
        "large_bp_rise": rise,
    }


def _scores(
    session: Session, clinic_id: int, sessions: pd.DataFrame, first_dose: dict[int, datetime]
) -> pd.DataFrame:
    struck = select(SymptomScoreAmendment.score_id)
    rows = session.execute(
        select(
            SymptomScore.patient_id,
            SymptomScore.instrument,
            SymptomScore.total,
            SymptomScore.taken_at,
            SymptomScore.source,
        )
        .where(
            SymptomScore.clinic_id == clinic_id,
            SymptomScore.instrument.in_(INSTRUMENT_NAMES),
            SymptomScore.id.not_in(struck),
        )
        .order_by(SymptomScore.patient_id, SymptomScore.taken_at, SymptomScore.id)
    ).all()
    doses: dict[int, list[datetime]] = defaultdict(list)
    for pid, at in zip(sessions["patient_id"], sessions["at"], strict=True):
        doses[int(pid)].append(at)
    taken: set[tuple[int, str, int]] = set()
    records = []
    for pid, code, total, at, source in rows:
        start = first_dose.get(pid)
        if source is SymptomSource.INTAKE:
            number: float = 0.0
            day = 0.0
        else:
            k = bisect_right(doses.get(pid, []), at)  # sessions dosed before this score
            number = float(k) if k >= 1 and (pid, code, k) not in taken else np.nan
            if k >= 1:
                taken.add((pid, code, k))
            day = (at - start).total_seconds() / DAY_S if start is not None else np.nan
        records.append((pid, day, number, INSTRUMENT_NAMES[code], total))
    frame = pd.DataFrame.from_records(
        records, columns=["patient_id", "day", "session_number", "instrument", "score"]
    )
    # Keep one baseline per patient and instrument (the latest intake version's score).
    baseline = frame["session_number"] == 0
    latest = ~frame[baseline].duplicated(["patient_id", "instrument"], keep="last")
    keep = ~baseline
    keep[latest[latest].index] = True
    return frame[keep & frame["day"].notna()].reset_index(drop=True)
