"""Changing a patient's contact details after registration (staff): `/patients/{id}/contact`
shows the form, prefilled with the details on record, and every earlier change (who, when, why,
each field before and after, as the audit trail keeps them). A post calls
`patient_contact.update_contact_details`; a refusal renders the form again (422) with the error
beside the field and nothing changed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ketacare.services import patient_contact
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.patient_chart import read_chart
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.pages.patient_forms import Posted, values_of
from ketacare.web.pages.patients import CSRF
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = tuple(patient_contact.CONTACT_FIELDS)
LABELS = {
    "email": "Email",
    "phone": "Phone",
    "address": "Address",
    "emergency_contact_name": "Emergency contact",
    "emergency_contact_phone": "Their phone",
    "emergency_contact_relationship": "Relationship",
    "usual_escort_name": "Usual escort home",
    "usual_escort_phone": "Escort's phone",
}


def _page(
    request: Request,
    session: Any,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    history = patient_contact.contact_history(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    on_record = FormState.of({name: getattr(chart.patient, name) for name in FIELDS})
    context = {
        "chart": chart,
        "patient": chart.patient,
        "form": form or on_record,
        "history": history,
        "labels": LABELS,
    }
    return render(request, "patients/contact.html", context, status_code=status_code)


@router.get("/patients/{patient_id}/contact")
def contact_page(
    patient_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _page(request, session, actor, clock, patient_id)


@router.post("/patients/{patient_id}/contact", dependencies=CSRF)
def update_contact(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    values = values_of(data)
    form = FormState.of({name: values.get(name, "") for name in (*FIELDS, "reason")})
    # Every field is posted, so each is given as typed ("" clears it); only changes are kept.
    details = {name: form.value(name) for name in FIELDS}
    return submit(
        session,
        form,
        lambda: patient_contact.update_contact_details(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient_id,
            reason=form.value("reason"),
            **details,
        ),
        then=f"/patients/{patient_id}#contact",
        again=lambda: _page(request, session, actor, clock, patient_id, form, 422),
    )
