"""The controlled-substance pages: balances, receive, draw, witnessed waste, a lot's entries and
the reconciliation report. Refusals are shown beside the field and change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ketacare.db.models import ControlledLogEntry, ControlledLot
from tests.services.session_support import book, chairs, dosed_iv
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in


def _entries(db) -> int:  # type: ignore[no-untyped-def]
    return int(db.scalar(select(func.count()).select_from(ControlledLogEntry)) or 0)


@pytest.fixture
def dosed(db, cast, clock):  # type: ignore[no-untyped-def]
    """A session of clinic A that drew 50 mg of lot K-100 and was given 35 mg (15 mg missing)."""
    nurse = cast.actor(cast.nurse_a)
    row = book(db, nurse, clock, cast.patient_a.id, chairs(db, cast.clinic_a)[0], cast.nurse_a.id)
    clock.advance(minutes=60)
    lot_id = dosed_iv(db, nurse, clock, row, dose_mg=35)
    db.commit()
    return row.id, lot_id


def _nurse(client) -> str:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    return csrf_from(client.get("/controlled-substances").text)


def test_the_log_page_shows_each_lots_balance(client, cast, dosed) -> None:  # type: ignore[no-untyped-def]
    _nurse(client)
    page = client.get("/controlled-substances").text
    assert "K-100" in page and ">450<" in page


def test_a_nurse_records_a_witnessed_waste_and_reconciliation_balances(
    client, cast, db, dosed
) -> None:  # type: ignore[no-untyped-def]
    session_id, lot_id = dosed
    token = _nurse(client)
    report = client.get("/controlled-substances/reconciliation").text
    assert "1 discrepancy" in report and 'class="discrepancy"' in report
    assert "15 mg drawn but neither given nor wasted" in report
    response = client.post(
        "/controlled-substances/waste",
        data={
            "csrf_token": token,
            "waste_lot_id": str(lot_id),
            "waste_session_id": str(session_id),
            "waste_quantity_mg": "15",
            "witness_user_id": str(cast.prescriber_a.id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Balanced." in client.get("/controlled-substances/reconciliation").text
    lot_page = client.get(f"/controlled-substances/lots/{lot_id}").text
    assert "waste" in lot_page and "prescriber" in lot_page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"witness_user_id": "self"}, "witness_user_id", "second staff member"),
        ({"witness_user_id": ""}, "witness_user_id", "choose the witness"),
        ({"waste_quantity_mg": "16"}, "waste_quantity_mg", "cannot be wasted"),
        ({"waste_quantity_mg": "lots"}, "waste_quantity_mg", "must be a number"),
        ({"waste_quantity_mg": "-1"}, "waste_quantity_mg", "above 0"),
        ({"waste_session_id": ""}, "waste_session_id", "choose the session"),
    ],
)
def test_a_refused_waste_is_shown_beside_the_field_and_logs_nothing(
    client, cast, db, dosed, change: dict[str, str], field: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    session_id, lot_id = dosed
    token = _nurse(client)
    before = _entries(db)
    data = {
        "csrf_token": token,
        "waste_lot_id": str(lot_id),
        "waste_session_id": str(session_id),
        "waste_quantity_mg": "15",
        "witness_user_id": str(cast.prescriber_a.id),
    } | change
    if data["witness_user_id"] == "self":
        data["witness_user_id"] = str(cast.nurse_a.id)
    response = client.post("/controlled-substances/waste", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert f'value="{data["waste_quantity_mg"]}"' in response.text
    assert _entries(db) == before


def test_the_witness_picker_offers_other_clinicians_only(client, cast, dosed) -> None:  # type: ignore[no-untyped-def]
    _nurse(client)
    page = client.get("/controlled-substances").text
    picker = page[page.index('id="witness_user_id"') :]
    picker = picker[: picker.index("</select>")]
    assert f'value="{cast.prescriber_a.id}"' in picker
    assert f'value="{cast.nurse_a.id}"' not in picker
    assert f'value="{cast.admin_a.id}"' not in picker


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"lot_number": " "}, "lot_number", "must not be blank"),
        ({"expiry": "2020-01-01"}, "expiry", "expired on"),
        ({"expiry": "soon"}, "expiry", "must be a date"),
        ({"receive_quantity_mg": "0"}, "receive_quantity_mg", "above 0"),
        ({"drug": "morphine"}, "drug", "ketamine HCl or esketamine"),
    ],
)
def test_a_refused_receipt_is_shown_beside_the_field_and_creates_no_lot(
    client, cast, db, change: dict[str, str], field: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    token = _nurse(client)
    data = {
        "csrf_token": token,
        "drug": "ketamine_hcl",
        "lot_number": "NEW-1",
        "expiry": "2027-01-31",
        "receive_quantity_mg": "500",
    } | change
    response = client.post("/controlled-substances/receive", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert db.scalar(select(func.count()).select_from(ControlledLot)) == 0
    assert _entries(db) == 0


def test_receiving_stock_then_drawing_more_than_the_balance_is_refused(
    client, cast, db, dosed
) -> None:  # type: ignore[no-untyped-def]
    session_id, lot_id = dosed
    token = _nurse(client)
    before = _entries(db)
    response = client.post(
        "/controlled-substances/draw",
        data={
            "csrf_token": token,
            "draw_lot_id": str(lot_id),
            "draw_session_id": str(session_id),
            "draw_quantity_mg": "451",
        },
    )
    assert response.status_code == 422
    assert 'id="draw_quantity_mg-error"' in response.text and "holds 450 mg" in response.text
    assert _entries(db) == before


def test_a_patient_cannot_open_the_log(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice@a.example")
    assert client.get("/controlled-substances").status_code == 403
    assert client.get("/controlled-substances/reconciliation").status_code == 403


def test_another_clinics_nurse_sees_none_of_its_lots(client, cast, dosed) -> None:  # type: ignore[no-untyped-def]
    _, lot_id = dosed
    sign_in(client, "nurse@b.example")
    assert "K-100" not in client.get("/controlled-substances").text
    assert client.get(f"/controlled-substances/lots/{lot_id}").status_code == 404


def test_a_malformed_reconciliation_date_is_named_beside_the_field(client, cast) -> None:  # type: ignore[no-untyped-def]
    _nurse(client)
    response = client.get("/controlled-substances/reconciliation", params={"since": "yesterday"})
    assert response.status_code == 422 and 'id="since-error"' in response.text
