"""The intake page: record the first intake, amend it with a reason (a new version; the old one
stays readable), and the list of versions with who, when and why.

The form's input names are the service's field names (`medications[0].name`,
`resting_bp[1].systolic_mmhg`, `gad7.item3`, `substance_use.notes`), so a refusal lands beside
the input it names. Blank rows are dropped before the call; `aliases` map the service's row
index back to the form's row.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ketacare.charts.symptoms import INSTRUMENTS
from ketacare.domain.screening_input import (
    Condition,
    Diagnosis,
    HepaticImpairment,
    TrialKind,
    TrialOutcome,
)
from ketacare.services import intake
from ketacare.services.patient_chart import PatientChart, read_chart
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.pages.patient_forms import Posted, checked, number, values_of
from ketacare.web.pages.patients import CSRF, item_answers
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
MULTI = ("diagnoses", "conditions")
MED_FIELDS = ("name", "dose_mg", "frequency", "daily_dose_mg")
TRIAL_FIELDS = ("kind", "name", "daily_dose_mg", "weeks", "outcome")
TRIAL_FLAGS = ("dose_adequate", "in_current_episode")
BP_FIELDS = ("systolic_mmhg", "diastolic_mmhg")
FLAGS = (
    "ptsd_suspected",
    "active_suicidal_intent",
    "substance_use.can_abstain_alcohol_24h",
    "substance_use.opioid_use_disorder_history",
    "substance_use.ketamine_misuse_history",
)
DIAGNOSIS_LABELS = {
    "gad": "Generalised anxiety disorder (GAD)",
    "social_anxiety": "Social anxiety disorder",
    "panic": "Panic disorder",
    "ptsd": "PTSD",
    "mdd": "Major depressive disorder (MDD)",
}
CHOICES = {
    "diagnoses": [(d.value, DIAGNOSIS_LABELS.get(d.value, d.value)) for d in Diagnosis],
    "conditions": [(c.value, c.value.replace("_", " ")) for c in Condition],
    "hepatic": [(h.value, h.value) for h in HepaticImpairment],
    "pregnancy": [(p, p.replace("_", " ")) for p in intake.PREGNANCY_STATUSES],
    "sud": [(s, s) for s in intake.SUD_STATUSES],
    "trial_kind": [(k.value, k.value) for k in TrialKind],
    "trial_outcome": [("", "choose…"), *((o.value, o.value) for o in TrialOutcome)],
}


# Inputs with a value even in an untouched row (a select's default, ticked flags).
_NOT_CONTENT = frozenset({"kind", *TRIAL_FLAGS})


def _rows(form: FormState, prefix: str, extra: int, minimum: int) -> int:
    """How many rows of a repeated group to show: those typed or stored, plus `extra` blank."""
    used = {
        int(k[len(prefix) + 1 :].split("]")[0])
        for k in form.values
        if k.startswith(prefix + "[")
        and k.rsplit(".", 1)[-1] not in _NOT_CONTENT
        and form.values[k].strip()
    }
    return max(minimum, (max(used) + 1 if used else 0) + extra)


def _page(
    request: Request, chart: PatientChart, form: FormState, versions: Any, status_code: int = 200
) -> Response:
    context = {
        "chart": chart,
        "patient": chart.patient,
        "form": form,
        "versions": versions,
        "amending": chart.intake is not None,
        "choices": CHOICES,
        "instruments": [INSTRUMENTS[c] for c in ("gad7", "phq9", "pcl5")],
        "rows": {
            "medications": _rows(form, "medications", 2, 3),
            "prior_trials": _rows(form, "prior_trials", 1, 2),
            "resting_bp": _rows(form, "resting_bp", 1, 3),
        },
    }
    return render(request, "patients/intake.html", context, status_code=status_code)


@router.get("/patients/{patient_id}/intake")
def intake_page(
    patient_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    versions, _ = intake.list_intake_versions(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    initial = (
        values_from(chart.intake.data)
        if chart.intake
        else {"substance_use.can_abstain_alcohol_24h": "on"}
    )
    return _page(request, chart, FormState.of(initial), versions)


@router.post("/patients/{patient_id}/intake", dependencies=CSRF)
def save_intake(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    form = FormState.of(values_of(data, *MULTI))
    document, aliases = document_from(form)

    def save() -> object:
        if chart.intake is None:
            return intake.record_intake(
                session=session, actor=actor, clock=clock, patient_id=patient_id, data=document
            )
        return intake.amend_intake(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,
            data=document,
            reason=form.value("reason"),
        )

    def again() -> Response:
        versions, _ = intake.list_intake_versions(
            session=session, actor=actor, clock=clock, patient_id=patient_id
        )
        return _page(request, chart, form, versions, status_code=422)

    return submit(
        session,
        form,
        save,
        then=f"/patients/{patient_id}/intake#versions",
        again=again,
        aliases=aliases,
    )


# --- form ⇄ document ------------------------------------------------------------------------


def document_from(form: FormState) -> tuple[dict[str, Any], dict[str, str]]:
    """The intake document for the service, and aliases from its row indexes to the form's."""
    aliases: dict[str, str] = {}
    doc: dict[str, Any] = {
        "diagnoses": [d for d in form.value("diagnoses").split(",") if d],
        "conditions": [c for c in form.value("conditions").split(",") if c],
        "medical_history": form.value("medical_history"),
        "psychiatric_history": form.value("psychiatric_history"),
        "hepatic_impairment": form.value("hepatic_impairment") or "none",
        "pregnancy_status": form.value("pregnancy_status") or "not_applicable",
        "ptsd_suspected": checked(form, "ptsd_suspected"),
        "active_suicidal_intent": checked(form, "active_suicidal_intent"),
    }
    doc["medications"] = _group(form, "medications", MED_FIELDS, (), aliases, _medication)
    doc["prior_trials"] = _group(form, "prior_trials", TRIAL_FIELDS, TRIAL_FLAGS, aliases, _trial)
    doc["resting_bp"] = _group(form, "resting_bp", BP_FIELDS, (), aliases, _bp)
    doc["substance_use"] = {
        "alcohol_units_per_week": number(form, "substance_use.alcohol_units_per_week"),
        "can_abstain_alcohol_24h": checked(form, "substance_use.can_abstain_alcohol_24h"),
        "recreational_drugs": [
            d.strip() for d in form.value("substance_use.recreational_drugs").split(",")
        ],
        "substance_use_disorder": form.value("substance_use.substance_use_disorder") or "none",
        "opioid_use_disorder_history": checked(form, "substance_use.opioid_use_disorder_history"),
        "ketamine_misuse_history": checked(form, "substance_use.ketamine_misuse_history"),
        "notes": form.value("substance_use.notes"),
    }
    for code in ("gad7", "phq9", "pcl5"):
        answers = item_answers(form, code)
        doc[code] = answers or None  # nothing answered: the service says whether it is needed
    return doc, aliases


