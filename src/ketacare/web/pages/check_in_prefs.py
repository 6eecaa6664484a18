"""Check-in preferences for staff: the panel on the patient chart and its form.

`GET /patients/{id}/check-in-preferences` answers the chart's htmx request with the panel
(fragment) and a plain browser request with a small page holding the same panel, so the form
works without JavaScript. `POST` the same path: 303 back to the chart's panel on success; on a
refusal the page again (422) with the error beside its field and nothing changed. Staff only
(a patient sets their own on /my); another clinic's patient is 404.

The hour helpers here are shared with the patient's own form (`my_care.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ketacare.services import check_in_preferences
from ketacare.services.actors import Actor
from ketacare.services.check_in_preferences import PreferencesView
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.templating import render

router = APIRouter(prefix="/patients", include_in_schema=False)
PANEL = "patients/_check_in_prefs.html"
PAGE = "patients/check_in_prefs.html"
HOUR_OPTIONS = [("", "Any time")] + [(str(h), f"{h:02d}:00") for h in range(24)]
STAFF_CHOICES = [("no", "Send check-in emails"), ("yes", "Opted out: no check-in emails")]


def read_hour(form: FormState, name: str) -> int | None:
    """An hour select's value: '' = none (any time); anything but 0–23 is put beside it."""
    raw = form.value(name).strip()
    if raw == "":
        return None
    if raw.isdigit() and 0 <= int(raw) <= 23:
        return int(raw)
    form.add(name, "choose a whole hour from the list (00:00 to 23:00), or any time")
    return None


def window_text(view: PreferencesView) -> str:
    """The current preferences in one phrase ("on, 09:00–19:00 America/New_York")."""
    prefs = view.preferences
    if prefs.opted_out:
        return "off — no check-in emails or check-in reminders"
    if prefs.window is None:
        return "on, at any time"
    return f"on, between {prefs.window.label()} ({view.timezone} time)"


def form_of(view: PreferencesView) -> FormState:
    """The form pre-filled with the current values."""
    window = view.preferences.window
    return FormState.of(
        {
            "opted_out": "yes" if view.preferences.opted_out else "no",
            "earliest_hour": window.earliest_hour if window else "",
            "latest_hour": window.latest_hour if window else "",
            "reason": "",
        }
    )


def _context(view: PreferencesView, form: FormState) -> dict[str, Any]:
    return {
        "view": view,
        "patient": view.patient,
        "form": form,
        "summary": window_text(view),
        "hours": HOUR_OPTIONS,
        "choices": STAFF_CHOICES,
    }


def _read(session: Session, actor: Actor, clock: Clock, patient_id: int) -> PreferencesView:
    return check_in_preferences.read_preferences(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=patient_id,
        roles=check_in_preferences.STAFF,
    )


@router.get("/{patient_id}/check-in-preferences")
def preferences_panel(
    patient_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    view = _read(session, actor, clock, patient_id)
    name = PANEL if request.headers.get("HX-Request") else PAGE
    return render(request, name, _context(view, form_of(view)))


@router.post("/{patient_id}/check-in-preferences", dependencies=[Depends(verify_csrf)])
def save_preferences(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    opted_out: Annotated[str, Form()] = "",
    earliest_hour: Annotated[str, Form()] = "",
    latest_hour: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    view = _read(session, actor, clock, patient_id)
    form = FormState.of(
        {
            "opted_out": opted_out,
            "earliest_hour": earliest_hour,
            "latest_hour": latest_hour,
            "reason": reason,
        }
    )
    if opted_out not in ("yes", "no"):
        form.add("opted_out", "choose whether the patient gets check-in emails")
    earliest, latest = read_hour(form, "earliest_hour"), read_hour(form, "latest_hour")
    return submit(
        session,
        form,
        lambda: check_in_preferences.set_preferences(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=view.patient.id,
            opted_out=opted_out == "yes",
            earliest_hour=earliest,
            latest_hour=latest,
            reason=reason,
        ),
        then=f"/patients/{view.patient.id}?saved=check-in-preferences#check-in-prefs",
        again=lambda: render(request, PAGE, _context(view, form), status_code=422),
    )
