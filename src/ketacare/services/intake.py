"""Intake: medical and psychiatric history, medications, prior trials, substance use, pregnancy,
resting blood pressure and the baseline questionnaires — validated by the clinical core.

Each version is a full, validated document (`Intake.data`). A correction is `amend_intake`: a new
version with who, when and why, superseding the previous one, which stays readable. The table
is append-only. An amendment re-runs screening when the patient had been screened.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Intake, Role, SymptomScore, SymptomScoreAmendment, SymptomSource
from ketacare.domain.drugs import lookup_drug
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.instruments import GAD7, PCL5, PHQ9, score
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.domain.screening_input import (
    BloodPressureReading,
    Condition,
    Diagnosis,
    HepaticImpairment,
    Medication,
    TreatmentTrial,
)
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy

RECORDERS = frozenset({Role.PRESCRIBER, Role.NURSE})
PREGNANCY_STATUSES = ("not_applicable", "not_pregnant", "pregnant", "breastfeeding", "planning")
SUD_STATUSES = ("none", "past", "current")


def record_intake(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int, data: Mapping[str, Any]
) -> Intake:
    """The first intake of a patient (Conflict if one exists: amend it instead)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="intake.record",
        roles=RECORDERS,
    )
    if current_intake(session=session, patient_id=patient.id) is not None:
        raise Conflict("the patient has an intake already; amend it with a reason instead")
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    document = validate_intake(data, policy.outcomes)
    row = _add(session, actor, clock, patient.id, document, version=1, previous=None, reason="")
    _record_baseline(session, actor, clock, patient.id, document, previous=None, reason="")
    return row


