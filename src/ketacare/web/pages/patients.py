"""Patient pages for staff: the list with search, registering a patient, and the patient chart
(header, alerts, session timeline, screening, consent, plan versions, symptom chart) with the
small forms that live on it (acknowledge an alert, record weight and height, enter a
questionnaire, strike a wrong score)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ketacare.charts.symptoms import INSTRUMENTS, SymptomPoint, bands_for, symptom_chart
from ketacare.db.models import Patient, SymptomSource
from ketacare.domain.errors import InvalidInput
from ketacare.domain.instruments import score
from ketacare.domain.screening_input import Sex
from ketacare.services import patients, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.patient_chart import PatientChart, course_stages, read_chart
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.pages.patient_forms import Posted, day, number, values_of
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
CSRF = [Depends(verify_csrf)]
SEXES = [(s.value, s.value.replace("_", " ")) for s in Sex]
CHART_INSTRUMENTS = ("gad7", "phq9")


# --- the list -------------------------------------------------------------------------------


@router.get("/patients")
def patient_list(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    q: Annotated[str, Query(max_length=100)] = "",
    dob: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    form = FormState.of({"q": q, "dob": dob})
    born = day(form, "dob")
    rows, total = patients.list_patients(
        session=session,
        actor=actor,
        clock=clock,
        search=q,
        date_of_birth=born,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    today = clock.now().date()
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "stages": course_stages(session=session, patients=rows),
        "ages": {p.id: patients.age_on(p.date_of_birth, today) for p in rows},
    }
    return render(request, "patients/list.html", context, status_code=200 if form.ok else 422)


# --- registering ----------------------------------------------------------------------------


REGISTRATION_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "email",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "usual_escort_name",
    "usual_escort_phone",
    "weight_kg",
    "height_cm",
)


@router.get("/patients/new")
def new_patient(request: Request, actor: PageActor) -> Response:
    return render(request, "patients/new.html", {"form": FormState(), "sexes": SEXES})


@router.post("/patients/new", dependencies=CSRF)
def register(
    request: Request, session: SessionDep, actor: PageActor, clock: ClockDep, data: Posted
) -> Response:
    form = FormState.of({k: v for k, v in values_of(data).items() if k in REGISTRATION_FIELDS})
    born = day(form, "date_of_birth", required=True)
    weight, height = number(form, "weight_kg", unit="kg"), number(form, "height_cm", unit="cm")

    def call() -> Patient:
        assert born is not None  # required: refused above when blank
        registration = patients.Registration(
            given_name=form.value("given_name"),
            family_name=form.value("family_name"),
            date_of_birth=born,
            sex=form.value("sex"),
            email=form.value("email"),
            phone=form.value("phone"),
            address=form.value("address"),
            emergency_contact_name=form.value("emergency_contact_name"),
            emergency_contact_phone=form.value("emergency_contact_phone"),
            emergency_contact_relationship=form.value("emergency_contact_relationship"),
            usual_escort_name=form.value("usual_escort_name"),
            usual_escort_phone=form.value("usual_escort_phone"),
            weight_kg=weight,
            height_cm=height,
        )
        return patients.register_patient(
            session=session, actor=actor, clock=clock, registration=registration
        )

    return submit(
        session,
        form,
        call,
        then=lambda patient: f"/patients/{patient.id}",
        again=lambda: render(
            request, "patients/new.html", {"form": form, "sexes": SEXES}, status_code=422
        ),
    )


# --- the chart ------------------------------------------------------------------------------


def chart_context(chart: PatientChart, **forms: FormState) -> dict[str, Any]:
    """What chart.html needs: the chart, one SVG and one table per instrument, the forms."""
    session_times = [
        line.session.dose_start_at or line.session.scheduled_start
        for line in chart.sessions
        if line.session.status.value not in ("cancelled", "no_show")
    ]
    symptoms = []
    for code in CHART_INSTRUMENTS:
        rows = [s for s in chart.scores if s.instrument == code]
        points = [SymptomPoint(s.taken_at, s.total) for s in rows]
        symptoms.append(
            {
                "code": code,
                "name": INSTRUMENTS[code].name,
                "rows": rows,
                "svg": symptom_chart(code, points, session_times, chart.outcomes),
                "bands": bands_for(rows[0].total, chart.outcomes) if rows else None,
            }
        )
    pcl5 = [s for s in chart.scores if s.instrument == "pcl5"]
    return {
        "chart": chart,
        "patient": chart.patient,
        "symptoms": symptoms,
        "pcl5": pcl5,
        "forms": forms,
        "instruments": [(code, i.name) for code, i in INSTRUMENTS.items()],
        "outcomes": chart.outcomes,
    }


def _chart(
    request: Request,
    session: Any,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    *,
    status_code: int = 200,
    **forms: FormState,
) -> Response:
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    return render(
        request, "patients/chart.html", chart_context(chart, **forms), status_code=status_code
    )


@router.get("/patients/{patient_id}")
def patient_chart(
    patient_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _chart(request, session, actor, clock, patient_id)


@router.post("/patients/{patient_id}/alerts/{alert_id}/acknowledge", dependencies=CSRF)
def acknowledge_alert(
    patient_id: int,
    alert_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    form = FormState.of({"note": values_of(data).get("note", "")})
    return submit(
        session,
        form,
        lambda: symptom_scores.acknowledge_patient_alert(
            session=session,
            actor=actor,
            clock=clock,
            alert_id=_alert_of(session, patient_id, alert_id),
            note=form.value("note"),
        ),
        then=f"/patients/{patient_id}#alerts",
        again=lambda: _chart(
            request, session, actor, clock, patient_id, status_code=422, **{f"ack{alert_id}": form}
        ),
    )


def _alert_of(session: Any, patient_id: int, alert_id: int) -> int:
    """The alert id when it belongs to this patient; -1 (not found) otherwise."""
    from ketacare.db.models import PatientAlert

    alert = session.get(PatientAlert, alert_id)
    return alert_id if alert is not None and alert.patient_id == patient_id else -1


@router.post("/patients/{patient_id}/measurements", dependencies=CSRF)
def record_measurement(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    values = values_of(data)
    form = FormState.of({k: values.get(k, "") for k in ("weight_kg", "height_cm", "measured_on")})
    weight, height = number(form, "weight_kg", unit="kg"), number(form, "height_cm", unit="cm")
    measured_on = day(form, "measured_on")
    if form.ok and weight is None:
        form.add("weight_kg", "weight kg is required")

    def call() -> object:
        assert weight is not None  # required: refused above when blank
        return patients.record_measurement(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,
            weight_kg=weight,
            height_cm=height,
            measured_on=measured_on,
        )

    return submit(
        session,
        form,
        call,
        then=f"/patients/{patient_id}",
        again=lambda: _chart(
            request, session, actor, clock, patient_id, status_code=422, measure=form
        ),
    )


# --- symptom questionnaires -----------------------------------------------------------------


def _instrument(code: str) -> str:
    if code not in INSTRUMENTS:
        allowed = ", ".join(INSTRUMENTS)
        raise InvalidInput(f"instrument must be one of {allowed}; got {code!r}", field="instrument")
    return code


@router.get("/patients/{patient_id}/symptoms/new")
def symptom_form(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    instrument: Annotated[str, Query(max_length=10)] = "phq9",
) -> Response:
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    return _symptom_page(request, chart, _instrument(instrument), FormState())


def _symptom_page(
    request: Request, chart: PatientChart, code: str, form: FormState, status_code: int = 200
) -> Response:
    context = {
        "chart": chart,
        "patient": chart.patient,
        "instrument": INSTRUMENTS[code],
        "form": form,
        "crisis": chart.outcomes.crisis_resources_text,
    }
    return render(request, "patients/symptom_entry.html", context, status_code=status_code)


@router.post("/patients/{patient_id}/symptoms", dependencies=CSRF)
def record_symptoms(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    values = values_of(data)
    code = _instrument(values.get("instrument", ""))
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    form = FormState.of(values)
    answers = item_answers(form, code)
    taken_at = day(form, "taken_on")
    when = None
    if taken_at is not None:
        from datetime import UTC, datetime, time

        when = datetime.combine(taken_at, time(12, 0), tzinfo=UTC)
        when = min(when, clock.now())

    def record() -> object:
        # The core validates the answers by item number first, so an unanswered or
        # out-of-range item is named beside that item; the service then scores the list.
        ordered = score(INSTRUMENTS[code], answers, policy=chart.outcomes).answers
        return symptom_scores.record_symptom_score(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,
            instrument=code,
            answers=list(ordered),
            source=SymptomSource.CLINIC,
            taken_at=when,
        )

    return submit(
        session,
        form,
        record,
        then=f"/patients/{patient_id}#symptoms",
        again=lambda: _symptom_page(request, chart, code, form, status_code=422),
        aliases={"taken_at": "taken_on"},
    )


def item_answers(form: FormState, code: str) -> dict[int, Any]:
    """The item answers by number; a blank item is left out (the core names it as unanswered)
    and a non-number is passed as typed (the core names it as not a whole number)."""
    answers: dict[int, Any] = {}
    for item in INSTRUMENTS[code].items:
        raw = form.value(f"{code}.item{item.number}").strip()
        if raw:
            answers[item.number] = int(raw) if raw.lstrip("-").isdigit() else raw
    return answers


@router.post("/patients/{patient_id}/symptoms/{score_id}/strike", dependencies=CSRF)
def strike_score(
    patient_id: int,
    score_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    mine = score_id if any(s.id == score_id for s in chart.scores) else -1
    form = FormState.of({"reason": values_of(data).get("reason", "")})
    return submit(
        session,
        form,
        lambda: symptom_scores.strike_symptom_score(
            session=session, actor=actor, clock=clock, score_id=mine, reason=form.value("reason")
        ),
        then=f"/patients/{patient_id}#symptoms",
        again=lambda: _chart(
            request,
            session,
            actor,
            clock,
            patient_id,
            status_code=422,
            **{f"strike{score_id}": form},
        ),
    )
