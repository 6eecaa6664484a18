"""The controlled-substance log: balances per lot, witnessed waste, and a reconciliation that
finds what the log and the sessions' doses disagree on."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ketacare.domain.errors import Conflict, InvalidInput
from ketacare.services import controlled_substances as cs
from ketacare.services.clock import FixedClock
from tests.services.session_support import book, chairs, dosed_iv


def _dosed(db: Session, cast, clock: FixedClock) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    clock.advance(minutes=60)
    return row.id, dosed_iv(db, nurse, clock, row, dose_mg=35)


def test_reconciliation_finds_a_missing_waste_entry_and_is_balanced_once_it_is_recorded(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    session_id, lot_id = _dosed(db, cast, clock)
    nurse = cast.actor(cast.nurse_a)
    report = cs.reconcile(session=db, actor=nurse, clock=clock)
    assert not report.balanced
    [line] = report.discrepancies
    assert (line.session_id, line.drawn_mg, line.administered_mg, line.wasted_mg) == (
        session_id,
        50.0,
        35.0,
        0.0,
    )
    assert "15 mg drawn but neither given nor wasted" in (line.discrepancy or "")
    cs.record_waste(
        session=db,
        actor=nurse,
        clock=clock,
        lot_id=lot_id,
        session_id=session_id,
        quantity_mg=15,
        witness_user_id=cast.prescriber_a.id,
    )
    assert cs.reconcile(session=db, actor=nurse, clock=clock).balanced


def test_the_lot_balance_is_received_minus_drawn(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    _dosed(db, cast, clock)
    [balance] = cs.lot_balances(session=db, actor=cast.actor(cast.nurse_a), clock=clock)
    assert (balance.received_mg, balance.drawn_mg, balance.balance_mg) == (500.0, 50.0, 450.0)


def test_waste_needs_a_second_staff_member_and_cannot_exceed_what_is_left(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    session_id, lot_id = _dosed(db, cast, clock)
    nurse = cast.actor(cast.nurse_a)
    with pytest.raises(InvalidInput, match="second staff member"):
        cs.record_waste(
            session=db,
            actor=nurse,
            clock=clock,
            lot_id=lot_id,
            session_id=session_id,
            quantity_mg=15,
            witness_user_id=cast.nurse_a.id,
        )
    with pytest.raises(Conflict, match="15 mg of lot K-100 drawn and not yet given"):
        cs.record_waste(
            session=db,
            actor=nurse,
            clock=clock,
            lot_id=lot_id,
            session_id=session_id,
            quantity_mg=16,
            witness_user_id=cast.prescriber_a.id,
        )


def test_a_draw_beyond_the_balance_is_refused(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    session_id, lot_id = _dosed(db, cast, clock)
    with pytest.raises(Conflict, match="holds 450 mg"):
        cs.draw(
            session=db,
            actor=cast.actor(cast.nurse_a),
            clock=clock,
            lot_id=lot_id,
            session_id=session_id,
            quantity_mg=451,
        )


def test_log_entries_cannot_be_changed_or_deleted(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    _dosed(db, cast, clock)
    db.commit()
    for statement in ("UPDATE cs_log_entries SET quantity_mg = 1", "DELETE FROM cs_log_entries"):
        with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
            db.execute(text(statement))
