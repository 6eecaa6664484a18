"""`ketacare sessions day|overdue` and `ketacare cs receive|balance|reconcile` on a fresh
database (the same services as the API; a discrepancy makes `reconcile` exit with 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketacare.cli.common import session_scope
from ketacare.cli.main import app
from ketacare.db.models import Drug, LocationKind, Patient, Role
from ketacare.services import clinics, controlled_substances, session_booking
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock, SystemClock
from tests.factories.courses import consented_course

runner = CliRunner()
TOMORROW = date.today() + timedelta(days=1)
EXPIRY = (date.today() + timedelta(days=365)).isoformat()


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Clinic "cove" with one chair, a nurse and a patient booked tomorrow at 15:00 UTC."""
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    clock = SystemClock()
    with session_scope() as session:
        row = clinics.create_clinic(session=session, clock=clock, name="Cove", slug="cove")
        system = Actor.system("test", row.id)
        chair = clinics.add_location(
            session=session,
            actor=system,
            clock=clock,
            name="Chair 1",
            kind=LocationKind.CHAIR,
            clinic_id=row.id,
        )
        nurse = clinics.create_user(
            session=session,
            actor=system,
            clock=clock,
            email="nurse@cove.example",
            full_name="Nina Nurse",
            role=Role.NURSE,
            password="a-long-password",
            clinic_id=row.id,
        )
        patient = Patient(
            clinic_id=row.id,
            given_name="Pat",
            family_name="Cove",
            date_of_birth=date(1980, 1, 1),
            sex="male",
            email="",
            phone="",
            created_at=clock.now(),
        )
        session.add(patient)
        session.flush()
        booked = session_booking.book_session(
            session=session,
            actor=system,
            clock=clock,
            patient_id=patient.id,
            start=datetime.combine(TOMORROW, datetime.min.time(), UTC).replace(hour=15),
            chair_id=chair.id,
            nurse_user_id=nurse.id,
            course_id=consented_course(session, clock=clock, patient_id=patient.id).id,
        )
        return {"clinic_id": row.id, "session_id": booked.id, "nurse_id": nurse.id}


def test_sessions_day_lists_each_chairs_sessions(clinic: dict[str, int]) -> None:
    result = runner.invoke(app, ["sessions", "day", "--clinic", "cove", "--day", str(TOMORROW)])
    assert result.exit_code == 0, result.output
    assert "Chair 1" in result.output and "scheduled" in result.output and "iv" in result.output


def test_sessions_day_of_an_empty_day_lists_nothing(clinic: dict[str, int]) -> None:
    day = str(TOMORROW + timedelta(days=3))
    result = runner.invoke(app, ["sessions", "day", "--clinic", "cove", "--day", day])
    assert result.exit_code == 0 and "Chair 1" not in result.output


def test_sessions_overdue_reports_none_before_any_session_starts(clinic: dict[str, int]) -> None:
    result = runner.invoke(app, ["sessions", "overdue", "--clinic", "cove"])
    assert result.exit_code == 0, result.output
    assert "0 overdue" in result.output


def test_an_unknown_clinic_is_refused_with_its_short_name(clinic: dict[str, int]) -> None:
    result = runner.invoke(app, ["sessions", "overdue", "--clinic", "nowhere"])
    assert result.exit_code != 0
    assert "nowhere" in result.output


def test_cs_receive_then_balance_shows_the_lot(clinic: dict[str, int]) -> None:
    received = runner.invoke(
        app,
        [
            "cs", "receive", "--clinic", "cove", "--drug", "ketamine_hcl", "--lot", "K-1",
            "--expiry", EXPIRY, "--quantity-mg", "500",
        ],
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    assert "received 500 mg into lot K-1" in received.output
    balance = runner.invoke(app, ["cs", "balance", "--clinic", "cove"])
    assert balance.exit_code == 0
    assert "K-1" in balance.output and "500" in balance.output


def test_cs_receive_of_expired_stock_is_refused_and_logs_nothing(clinic: dict[str, int]) -> None:
    result = runner.invoke(
        app,
        [
            "cs", "receive", "--clinic", "cove", "--drug", "ketamine_hcl", "--lot", "OLD",
            "--expiry", "2020-01-01", "--quantity-mg", "500",
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "(expiry)" in result.output and "expired" in result.output
    assert "OLD" not in runner.invoke(app, ["cs", "balance", "--clinic", "cove"]).output


def test_cs_reconcile_is_clean_then_flags_a_draw_not_given_or_wasted(
    clinic: dict[str, int],
) -> None:
    clean = runner.invoke(app, ["cs", "reconcile", "--clinic", "cove"])
    assert clean.exit_code == 0 and "0 discrepancies" in clean.output
    # Draw 50 mg for tomorrow's session (the clock moved to its start); nothing given yet.
    start = datetime.combine(TOMORROW, datetime.min.time(), UTC).replace(hour=15)
    clock = FixedClock(start)
    with session_scope() as session:
        system = Actor.system("test", clinic["clinic_id"])
        entry = controlled_substances.receive_stock(
            session=session, actor=system, clock=clock, drug=Drug.KETAMINE_HCL,
            lot_number="K-2", expiry=date.fromisoformat(EXPIRY), quantity_mg=200,
        )  # fmt: skip
        controlled_substances.draw(
            session=session, actor=system, clock=clock, lot_id=entry.lot_id,
            session_id=clinic["session_id"], quantity_mg=50,
        )  # fmt: skip
    flagged = runner.invoke(app, ["cs", "reconcile", "--clinic", "cove"])
    assert flagged.exit_code == 1
    assert f"session {clinic['session_id']}" in flagged.output
    assert "50 mg drawn but neither given nor wasted" in flagged.output
    assert "1 discrepancies" in flagged.output
