"""The controlled-substance log: receive stock, draw for a session, witnessed waste, balances
and reconciliation against the doses recorded in sessions.

Every entry is an append-only row (the database refuses UPDATE and DELETE); a mistake is
corrected by a new entry with a note. Quantities are mg of drug. A lot's balance is received
minus drawn; what a session drew must equal the dose given plus the witnessed waste —
reconciliation flags any session where it does not, and any dose without a draw.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.locks import get_locked
from ketacare.db.models import (
    ControlledLogEntry,
    ControlledLot,
    DoseAdministration,
    Drug,
    LogEntryKind,
    TreatmentSession,
    User,
)
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.domain.routes import Route
from ketacare.domain.session_flow import TERMINAL
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.session_common import CLINICIANS, STAFF, load_session

TOLERANCE_MG = 0.001  # below a microgram a difference is rounding, not a discrepancy
MAX_QUANTITY_MG = 100_000.0


def drug_for_route(route: Route) -> Drug:
    return Drug.ESKETAMINE if route is Route.ESKETAMINE_NASAL else Drug.KETAMINE_HCL


def receive_stock(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    drug: Drug,
    lot_number: str,
    expiry: date,
    quantity_mg: float,
    concentration_mg_per_ml: float | None = None,
    note: str = "",
) -> ControlledLogEntry:
    """Record stock received into a lot (created on first receipt). Expired stock is refused;
    a second receipt of a lot must name the same expiry."""
    access.require_role(session=session, actor=actor, clock=clock, roles=STAFF, action="cs.receive")
    clinic_id = _clinic(actor)
    lot_number = lot_number.strip()
    if not lot_number:
        raise InvalidInput("lot_number must not be blank", field="lot_number")
    if expiry < clock.now().date():
        raise InvalidInput(
            f"lot {lot_number} expired on {expiry}; do not receive it", field="expiry"
        )
    quantity = _quantity(quantity_mg)
    lot = session.scalar(
        select(ControlledLot).where(
            ControlledLot.clinic_id == clinic_id,
            ControlledLot.drug == drug,
            ControlledLot.lot_number == lot_number,
        )
    )
    if lot is None:
        lot = ControlledLot(
            clinic_id=clinic_id,
            drug=drug,
            lot_number=lot_number,
            expiry=expiry,
            concentration_mg_per_ml=concentration_mg_per_ml,
            created_at=clock.now(),
        )
        session.add(lot)
        session.flush()
    elif lot.expiry != expiry:
        raise InvalidInput(
            f"lot {lot_number} is recorded with expiry {lot.expiry}, not {expiry}", field="expiry"
        )
    entry = _entry(session, actor, clock, lot, LogEntryKind.RECEIVE, quantity, None, None, note)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="cs.receive",
        object_type="cs_log_entry",
        object_id=entry.id,
        detail={"lot": lot_number, "drug": drug.value, "quantity_mg": quantity},
    )
    return entry


def draw(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    lot_id: int,
    session_id: int,
    quantity_mg: float,
    note: str = "",
) -> ControlledLogEntry:
    """Take `quantity_mg` out of a lot for a session (never more than the lot's balance, never
    from an expired lot, never a drug that does not match the session's route)."""
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="cs.draw",
        roles=CLINICIANS,
    )
    if loaded.row.status in TERMINAL:
        raise Conflict(f"session {session_id} is {loaded.row.status.value}; nothing can be drawn")
    lot = _lot(session, actor, lot_id, lock=True)
    if lot.expiry < clock.now().date():
        raise Conflict(f"lot {lot.lot_number} expired on {lot.expiry}; do not use it")
    if lot.drug is not drug_for_route(loaded.row.route):
        raise InvalidInput(
            f"lot {lot.lot_number} is {lot.drug.value}; a {loaded.row.route.value} session needs "
            f"{drug_for_route(loaded.row.route).value}",
            field="lot_id",
        )
    quantity = _quantity(quantity_mg)
    balance = _balance(session, lot.id)
    if quantity > balance + TOLERANCE_MG:
        raise Conflict(
            f"lot {lot.lot_number} holds {balance:g} mg; {quantity:g} mg cannot be drawn"
        )
    entry = _entry(session, actor, clock, lot, LogEntryKind.DRAW, quantity, session_id, None, note)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="cs.draw",
        patient_id=loaded.row.patient_id,
        object_type="cs_log_entry",
        object_id=entry.id,
        detail={"lot": lot.lot_number, "quantity_mg": quantity, "session_id": session_id},
    )
    return entry