def _group(
    form: FormState,
    prefix: str,
    fields: tuple[str, ...],
    flags: tuple[str, ...],
    aliases: dict[str, str],
    build: Any,
) -> list[dict[str, Any]]:
    """Non-blank rows of a repeated group, in order; aliases map service index → form row."""
    items: list[dict[str, Any]] = []
    for row in range(_rows(form, prefix, 0, 0)):
        names = {f: f"{prefix}[{row}].{f}" for f in (*fields, *flags)}
        if not any(form.value(names[f]).strip() for f in fields if f not in _NOT_CONTENT):
            continue
        for f, name in names.items():
            aliases[f"{prefix}[{len(items)}].{f}"] = name
        items.append(build(form, names))
    return items


def _medication(form: FormState, n: dict[str, str]) -> dict[str, Any]:
    return {
        "name": form.value(n["name"]),
        "dose_mg": number(form, n["dose_mg"], unit="mg"),
        "frequency": form.value(n["frequency"]),
        "daily_dose_mg": number(form, n["daily_dose_mg"], unit="mg"),
    }


def _trial(form: FormState, n: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": form.value(n["kind"]) or "drug",
        "name": form.value(n["name"]),
        "daily_dose_mg": number(form, n["daily_dose_mg"], unit="mg"),
        "weeks": number(form, n["weeks"], unit="weeks") or 0,
        "outcome": form.value(n["outcome"]),
        "dose_adequate": checked(form, n["dose_adequate"]),
        "in_current_episode": checked(form, n["in_current_episode"]),
    }


def _bp(form: FormState, n: dict[str, str]) -> dict[str, Any]:
    return {
        "systolic_mmhg": number(form, n["systolic_mmhg"], unit="mmHg") or 0,
        "diastolic_mmhg": number(form, n["diastolic_mmhg"], unit="mmHg") or 0,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def values_from(doc: dict[str, Any]) -> dict[str, str]:
    """The stored document as form values (to amend it)."""
    values = {
        "diagnoses": ",".join(doc.get("diagnoses", [])),
        "conditions": ",".join(doc.get("conditions", [])),
        "medical_history": doc.get("medical_history", ""),
        "psychiatric_history": doc.get("psychiatric_history", ""),
        "hepatic_impairment": doc.get("hepatic_impairment", "none"),
        "pregnancy_status": doc.get("pregnancy_status", "not_applicable"),
        "ptsd_suspected": _fmt(doc.get("ptsd_suspected", False)),
        "active_suicidal_intent": _fmt(doc.get("active_suicidal_intent", False)),
    }
    for i, med in enumerate(doc.get("medications", [])):
        for f in MED_FIELDS:
            value = (med.get("entered_name") or med["name"]) if f == "name" else med.get(f)
            values[f"medications[{i}].{f}"] = _fmt(value)
    for i, trial in enumerate(doc.get("prior_trials", [])):
        for f in (*TRIAL_FIELDS, *TRIAL_FLAGS):
            values[f"prior_trials[{i}].{f}"] = _fmt(trial.get(f))
    for i, bp in enumerate(doc.get("resting_bp", [])):
        for f in BP_FIELDS:
            values[f"resting_bp[{i}].{f}"] = _fmt(bp.get(f))
    use = doc.get("substance_use", {})
    for key, value in use.items():
        values[f"substance_use.{key}"] = (
            ", ".join(value) if key == "recreational_drugs" else _fmt(value)
        )
    for code, scored in doc.get("questionnaires", {}).items():
        for n, answer in enumerate(scored["answers"], start=1):
            values[f"{code}.item{n}"] = str(answer)
    return values