def amend_intake(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    data: Mapping[str, Any],
    reason: str,
) -> Intake:
    """A corrected intake superseding the current version (the old one stays readable)."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="intake.amend",
        roles=RECORDERS,
    )
    if not reason.strip():
        raise InvalidInput("say why the intake is amended", field="reason")
    previous = current_intake(session=session, patient_id=patient.id)
    if previous is None:
        raise NotFound("the patient has no intake to amend; record one first")
    policy, _ = current_policy(session=session, clinic_id=patient.clinic_id)
    document = validate_intake(data, policy.outcomes)
    amended = _add(
        session,
        actor,
        clock,
        patient.id,
        document,
        version=previous.version + 1,
        previous=previous,
        reason=reason.strip(),
    )
    _record_baseline(session, actor, clock, patient.id, document, previous=previous, reason=reason)
    # Imported here: screening reads intakes, so the modules would otherwise import each other.
    from ketacare.services.screening import latest_screening, run_screening

    if latest_screening(session=session, patient_id=patient.id) is not None:
        run_screening(session=session, actor=actor, clock=clock, patient=patient)
    return amended


def _add(
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    document: dict[str, Any],
    *,
    version: int,
    previous: Intake | None,
    reason: str,
) -> Intake:
    row = Intake(
        patient_id=patient_id,
        version=version,
        supersedes_id=previous.id if previous else None,
        amendment_reason=reason,
        recorded_by_user_id=actor.user_id,
        recorded_at=clock.now(),
        data=document,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="intake.amend" if previous else "intake.record",
        patient_id=patient_id,
        object_type="intake",
        object_id=row.id,
        detail={"version": version, "reason": reason} if previous else {"version": version},
    )
    return row


def _record_baseline(
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    document: Mapping[str, Any],
    *,
    previous: Intake | None,
    reason: str,
) -> None:
    """The intake's questionnaires are the course's baseline symptom scores. An amendment that
    changes a questionnaire strikes the earlier baseline score (with the amendment's reason) and
    records the corrected one; unchanged questionnaires are left alone."""
    from ketacare.services.symptom_scores import record_symptom_score, strike_symptom_score

    before = previous.data.get("questionnaires", {}) if previous else {}
    for code, scored in document.get("questionnaires", {}).items():
        if previous is not None and before.get(code, {}).get("answers") == scored["answers"]:
            continue
        replaced = _baseline_score(session, patient_id, code)
        new = record_symptom_score(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,
            instrument=code,
            answers=scored["answers"],
            source=SymptomSource.INTAKE,
            taken_at=replaced.taken_at if replaced is not None else None,
        )
        if replaced is not None:
            strike_symptom_score(
                session=session,
                actor=actor,
                clock=clock,
                score_id=replaced.id,
                reason=f"intake amended: {reason.strip()}",
                replaced_by_id=new.score.id,
            )


def _baseline_score(session: Session, patient_id: int, code: str) -> SymptomScore | None:
    struck = select(SymptomScoreAmendment.score_id)
    return session.scalar(
        select(SymptomScore)
        .where(
            SymptomScore.patient_id == patient_id,
            SymptomScore.instrument == code,
            SymptomScore.source == SymptomSource.INTAKE,
            SymptomScore.id.not_in(struck),
        )
        .order_by(SymptomScore.id.desc())
        .limit(1)
    )


def current_intake(*, session: Session, patient_id: int) -> Intake | None:
    """The newest version (no access check: for services that have checked already)."""
    return session.scalar(
        select(Intake)
        .where(Intake.patient_id == patient_id)
        .order_by(Intake.version.desc())
        .limit(1)
    )


def read_current_intake(*, session: Session, actor: Actor, clock: Clock, patient_id: int) -> Intake:
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="intake.read",
        roles=access.STAFF,
    )
    row = current_intake(session=session, patient_id=patient.id)
    if row is None:
        raise NotFound("the patient has no intake yet")
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="intake.read",
        patient_id=patient.id,
        object_type="intake",
        object_id=row.id,
    )
    return row


def list_intake_versions(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Intake], int]:
    """Every version, newest first: the amendment history."""
    patient = access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        action="intake.read",
        roles=access.STAFF,
    )
    query = select(Intake).where(Intake.patient_id == patient.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Intake.version.desc()).limit(limit).offset(offset)).all()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="intake.list",
        patient_id=patient.id,
        detail={"returned": len(rows)},
    )
    return rows, total


# --- validation: every rule comes from the clinical core ------------------------------------


@contextmanager
def _within(prefix: str) -> Iterator[None]:
    """Re-raise a core InvalidInput with the field named in full (e.g. prior_trials[0].weeks)."""
    try:
        yield
    except InvalidInput as error:
        field = f"{prefix}.{error.field}" if error.field else prefix
        raise InvalidInput(error.message, field=field) from None


def _choice(value: object, allowed: Sequence[str], name: str) -> str:
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}; got {value!r}", field=name)
    return str(value)


def _members(values: object, kind: type[Diagnosis] | type[Condition], name: str) -> list[str]:
    if not isinstance(values, list | tuple):
        raise InvalidInput(f"{name} must be a list", field=name)
    allowed = [m.value for m in kind]
    return sorted({_choice(v, allowed, f"{name}[{i}]") for i, v in enumerate(values)})


def validate_intake(data: Mapping[str, Any], outcomes: OutcomesPolicy) -> dict[str, Any]:
    """The stored intake document, or InvalidInput naming the first bad field."""
    diagnoses = _members(data.get("diagnoses", []), Diagnosis, "diagnoses")
    if not diagnoses:
        raise InvalidInput("diagnoses must name at least one indication", field="diagnoses")
    ptsd_suspected = bool(data.get("ptsd_suspected")) or Diagnosis.PTSD.value in diagnoses
    return {
        "diagnoses": diagnoses,
        "medical_history": str(data.get("medical_history", "")).strip(),
        "psychiatric_history": str(data.get("psychiatric_history", "")).strip(),
        "conditions": _members(data.get("conditions", []), Condition, "conditions"),
        "hepatic_impairment": _choice(
            data.get("hepatic_impairment", "none"),
            [h.value for h in HepaticImpairment],
            "hepatic_impairment",
        ),
        "medications": [_medication(i, m) for i, m in enumerate(data.get("medications", []))],
        "prior_trials": [_trial(i, t) for i, t in enumerate(data.get("prior_trials", []))],
        "substance_use": _substance_use(data.get("substance_use") or {}),
        "pregnancy_status": _choice(
            data.get("pregnancy_status", "not_applicable"), PREGNANCY_STATUSES, "pregnancy_status"
        ),
        "resting_bp": [_bp(i, r) for i, r in enumerate(data.get("resting_bp", []))],
        "active_suicidal_intent": bool(data.get("active_suicidal_intent", False)),
        "ptsd_suspected": ptsd_suspected,
        "questionnaires": _questionnaires(data, ptsd_suspected, outcomes),
    }


def _medication(i: int, item: Mapping[str, Any]) -> dict[str, Any]:
    name = str(item.get("name", ""))
    drug = lookup_drug(name, field=f"medications[{i}].name")
    daily = item.get("daily_dose_mg")
    with _within(f"medications[{i}]"):
        Medication(drug.name, None if daily is None else float(daily))
    return {
        "name": drug.name,
        "entered_name": name.strip(),
        "dose_mg": item.get("dose_mg"),
        "frequency": str(item.get("frequency", "")).strip(),
        "daily_dose_mg": daily,
    }


def _trial(i: int, item: Mapping[str, Any]) -> dict[str, Any]:
    dose = item.get("daily_dose_mg")
    with _within(f"prior_trials[{i}]"):
        trial = TreatmentTrial(
            kind=item.get("kind", "drug"),
            name=str(item.get("name", "")),
            weeks=float(item.get("weeks", 0)),
            outcome=item.get("outcome", ""),
            daily_dose_mg=None if dose is None else float(dose),
            dose_adequate=bool(item.get("dose_adequate", True)),
            in_current_episode=bool(item.get("in_current_episode", True)),
        )
        label = trial.label  # looks the drug up: an unknown name is refused here
    return {
        "kind": trial.kind.value,
        "name": label,
        "weeks": trial.weeks,
        "outcome": trial.outcome.value,
        "daily_dose_mg": trial.daily_dose_mg,
        "dose_adequate": trial.dose_adequate,
        "in_current_episode": trial.in_current_episode,
    }


def _bp(i: int, item: Mapping[str, Any]) -> dict[str, float]:
    with _within(f"resting_bp[{i}]"):
        reading = BloodPressureReading(
            float(item.get("systolic_mmhg", 0)), float(item.get("diastolic_mmhg", 0))
        )
    return {"systolic_mmhg": reading.systolic_mmhg, "diastolic_mmhg": reading.diastolic_mmhg}


def _substance_use(item: Mapping[str, Any]) -> dict[str, Any]:
    drugs = item.get("recreational_drugs", [])
    if not isinstance(drugs, list | tuple):
        raise InvalidInput(
            "substance_use.recreational_drugs must be a list",
            field="substance_use.recreational_drugs",
        )
    return {
        "alcohol_units_per_week": item.get("alcohol_units_per_week"),
        "can_abstain_alcohol_24h": bool(item.get("can_abstain_alcohol_24h", True)),
        "recreational_drugs": [str(d).strip() for d in drugs if str(d).strip()],
        "substance_use_disorder": _choice(
            item.get("substance_use_disorder", "none"),
            SUD_STATUSES,
            "substance_use.substance_use_disorder",
        ),
        "opioid_use_disorder_history": bool(item.get("opioid_use_disorder_history", False)),
        "ketamine_misuse_history": bool(item.get("ketamine_misuse_history", False)),
        "notes": str(item.get("notes", "")).strip(),
    }


def _questionnaires(
    data: Mapping[str, Any], ptsd_suspected: bool, outcomes: OutcomesPolicy
) -> dict[str, Any]:
    scored: dict[str, Any] = {}
    for instrument, required in ((GAD7, True), (PHQ9, True), (PCL5, ptsd_suspected)):
        answers = data.get(instrument.code)
        if answers is None:
            if required:
                why = " (PTSD is suspected)" if instrument is PCL5 else " at baseline"
                raise InvalidInput(
                    f"{instrument.name} answers are required{why}", field=instrument.code
                )
            continue
        result = score(instrument, answers, policy=outcomes)
        scored[instrument.code] = {
            "answers": list(result.answers),
            "total": result.total,
            "band": result.band,
            "findings": [f.as_dict() for f in result.findings],
        }
    return scored