def record_waste(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    lot_id: int,
    session_id: int,
    quantity_mg: float,
    witness_user_id: int,
    note: str = "",
) -> ControlledLogEntry:
    """Record drug drawn for a session and not given, wasted before a second staff member.

    The witness is another active clinician of the clinic; the waste cannot exceed what the
    session drew from the lot minus what it was given and what was already wasted.
    """
    loaded = load_session(
        session=session,
        actor=actor,
        clock=clock,
        session_id=session_id,
        action="cs.waste",
        roles=CLINICIANS,
    )
    lot = _lot(session, actor, lot_id, lock=True)
    witness = session.get(User, witness_user_id)
    if (
        witness is None
        or witness.clinic_id != loaded.row.clinic_id
        or not witness.active
        or witness.role not in CLINICIANS
    ):
        raise InvalidInput(
            "witness_user_id must be an active nurse or prescriber of the clinic",
            field="witness_user_id",
        )
    if witness.id == actor.user_id:
        raise InvalidInput(
            "the witness must be a second staff member, not the one recording the waste",
            field="witness_user_id",
        )
    quantity = _quantity(quantity_mg)
    line = _session_lines(session, [session_id]).get((session_id, lot.id))
    left = line.drawn_mg - line.administered_mg - line.wasted_mg if line else 0.0
    if quantity > left + TOLERANCE_MG:
        raise Conflict(
            f"session {session_id} has {max(left, 0.0):g} mg of lot {lot.lot_number} drawn and "
            f"not yet given or wasted; {quantity:g} mg cannot be wasted"
        )
    entry = _entry(
        session, actor, clock, lot, LogEntryKind.WASTE, quantity, session_id, witness.id, note
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="cs.waste",
        patient_id=loaded.row.patient_id,
        object_type="cs_log_entry",
        object_id=entry.id,
        detail={"lot": lot.lot_number, "quantity_mg": quantity, "witness_user_id": witness.id},
    )
    return entry


@dataclass(frozen=True)
class LotBalance:
    lot: ControlledLot
    received_mg: float
    drawn_mg: float

    @property
    def balance_mg(self) -> float:
        return round(self.received_mg - self.drawn_mg, 3)


def lot_balances(*, session: Session, actor: Actor, clock: Clock) -> list[LotBalance]:
    """The perpetual balance of every lot of the actor's clinic, by drug and lot number."""
    access.require_role(session=session, actor=actor, clock=clock, roles=STAFF, action="cs.balance")
    lots = session.scalars(
        select(ControlledLot)
        .where(ControlledLot.clinic_id == _clinic(actor))
        .order_by(ControlledLot.drug, ControlledLot.lot_number)
    ).all()
    totals = _totals(session, [lot.id for lot in lots])
    audit.record(session=session, actor=actor, clock=clock, action="cs.balance")
    return [
        LotBalance(
            lot,
            totals.get((lot.id, LogEntryKind.RECEIVE), 0.0),
            totals.get((lot.id, LogEntryKind.DRAW), 0.0),
        )
        for lot in lots
    ]


def lot_entries(
    *, session: Session, actor: Actor, clock: Clock, lot_id: int
) -> Sequence[ControlledLogEntry]:
    """Every entry of one lot, oldest first."""
    access.require_role(session=session, actor=actor, clock=clock, roles=STAFF, action="cs.read")
    lot = _lot(session, actor, lot_id)
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="cs.read",
        object_type="cs_lot",
        object_id=lot.id,
    )
    return session.scalars(
        select(ControlledLogEntry)
        .where(ControlledLogEntry.lot_id == lot.id)
        .order_by(ControlledLogEntry.at, ControlledLogEntry.id)
    ).all()


@dataclass
class SessionLine:
    """What one session drew from one lot, was given and wasted (mg)."""

    session_id: int
    lot_id: int
    drawn_mg: float = 0.0
    administered_mg: float = 0.0
    wasted_mg: float = 0.0

    @property
    def unaccounted_mg(self) -> float:
        """Drawn minus given minus wasted: positive = missing drug, negative = given undrawn."""
        return round(self.drawn_mg - self.administered_mg - self.wasted_mg, 3)

    @property
    def discrepancy(self) -> str | None:
        gap = self.unaccounted_mg
        if abs(gap) <= TOLERANCE_MG:
            return None
        if self.drawn_mg <= TOLERANCE_MG:
            return f"{self.administered_mg:g} mg given with no draw recorded"
        if gap > 0:
            return (
                f"{gap:g} mg drawn but neither given nor wasted (drawn {self.drawn_mg:g}, given "
                f"{self.administered_mg:g}, wasted {self.wasted_mg:g}): a waste entry is missing "
                "or drug is unaccounted for"
            )
        return (
            f"{-gap:g} mg more given or wasted than drawn (drawn {self.drawn_mg:g}, given "
            f"{self.administered_mg:g}, wasted {self.wasted_mg:g})"
        )


@dataclass(frozen=True)
class Reconciliation:
    since: datetime | None
    until: datetime | None
    lines: tuple[SessionLine, ...]
    balances: tuple[LotBalance, ...] = field(default=())

    @property
    def discrepancies(self) -> tuple[SessionLine, ...]:
        return tuple(line for line in self.lines if line.discrepancy is not None)

    @property
    def balanced(self) -> bool:
        return not self.discrepancies


