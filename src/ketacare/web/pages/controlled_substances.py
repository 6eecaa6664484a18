"""Controlled-substance pages: balances per lot, receive stock, draw for a session, witnessed
waste, a lot's entries and the reconciliation report (the same services as the API and CLI)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ketacare.db.models import Drug
from ketacare.domain.errors import InvalidInput
from ketacare.services import admin_views
from ketacare.services import controlled_substances as cs
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.web.csrf import verify_csrf
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.forms import FormState, submit
from ketacare.web.templating import render

router = APIRouter(prefix="/controlled-substances", include_in_schema=False)
DRUGS = [(Drug.KETAMINE_HCL.value, "Ketamine HCl"), (Drug.ESKETAMINE.value, "Esketamine")]
FORMS = ("receive", "draw", "waste")


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    forms: dict[str, FormState] | None = None,
    status_code: int = 200,
) -> Response:
    balances = cs.lot_balances(session=session, actor=actor, clock=clock)
    today = clock.now().date()
    usable = [b for b in balances if b.balance_mg > 0 and b.lot.expiry >= today]
    clinic_id = actor.clinic_id or 0
    context = {
        "balances": balances,
        "today": today,
        "lots": [(str(b.lot.id), _lot_label(b)) for b in usable],
        "all_lots": [(str(b.lot.id), _lot_label(b)) for b in balances],
        "sessions": [
            (str(c.session_id), c.label)
            for c in admin_views.sessions_to_draw_for(session=session, actor=actor, clock=clock)
        ],
        "witnesses": [
            (str(u.id), f"{u.full_name} ({u.role.value})")
            for u in admin_views.clinicians(session, clinic_id)
            if u.id != actor.user_id
        ],
        "drugs": DRUGS,
        "forms": {name: (forms or {}).get(name) or FormState() for name in FORMS},
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "controlled_substances/index.html", context, status_code=status_code)


def _lot_label(b: cs.LotBalance) -> str:
    return (
        f"{b.lot.lot_number} · {b.lot.drug.value} · {b.balance_mg:g} mg left · exp {b.lot.expiry}"
    )


@router.get("")
def index(request: Request, session: SessionDep, actor: PageActor, clock: ClockDep) -> Response:
    return _page(request, session, actor, clock)


@router.post("/receive", dependencies=[Depends(verify_csrf)])
def receive(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    drug: Annotated[str, Form(max_length=20)] = "",
    lot_number: Annotated[str, Form(max_length=60)] = "",
    expiry: Annotated[str, Form(max_length=20)] = "",
    receive_quantity_mg: Annotated[str, Form(max_length=20)] = "",
    concentration_mg_per_ml: Annotated[str, Form(max_length=20)] = "",
    receive_note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState.of(
        {
            "drug": drug,
            "lot_number": lot_number,
            "expiry": expiry,
            "receive_quantity_mg": receive_quantity_mg,
            "concentration_mg_per_ml": concentration_mg_per_ml,
            "receive_note": receive_note,
        }
    )

    def call() -> object:
        if drug not in {d.value for d in Drug}:
            raise InvalidInput("choose ketamine HCl or esketamine", field="drug")
        concentration = (
            _number(concentration_mg_per_ml, "concentration_mg_per_ml")
            if concentration_mg_per_ml.strip()
            else None
        )
        return cs.receive_stock(
            session=session,
            actor=actor,
            clock=clock,
            drug=Drug(drug),
            lot_number=lot_number,
            expiry=_date(expiry, "expiry"),
            quantity_mg=_number(receive_quantity_mg, "quantity_mg"),
            concentration_mg_per_ml=concentration,
            note=receive_note,
        )

    return _finish(request, session, actor, clock, "receive", form, call)


@router.post("/draw", dependencies=[Depends(verify_csrf)])
def draw(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    draw_lot_id: Annotated[str, Form(max_length=12)] = "",
    draw_session_id: Annotated[str, Form(max_length=12)] = "",
    draw_quantity_mg: Annotated[str, Form(max_length=20)] = "",
    draw_note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState.of(
        {
            "draw_lot_id": draw_lot_id,
            "draw_session_id": draw_session_id,
            "draw_quantity_mg": draw_quantity_mg,
            "draw_note": draw_note,
        }
    )

    def call() -> object:
        return cs.draw(
            session=session,
            actor=actor,
            clock=clock,
            lot_id=_id(draw_lot_id, "lot_id", "choose the lot"),
            session_id=_id(draw_session_id, "session_id", "choose the session"),
            quantity_mg=_number(draw_quantity_mg, "quantity_mg"),
            note=draw_note,
        )

    return _finish(request, session, actor, clock, "draw", form, call)


@router.post("/waste", dependencies=[Depends(verify_csrf)])
def waste(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    waste_lot_id: Annotated[str, Form(max_length=12)] = "",
    waste_session_id: Annotated[str, Form(max_length=12)] = "",
    waste_quantity_mg: Annotated[str, Form(max_length=20)] = "",
    witness_user_id: Annotated[str, Form(max_length=12)] = "",
    waste_note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = FormState.of(
        {
            "waste_lot_id": waste_lot_id,
            "waste_session_id": waste_session_id,
            "waste_quantity_mg": waste_quantity_mg,
            "witness_user_id": witness_user_id,
            "waste_note": waste_note,
        }
    )

    def call() -> object:
        return cs.record_waste(
            session=session,
            actor=actor,
            clock=clock,
            lot_id=_id(waste_lot_id, "lot_id", "choose the lot"),
            session_id=_id(waste_session_id, "session_id", "choose the session"),
            quantity_mg=_number(waste_quantity_mg, "quantity_mg"),
            witness_user_id=_id(witness_user_id, "witness_user_id", "choose the witness"),
            note=waste_note,
        )

    return _finish(request, session, actor, clock, "waste", form, call)


def _finish(
    request: Request,
    session: SessionDep,
    actor: Actor,
    clock: Clock,
    name: str,
    form: FormState,
    call: Callable[[], object],
) -> Response:
    # The three forms share one page, so their inputs carry the form's name as a prefix (ids
    # stay unique); the services' field names map onto them. Conflicts that name no field
    # (not enough left in the lot) belong beside the quantity.
    aliases = {f: f"{name}_{f}" for f in ("lot_id", "session_id", "quantity_mg", "note")}

    def again() -> Response:
        if form.message and not form.errors:
            form.add(f"{name}_quantity_mg", form.message)
        return _page(request, session, actor, clock, {name: form}, 422)

    return submit(
        session,
        form,
        call,
        then=f"/controlled-substances?saved={name}#{name}",
        again=again,
        aliases=aliases,
    )


@router.get("/lots/{lot_id}")
def lot(
    lot_id: int, request: Request, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    entries = cs.lot_entries(session=session, actor=actor, clock=clock, lot_id=lot_id)
    balances = cs.lot_balances(session=session, actor=actor, clock=clock)
    balance = next(b for b in balances if b.lot.id == lot_id)
    running, rows = 0.0, []
    for entry in entries:
        if entry.kind.value == "receive":
            running += entry.quantity_mg
        elif entry.kind.value == "draw":
            running -= entry.quantity_mg
        rows.append((entry, round(running, 3)))
    names = admin_views.staff_names(session, actor.clinic_id or 0)
    context = {"balance": balance, "rows": rows, "names": names}
    return render(request, "controlled_substances/lot.html", context)


@router.get("/reconciliation")
def reconciliation(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    since: str = "",
    until: str = "",
) -> Response:
    form = FormState.of({"since": since, "until": until})
    start = end = None
    try:
        start = _day_start(since, "since")
        end = _day_start(until, "until")
        if end is not None:
            end += timedelta(days=1)  # the whole "until" day
    except InvalidInput as error:
        form.refuse(error)
    report = cs.reconcile(session=session, actor=actor, clock=clock, since=start, until=end)
    context = {"report": report, "form": form, "lots": {b.lot.id: b.lot for b in report.balances}}
    status = 200 if form.ok else 422
    return render(request, "controlled_substances/reconciliation.html", context, status_code=status)


def _number(text: str, name: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a number", field=name) from None


def _id(text: str, name: str, missing: str) -> int:
    if not text.strip().isdigit():
        raise InvalidInput(missing, field=name)
    return int(text)


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD)", field=name) from None


def _day_start(text: str, name: str) -> datetime | None:
    # Days are UTC days: the report is for audit periods, not clinic shifts.
    if not text.strip():
        return None
    return datetime.combine(_date(text, name), time(0), UTC)
