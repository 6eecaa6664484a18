"""Controlled-substance log API: receipts, draws, witnessed waste, balances, reconciliation."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import AwareDatetime

from ketacare.services import controlled_substances as cs
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.sessions import (
    DrawCreate,
    LogEntryRead,
    LotBalanceRead,
    ReceiptCreate,
    ReconciliationLineRead,
    ReconciliationRead,
    WasteCreate,
)

router = APIRouter(prefix="/controlled-substances", tags=["controlled substances"])


@router.post("/receipts", response_model=LogEntryRead, status_code=201)
def receive(
    body: ReceiptCreate, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> LogEntryRead:
    entry = cs.receive_stock(session=session, actor=actor, clock=clock, **body.model_dump())
    return LogEntryRead.model_validate(entry)


@router.post("/draws", response_model=LogEntryRead, status_code=201)
def draw(body: DrawCreate, session: SessionDep, actor: ApiActor, clock: ClockDep) -> LogEntryRead:
    entry = cs.draw(session=session, actor=actor, clock=clock, **body.model_dump())
    return LogEntryRead.model_validate(entry)


@router.post("/wastes", response_model=LogEntryRead, status_code=201)
def waste(body: WasteCreate, session: SessionDep, actor: ApiActor, clock: ClockDep) -> LogEntryRead:
    entry = cs.record_waste(session=session, actor=actor, clock=clock, **body.model_dump())
    return LogEntryRead.model_validate(entry)


@router.get("/lots", response_model=list[LotBalanceRead])
def balances(session: SessionDep, actor: ApiActor, clock: ClockDep) -> list[LotBalanceRead]:
    return [_balance(b) for b in cs.lot_balances(session=session, actor=actor, clock=clock)]


@router.get("/lots/{lot_id}/entries", response_model=list[LogEntryRead])
def entries(
    lot_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> list[LogEntryRead]:
    rows = cs.lot_entries(session=session, actor=actor, clock=clock, lot_id=lot_id)
    return [LogEntryRead.model_validate(r) for r in rows]


@router.get("/reconciliation", response_model=ReconciliationRead)
def reconciliation(
    session: SessionDep,
    actor: ApiActor,
    clock: ClockDep,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> ReconciliationRead:
    report = cs.reconcile(session=session, actor=actor, clock=clock, since=since, until=until)
    return ReconciliationRead(
        since=report.since,
        until=report.until,
        balanced=report.balanced,
        lines=[_line(x) for x in report.lines],
        discrepancies=[_line(x) for x in report.discrepancies],
        balances=[_balance(b) for b in report.balances],
    )


def _line(line: cs.SessionLine) -> ReconciliationLineRead:
    return ReconciliationLineRead(
        session_id=line.session_id,
        lot_id=line.lot_id,
        drawn_mg=line.drawn_mg,
        administered_mg=line.administered_mg,
        wasted_mg=line.wasted_mg,
        unaccounted_mg=line.unaccounted_mg,
        discrepancy=line.discrepancy,
    )


def _balance(b: cs.LotBalance) -> LotBalanceRead:
    return LotBalanceRead(
        lot_id=b.lot.id,
        drug=b.lot.drug,
        lot_number=b.lot.lot_number,
        expiry=b.lot.expiry,
        received_mg=b.received_mg,
        drawn_mg=b.drawn_mg,
        balance_mg=b.balance_mg,
    )