def reconcile(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Reconciliation:
    """Compare the log with the doses recorded in sessions (scheduled in [since, until)).

    A session that drew drug must account for all of it as dose given plus witnessed waste;
    a dose from a lot the session never drew from is also a discrepancy. Sessions still in
    progress (dosing not yet recorded) show up too: the report is a snapshot.
    """
    access.require_role(
        session=session, actor=actor, clock=clock, roles=STAFF, action="cs.reconcile"
    )
    query = select(TreatmentSession.id).where(TreatmentSession.clinic_id == _clinic(actor))
    if since is not None:
        query = query.where(TreatmentSession.scheduled_start >= since)
    if until is not None:
        query = query.where(TreatmentSession.scheduled_start < until)
    session_ids = list(session.scalars(query))
    lines = _session_lines(session, session_ids)
    balances = lot_balances(session=session, actor=actor, clock=clock)
    report = Reconciliation(
        since,
        until,
        tuple(sorted(lines.values(), key=lambda x: (x.session_id, x.lot_id))),
        tuple(balances),
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="cs.reconcile",
        detail={"sessions": len(session_ids), "discrepancies": len(report.discrepancies)},
    )
    return report


def _session_lines(
    session: Session, session_ids: Sequence[int]
) -> dict[tuple[int, int], SessionLine]:
    lines: dict[tuple[int, int], SessionLine] = {}
    if not session_ids:
        return lines

    def line(session_id: int, lot_id: int) -> SessionLine:
        return lines.setdefault((session_id, lot_id), SessionLine(session_id, lot_id))

    entries = session.execute(
        select(
            ControlledLogEntry.session_id,
            ControlledLogEntry.lot_id,
            ControlledLogEntry.kind,
            func.sum(ControlledLogEntry.quantity_mg),
        )
        .where(ControlledLogEntry.session_id.in_(session_ids))
        .group_by(ControlledLogEntry.session_id, ControlledLogEntry.lot_id, ControlledLogEntry.kind)
    ).all()
    for session_id, lot_id, kind, total in entries:
        if session_id is None:  # receipts belong to no session (excluded by the query)
            continue
        current = line(session_id, lot_id)
        if kind is LogEntryKind.DRAW:
            current.drawn_mg += float(total)
        elif kind is LogEntryKind.WASTE:
            current.wasted_mg += float(total)
    doses = session.execute(
        select(
            DoseAdministration.session_id, DoseAdministration.lot_id, DoseAdministration.dose_mg
        ).where(DoseAdministration.session_id.in_(session_ids))
    ).all()
    for session_id, lot_id, dose_mg in doses:
        line(session_id, lot_id).administered_mg += float(dose_mg)
    return lines


def _totals(session: Session, lot_ids: Sequence[int]) -> dict[tuple[int, LogEntryKind], float]:
    if not lot_ids:
        return {}
    rows = session.execute(
        select(
            ControlledLogEntry.lot_id,
            ControlledLogEntry.kind,
            func.sum(ControlledLogEntry.quantity_mg),
        )
        .where(ControlledLogEntry.lot_id.in_(lot_ids))
        .group_by(ControlledLogEntry.lot_id, ControlledLogEntry.kind)
    ).all()
    totals: dict[tuple[int, LogEntryKind], float] = defaultdict(float)
    for lot_id, kind, total in rows:
        totals[(lot_id, kind)] += float(total)
    return dict(totals)


def _balance(session: Session, lot_id: int) -> float:
    totals = _totals(session, [lot_id])
    return totals.get((lot_id, LogEntryKind.RECEIVE), 0.0) - totals.get(
        (lot_id, LogEntryKind.DRAW), 0.0
    )


def _lot(session: Session, actor: Actor, lot_id: int, *, lock: bool = False) -> ControlledLot:
    # Locking serialises draws on one lot (PostgreSQL) so that two cannot both spend the balance.
    lot = get_locked(session, ControlledLot, lot_id) if lock else session.get(ControlledLot, lot_id)
    if lot is None or lot.clinic_id != actor.clinic_id:
        raise NotFound(f"lot {lot_id} was not found")
    return lot


def _entry(
    session: Session,
    actor: Actor,
    clock: Clock,
    lot: ControlledLot,
    kind: LogEntryKind,
    quantity: float,
    session_id: int | None,
    witness_user_id: int | None,
    note: str,
) -> ControlledLogEntry:
    entry = ControlledLogEntry(
        clinic_id=lot.clinic_id,
        lot_id=lot.id,
        kind=kind,
        quantity_mg=quantity,
        session_id=session_id,
        actor_user_id=actor.user_id,
        witness_user_id=witness_user_id,
        note=note.strip(),
        at=clock.now(),
    )
    session.add(entry)
    session.flush()
    return entry


def _quantity(value: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (0 < value <= MAX_QUANTITY_MG)
    ):
        raise InvalidInput(
            f"quantity_mg must be a number of mg above 0 and at most {MAX_QUANTITY_MG:g}",
            field="quantity_mg",
        )
    return round(float(value), 3)


def _clinic(actor: Actor) -> int:
    if actor.clinic_id is None:
        raise InvalidInput("the actor belongs to no clinic", field="clinic_id")
    return actor.clinic_id
