"""The plan page for prescribers: create the course and its plan from the cleared screening
(route, dose, schedule from the core's planner), adjust it after sessions with a reason, stop
it; every version with what changed, who and why. Consent for the course (recorded by staff who
saw the patient sign, so also witnessed; withdrawal), the integration therapist and integration
sessions live here too."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ketacare.db.models import Role
from ketacare.domain.errors import NotFound
from ketacare.domain.plan_policy import MaintenanceMode
from ketacare.domain.plans import SessionOutcome
from ketacare.domain.routes import Route
from ketacare.services import consent, courses, plan_views
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.patient_chart import CourseChart, read_chart
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.pages.patient_forms import (
    Posted,
    checked,
    day,
    moment,
    number,
    values_of,
    whole,
)
from ketacare.web.pages.patients import CSRF
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
ROUTES = [(r.value, r.value.replace("_", " ")) for r in Route]
MAINTENANCE = [
    ("", "clinic default"),
    *((m.value, m.value.replace("_", " ")) for m in MaintenanceMode),
]
IDEAL_WEIGHT = [("", "clinic default"), ("yes", "yes"), ("no", "no")]
ESKETAMINE_MG = [("", "route default"), ("28", "28 mg"), ("56", "56 mg"), ("84", "84 mg")]


def _page(
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
    course = chart.course
    texts = []
    with contextlib.suppress(NotFound):  # no consent text published yet: the form says so
        texts = [consent.current_text(session=session)]
    context = {
        "chart": chart,
        "patient": chart.patient,
        "course": course,
        "plan": course.plan if course else None,
        "cleared": chart.screening is not None and chart.screening.status == "cleared",
        "is_prescriber": actor.role is Role.PRESCRIBER,
        "forms": forms,
        "create": forms.get("create")
        or FormState.of({"starts_on": clock.now().date().isoformat()}),
        "adjust": forms.get("adjust") or _adjust_defaults(course),
        "integration": forms.get("integration") or _integration_defaults(course),
        "texts": texts,
        "today": clock.now().date().isoformat(),
        "routes": ROUTES,
        "maintenance": MAINTENANCE,
        "ideal_weight": IDEAL_WEIGHT,
        "esketamine_mg": ESKETAMINE_MG,
    }
    return render(request, "patients/plan.html", context, status_code=status_code)


def _adjust_defaults(course: CourseChart | None) -> FormState:
    """Earlier outcomes as given to the last adjustment, and a blank row for the session just
    held, with the dose the plan set for it."""
    form = FormState()
    plan = course.plan if course else None
    if plan is None:
        return form
    earlier = plan.inputs.get("outcomes", [])
    for i, o in enumerate(earlier):
        form.values.update(
            {
                f"o{i}.improvement_pct": f"{o['improvement_pct']:g}",
                f"o{i}.tolerated": "on" if o["tolerated"] else "",
                f"o{i}.dose": f"{o.get('mg_per_kg') or o.get('dose_mg') or '':g}"
                if (o.get("mg_per_kg") or o.get("dose_mg"))
                else "",
            }
        )
    n = len(earlier)
    form.values[f"o{n}.tolerated"] = "on"
    dose = plan.next_mg_per_kg if plan.next_mg_per_kg is not None else plan.next_dose_mg
    form.values[f"o{n}.dose"] = f"{dose:g}" if dose is not None else ""
    form.values["rows"] = str(n + 1)
    return form


def _integration_defaults(course: CourseChart | None) -> FormState:
    """The therapist or coach as the current plan version names them, so a prescriber changes
    only what changes (a blank role or contact would otherwise be saved as blank)."""
    plan = course.plan if course else None
    if plan is None:
        return FormState()
    return FormState.of(
        {
            "therapist_name": plan.integration_therapist_name or "",
            "therapist_role": plan.integration_therapist_role or "",
            "therapist_contact": plan.integration_therapist_contact or "",
        }
    )


@router.get("/patients/{patient_id}/plan")
def plan_page(
    patient_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _page(request, session, actor, clock, patient_id)


def _course_of(session: Any, actor: Actor, clock: Clock, patient_id: int) -> CourseChart:
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    if chart.course is None:
        raise NotFound("the patient has no treatment course yet")
    return chart.course


PLAN_FIELDS = (
    "route",
    "starts_on",
    "mg_per_kg",
    "esketamine_mg",
    "fixed_mg",
    "ideal_weight_when_obese",
    "maintenance_mode",
    "maintenance_interval_days",
    "therapist_name",
    "therapist_role",
    "therapist_contact",
    "reason",
)


@router.post("/patients/{patient_id}/plan", dependencies=CSRF)
def create_plan(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    """A new course with its first plan version, or the first plan of a course without one."""
    chart = read_chart(session=session, actor=actor, clock=clock, patient_id=patient_id)
    values = values_of(data)
    form = FormState.of({k: values.get(k, "") for k in PLAN_FIELDS})
    existing = chart.course if chart.course and chart.course.plan is None else None
    starts_on = day(form, "starts_on", required=existing is None)
    mg_per_kg = number(form, "mg_per_kg", unit="mg/kg")
    esketamine_mg = whole(form, "esketamine_mg")
    fixed_mg = number(form, "fixed_mg", unit="mg")
    interval = whole(form, "maintenance_interval_days")
    ideal = {"yes": True, "no": False}.get(form.value("ideal_weight_when_obese"))
    mode_value = form.value("maintenance_mode")
    mode = MaintenanceMode(mode_value) if mode_value in {m.value for m in MaintenanceMode} else None
    route = form.value("route")
    if existing is None and route not in {r.value for r in Route}:
        form.add("route", "choose a route: " + ", ".join(r.value for r in Route))

    def create() -> object:
        course_id = existing.course.id if existing else None
        if course_id is None:
            assert starts_on is not None  # required (refused above) when there is no course
            course_id = courses.create_course(
                session=session,
                actor=actor,
                clock=clock,
                patient_id=patient_id,
                route=Route(route),
                starts_on=starts_on,
            ).id
        return courses.create_plan(
            session=session,
            actor=actor,
            clock=clock,
            course_id=course_id,
            mg_per_kg=mg_per_kg,
            esketamine_mg=esketamine_mg,
            fixed_mg=fixed_mg,
            ideal_weight_when_obese=ideal,
            maintenance_mode=mode,
            maintenance_interval_days=interval,
            therapist_name=form.value("therapist_name"),
            therapist_role=form.value("therapist_role"),
            therapist_contact=form.value("therapist_contact"),
            reason=form.value("reason"),
        )

    return submit(
        session,
        form,
        create,
        then=f"/patients/{patient_id}/plan",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, create=form
        ),
    )


@router.post("/patients/{patient_id}/plan/adjust", dependencies=CSRF)
def adjust(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    course = _course_of(session, actor, clock, patient_id)
    form = FormState.of(values_of(data))
    rows = min(max(whole(form, "rows") or 1, 1), 60)
    outcomes = []
    for i in range(rows):
        improvement = number(form, f"o{i}.improvement_pct", unit="%")
        dose = number(form, f"o{i}.dose")
        if improvement is None:
            form.add(f"o{i}.improvement_pct", f"session {i + 1}: give the improvement in %")
            continue
        weight_based = course.course.route is not Route.ESKETAMINE_NASAL
        outcomes.append(
            SessionOutcome(
                session_number=i + 1,
                improvement_pct=improvement,
                tolerated=checked(form, f"o{i}.tolerated"),
                mg_per_kg=dose if weight_based else None,
                dose_mg=None if weight_based else dose,
            )
        )
    return submit(
        session,
        form,
        lambda: courses.adjust_plan(
            session=session,
            actor=actor,
            clock=clock,
            course_id=course.course.id,
            outcomes=outcomes,
            reason=form.value("reason"),
        ),
        then=f"/patients/{patient_id}/plan#versions",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, adjust=form
        ),
    )


@router.post("/patients/{patient_id}/plan/stop", dependencies=CSRF)
def stop(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    course = _course_of(session, actor, clock, patient_id)
    form = FormState.of({"stop_reason": values_of(data).get("stop_reason", "")})
    return submit(
        session,
        form,
        lambda: courses.stop_plan(
            session=session,
            actor=actor,
            clock=clock,
            course_id=course.course.id,
            reason=form.value("stop_reason"),
        ),
        then=f"/patients/{patient_id}/plan#versions",
        again=lambda: _page(request, session, actor, clock, patient_id, status_code=422, stop=form),
        aliases={"reason": "stop_reason"},
    )


@router.post("/patients/{patient_id}/plan/consent", dependencies=CSRF)
def record_consent(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    course = _course_of(session, actor, clock, patient_id)
    values = values_of(data)
    form = FormState.of({k: values.get(k, "") for k in ("consent_text_version", "signed_at")})
    version = whole(form, "consent_text_version")
    signed_at = moment(form, "signed_at")
    return submit(
        session,
        form,
        lambda: consent.record_consent(
            session=session,
            actor=actor,
            clock=clock,
            course_id=course.course.id,
            consent_text_version=version,
            signed_at=signed_at,
        ),
        then=f"/patients/{patient_id}/plan#consent",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, consent=form
        ),
    )


@router.post("/patients/{patient_id}/plan/consent/{consent_id}/withdraw", dependencies=CSRF)
def withdraw_consent(
    patient_id: int,
    consent_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    course = _course_of(session, actor, clock, patient_id)
    mine = consent_id if any(c.consent.id == consent_id for c in course.consents) else -1
    form = FormState.of({"withdraw_reason": values_of(data).get("withdraw_reason", "")})
    return submit(
        session,
        form,
        lambda: consent.withdraw_consent(
            session=session,
            actor=actor,
            clock=clock,
            consent_id=mine,
            reason=form.value("withdraw_reason"),
        ),
        then=f"/patients/{patient_id}/plan#consent",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, withdraw=form
        ),
        aliases={"reason": "withdraw_reason"},
    )


@router.post("/patients/{patient_id}/plan/integration", dependencies=CSRF)
def set_integration(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    course = _course_of(session, actor, clock, patient_id)
    values = values_of(data)
    names = ("therapist_name", "therapist_role", "therapist_contact", "integration_reason")
    form = FormState.of({k: values.get(k, "") for k in names})
    return submit(
        session,
        form,
        lambda: courses.set_integration(
            session=session,
            actor=actor,
            clock=clock,
            course_id=course.course.id,
            therapist_name=form.value("therapist_name"),
            therapist_role=form.value("therapist_role"),
            therapist_contact=form.value("therapist_contact"),
            reason=form.value("integration_reason"),
        ),
        then=f"/patients/{patient_id}/plan#integration",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, integration=form
        ),
        aliases={"reason": "integration_reason"},
    )


@router.post("/patients/{patient_id}/plan/integration-sessions", dependencies=CSRF)
def record_integration_session(
    patient_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    course = _course_of(session, actor, clock, patient_id)
    values = values_of(data)
    form = FormState.of({k: values.get(k, "") for k in ("held_on", "facilitator", "kind", "notes")})
    held_on = day(form, "held_on", required=True)

    def record() -> object:
        assert held_on is not None  # required: refused above when blank
        return plan_views.record_integration_session(
            session=session,
            actor=actor,
            clock=clock,
            course_id=course.course.id,
            held_on=held_on,
            facilitator=form.value("facilitator"),
            kind=form.value("kind") or "integration",
            notes=form.value("notes"),
        )

    return submit(
        session,
        form,
        record,
        then=f"/patients/{patient_id}/plan#integration",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, sessions=form
        ),
    )
