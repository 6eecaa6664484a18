"""The patient's check-in pages and API behind a one-time link (no sign-in, no JavaScript)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.db.models import PatientAlert, SymptomScore
from ketacare.domain.findings import Severity
from ketacare.services import check_ins
from ketacare.services.clock import FixedClock
from tests.services.check_in_support import Inbox, inbox, mail_settings, make_worker, smtp

__all__ = ["inbox", "mail_settings", "smtp"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _emailed_token(db, cast, clock, session_factory, mail_settings, inbox) -> str:  # type: ignore[no-untyped-def]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    make_worker(session_factory, mail_settings, clock, "w").run_once()
    (message,) = inbox.to("alice@example.org")
    return inbox.token_in(message)


def _form(gad7: list[int], phq9: list[int], csrf: str) -> dict[str, str]:
    data = {"csrf_token": csrf}
    data |= {f"gad7_{i + 1}": str(v) for i, v in enumerate(gad7)}
    data |= {f"phq9_{i + 1}": str(v) for i, v in enumerate(phq9)}
    return data


def test_the_patient_answers_the_emailed_link_on_the_page_and_sees_the_bands_in_plain_words(
    client: TestClient,
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    token = _emailed_token(db, cast, clock, session_factory, mail_settings, inbox)
    page = client.get(f"/c/{token}")
    assert page.status_code == 200
    assert "GAD-7" in page.text and "PHQ-9" in page.text and "PCL-5" not in page.text
    assert 'type="radio"' in page.text and "<script" not in page.text.split("<body")[1]
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/c/{token}", data=_form([2, 2, 2, 1, 1, 1, 1], [1] * 8 + [0], csrf))
    assert done.status_code == 200
    assert "Thank you" in done.text
    assert "10 of 21" in done.text and "Moderate anxiety" in done.text
    assert "8 of 27" in done.text and "Mild low mood" in done.text
    assert "988" not in done.text.split("<footer")[0]  # no crisis block when not urgent
    totals = sorted(s.total for s in db.scalars(select(SymptomScore)).all())
    assert totals == [8, 10]


def test_phq9_item_9_answered_1_shows_crisis_resources_in_the_same_response_and_alerts_the_clinic(
    client: TestClient,
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    token = _emailed_token(db, cast, clock, session_factory, mail_settings, inbox)
    csrf = CSRF.search(client.get(f"/c/{token}").text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/c/{token}", data=_form([1] * 7, [1] * 8 + [1], csrf))
    assert done.status_code == 200
    main = done.text.split("<footer")[0]
    assert 'role="alert"' in main and "call or text 988" in main
    assert main.index("988") < main.index("Your answers are with")  # crisis text comes first
    (alert,) = db.scalars(
        select(PatientAlert).where(PatientAlert.patient_id == cast.patient_a.id)
    ).all()
    assert alert.level is Severity.URGENT


def test_a_second_use_of_the_link_shows_a_clear_already_answered_page(
    client: TestClient,
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    token = _emailed_token(db, cast, clock, session_factory, mail_settings, inbox)
    csrf = CSRF.search(client.get(f"/c/{token}").text).group(1)  # type: ignore[union-attr]
    assert client.post(f"/c/{token}", data=_form([0] * 7, [0] * 9, csrf)).status_code == 200
    again = client.post(f"/c/{token}", data=_form([3] * 7, [3] * 9, csrf))
    assert again.status_code == 409
    assert "Already answered" in again.text and "already been answered" in again.text
    assert client.get(f"/c/{token}").status_code == 409
    assert len(db.scalars(select(SymptomScore)).all()) == 2


def test_an_expired_link_and_an_unknown_link_each_get_their_own_page(
    client: TestClient,
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    token = _emailed_token(db, cast, clock, session_factory, mail_settings, inbox)
    clock.advance(hours=72)
    expired = client.get(f"/c/{token}")
    assert expired.status_code == 410 and "This link has expired" in expired.text
    unknown = client.get("/c/made-up-token")
    assert unknown.status_code == 404 and "We do not recognise this link" in unknown.text


def test_a_missing_answer_is_marked_beside_its_question_and_the_link_stays_usable(
    client: TestClient,
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    token = _emailed_token(db, cast, clock, session_factory, mail_settings, inbox)
    csrf = CSRF.search(client.get(f"/c/{token}").text).group(1)  # type: ignore[union-attr]
    data = _form([1] * 7, [1] * 9, csrf)
    del data["phq9_4"]
    partial = client.post(f"/c/{token}", data=data)
    assert partial.status_code == 422
    assert 'aria-describedby="phq9_4-error"' in partial.text
    assert "1 is still open" in partial.text
    assert (
        'value="1" required\n                         checked' in partial.text
        or "checked" in partial.text
    )
    assert db.scalars(select(SymptomScore)).all() == []
    assert client.get(f"/c/{token}").status_code == 200


def test_the_api_answers_through_the_link_and_staff_list_the_check_ins(
    client: TestClient,
    db: Session,
    cast,
    clock: FixedClock,
    token_for,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    token = _emailed_token(db, cast, clock, session_factory, mail_settings, inbox)
    form = client.get(f"/api/check-ins/{token}").json()
    assert [q["code"] for q in form["questionnaires"]] == ["gad7", "phq9"]
    answered = client.post(
        f"/api/check-ins/{token}", json={"answers": {"gad7": [0] * 7, "phq9": [0] * 8 + [2]}}
    )
    assert answered.status_code == 200
    body = answered.json()
    assert body["urgent"] is True and "988" in body["crisis_resources"]
    again = client.post(
        f"/api/check-ins/{token}", json={"answers": {"gad7": [0] * 7, "phq9": [0] * 9}}
    )
    assert again.status_code == 409
    listed = client.get(
        f"/api/patients/{cast.patient_a.id}/check-ins", headers=token_for(cast.nurse_a)
    ).json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "answered"
    assert listed["items"][0]["urgent"] is True
    other_clinic = client.get(
        f"/api/patients/{cast.patient_a.id}/check-ins", headers=token_for(cast.nurse_b)
    )
    assert other_clinic.status_code == 404


def test_staff_request_a_check_in_through_the_api(client: TestClient, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    made = client.post(
        f"/api/patients/{cast.patient_a.id}/check-ins", json={}, headers=token_for(cast.nurse_a)
    )
    assert made.status_code == 201
    assert made.json()["kind"] == "on_request" and made.json()["instruments"] == ["gad7", "phq9"]
