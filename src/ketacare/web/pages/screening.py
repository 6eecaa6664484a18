"""The screening review page for prescribers: run screening on the current intake, the verdict
with every finding and its source, the review decision (accept; clear or decline a "needs
review"; override a "not eligible" with a reason, which counts once a second prescriber
co-signs), and the history of earlier runs. Nurses may run screening and read it; the review
and co-signature are the prescriber's (the service refuses anyone else: 403)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ketacare.db.models import Role
from ketacare.db.models.screening import ReviewDecision
from ketacare.services import screening, screening_review
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.patient_chart import read_chart
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.pages.patient_forms import Posted, values_of
from ketacare.web.pages.patients import CSRF
from ketacare.web.templating import render

router = APIRouter(include_in_schema=False)
DECISION_LABELS = {
    ReviewDecision.ACCEPT: "Accept the verdict",
    ReviewDecision.CLEAR: "Clear for treatment (reason required)",
    ReviewDecision.DECLINE: "Decline treatment (reason required)",
    ReviewDecision.OVERRIDE: "Override (reason; a second prescriber must co-sign)",
}


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
    views, total = screening.list_screenings(
        session=session, actor=actor, clock=clock, patient_id=patient_id, limit=20
    )
    current = views[0] if views else None
    decisions = []
    if current is not None:
        allowed = screening_review.ALLOWED[current.screening.verdict]
        decisions = [(d.value, DECISION_LABELS[d]) for d in ReviewDecision if d in allowed]
    stale = (
        current is not None
        and chart.intake is not None
        and current.screening.intake_id != chart.intake.id
    )
    context = {
        "chart": chart,
        "patient": chart.patient,
        "current": current,
        "history": views[1:],
        "total": total,
        "decisions": decisions,
        "stale": stale,
        "is_prescriber": actor.role is Role.PRESCRIBER,
        "forms": forms,
        "intake_versions": {},
    }
    return render(request, "patients/screening.html", context, status_code=status_code)


@router.get("/patients/{patient_id}/screening")
def screening_page(
    patient_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    return _page(request, session, actor, clock, patient_id)


@router.post("/patients/{patient_id}/screening/run", dependencies=CSRF)
def run(
    patient_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    form = FormState()
    return submit(
        session,
        form,
        lambda: screening.screen_patient(
            session=session, actor=actor, clock=clock, patient_id=patient_id
        ),
        then=f"/patients/{patient_id}/screening",
        again=lambda: _page(request, session, actor, clock, patient_id, status_code=422, run=form),
    )


def _own_screening(session: Any, patient_id: int, screening_id: int) -> int:
    """The id when the screening is this patient's; -1 (not found) otherwise."""
    from ketacare.db.models import Screening

    row = session.get(Screening, screening_id)
    return screening_id if row is not None and row.patient_id == patient_id else -1


@router.post("/patients/{patient_id}/screening/{screening_id}/review", dependencies=CSRF)
def review(
    patient_id: int,
    screening_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    values = values_of(data)
    form = FormState.of({k: values.get(k, "") for k in ("decision", "reason")})
    target = _own_screening(session, patient_id, screening_id)
    decision = _decision(form)

    def call() -> object:
        assert decision is not None  # refused beside the field when not one of the choices
        return screening_review.review_screening(
            session=session,
            actor=actor,
            clock=clock,
            screening_id=target,
            decision=decision,
            reason=form.value("reason"),
        )

    return submit(
        session,
        form,
        call,
        then=f"/patients/{patient_id}/screening",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, review=form
        ),
    )


def _decision(form: FormState) -> ReviewDecision | None:
    try:
        return ReviewDecision(form.value("decision"))
    except ValueError:
        allowed = ", ".join(d.value for d in ReviewDecision)
        form.add("decision", f"choose a decision: {allowed}")
        return None


@router.post("/patients/{patient_id}/screening/reviews/{review_id}/cosign", dependencies=CSRF)
def cosign(
    patient_id: int,
    review_id: int,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    data: Posted,
) -> Response:
    from ketacare.db.models import ScreeningReview

    row = session.get(ScreeningReview, review_id)
    target = review_id
    if row is None or _own_screening(session, patient_id, row.screening_id) < 0:
        target = -1
    form = FormState.of({"note": values_of(data).get("note", "")})
    return submit(
        session,
        form,
        lambda: screening_review.cosign_override(
            session=session, actor=actor, clock=clock, review_id=target, note=form.value("note")
        ),
        then=f"/patients/{patient_id}/screening",
        again=lambda: _page(
            request, session, actor, clock, patient_id, status_code=422, cosign=form
        ),
    )
