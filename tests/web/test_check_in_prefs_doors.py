"""The three doors to a patient's check-in preferences: the staff panel on the chart (plain
form: 303 on success, 422 beside the field with nothing changed), the patient's own section on
/my, and the JSON API (GET/PUT /api/patients/{id}/check-in-preferences) with its 403/404 cases."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, CheckInPreference
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in

URL = "/patients/{}/check-in-preferences"


def _versions(db: Session, patient_id: int) -> list[CheckInPreference]:
    db.expire_all()
    return list(
        db.scalars(
            select(CheckInPreference)
            .where(CheckInPreference.patient_id == patient_id)
            .order_by(CheckInPreference.version)
        )
    )


def _staff_post(client, patient_id: int, **data):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(URL.format(patient_id)).text)
    return client.post(
        URL.format(patient_id), data={**data, "csrf_token": token}, follow_redirects=False
    )


# --- staff: the chart's panel ---------------------------------------------------------------


def test_the_chart_loads_the_panel_and_links_to_it_without_javascript(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    chart = client.get(f"/patients/{cast.patient_a.id}").text
    assert f'hx-get="/patients/{cast.patient_a.id}/check-in-preferences"' in chart
    assert f'href="/patients/{cast.patient_a.id}/check-in-preferences"' in chart
    fragment = client.get(URL.format(cast.patient_a.id), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Check-in emails: " in fragment.text
    assert "on, at any time" in fragment.text and "Never changed" in fragment.text
    page = client.get(URL.format(cast.patient_a.id))
    assert "<html" in page.text and "Back to the chart" in page.text


def test_staff_save_preferences_with_a_reason_and_go_back_to_the_chart(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _staff_post(
        client,
        cast.patient_a.id,
        opted_out="no",
        earliest_hour="9",
        latest_hour="19",
        reason="works nights, asked for daytime emails",
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/patients/{cast.patient_a.id}?saved=check-in-preferences#check-in-prefs"
    )
    (row,) = _versions(db, cast.patient_a.id)
    assert (row.opted_out, row.earliest_hour, row.latest_hour) == (False, 9, 19)
    assert row.set_by_user_id == cast.nurse_a.id
    panel = client.get(URL.format(cast.patient_a.id), headers={"HX-Request": "1"}).text
    assert "between 09:00–19:00 (America/New_York time)" in panel
    assert "works nights" in panel


def test_a_window_ending_before_it_starts_is_refused_beside_the_field_and_nothing_changes(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _staff_post(
        client,
        cast.patient_a.id,
        opted_out="no",
        earliest_hour="19",
        latest_hour="9",
        reason="patient asked",
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="latest_hour-error"' in html and "must be after earliest_hour" in html
    assert 'aria-invalid="true"' in html
    assert '<option value="19" selected' in html  # the typed values are kept
    assert _versions(db, cast.patient_a.id) == []


def test_staff_must_say_why(client, cast, db: Session) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _staff_post(
        client, cast.patient_a.id, opted_out="yes", earliest_hour="", latest_hour="", reason=""
    )
    assert response.status_code == 422
    assert 'id="reason-error"' in response.text
    assert _versions(db, cast.patient_a.id) == []


def test_an_hour_not_in_the_list_is_refused_beside_it(client, cast, db: Session) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _staff_post(
        client, cast.patient_a.id, opted_out="no", earliest_hour="25", latest_hour="", reason="x"
    )
    assert response.status_code == 422
    assert 'id="earliest_hour-error"' in response.text
    assert _versions(db, cast.patient_a.id) == []


def test_another_clinics_patient_is_not_found_and_a_patient_is_refused_the_staff_panel(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    assert client.get(URL.format(cast.patient_b.id)).status_code == 404
    token = csrf_from(client.get(URL.format(cast.patient_a.id)).text)
    posted = client.post(
        URL.format(cast.patient_b.id),
        data={"opted_out": "yes", "reason": "x", "csrf_token": token},
        follow_redirects=False,
    )
    assert posted.status_code == 404
    assert _versions(db, cast.patient_b.id) == []
    client.post("/signout", data={"csrf_token": token})
    patient = client.__class__(client.app)
    sign_in(patient, cast.patient_user_a.email)
    assert patient.get(URL.format(cast.patient_a.id)).status_code == 403


# --- the patient: /my -----------------------------------------------------------------------


def _my_post(client, **data):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/my").text)
    return client.post(
        "/my/check-in-emails", data={**data, "csrf_token": token}, follow_redirects=False
    )


def test_my_page_shows_the_check_in_emails_section_with_large_choices(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.patient_user_a.email)
    html = client.get("/my").text
    assert 'id="check-in-emails"' in html and "Check-in emails" in html
    assert "at any time of day" in html
    assert 'class="choice"><input type="radio" name="emails" value="on" checked' in html
    assert 'name="earliest_hour"' in html and 'name="latest_hour"' in html


def test_the_patient_turns_check_in_emails_off_and_the_page_says_so(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.patient_user_a.email)
    response = _my_post(client, emails="off", earliest_hour="", latest_hour="")
    assert response.status_code == 303
    assert response.headers["location"] == "/my?saved=emails#check-in-emails"
    (row,) = _versions(db, cast.patient_a.id)
    assert row.opted_out and row.set_by_role == "patient"
    assert row.reason == "changed by the patient"
    html = client.get("/my?saved=emails").text
    assert "You have turned check-in emails off" in html
    assert "reminder the day before each session" in html
    assert "Saved." in html


def test_the_patient_chooses_hours_and_a_bad_pair_is_refused_in_plain_words(
    client, cast, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.patient_user_a.email)
    refused = _my_post(client, emails="on", earliest_hour="18", latest_hour="8")
    assert refused.status_code == 422
    assert 'id="latest_hour-error"' in refused.text
    assert "Choose an “until” time later than the “from” time" in refused.text
    assert _versions(db, cast.patient_a.id) == []
    one_only = _my_post(client, emails="on", earliest_hour="8", latest_hour="")
    assert one_only.status_code == 422 and 'id="latest_hour-error"' in one_only.text
    saved = _my_post(client, emails="on", earliest_hour="8", latest_hour="20")
    assert saved.status_code == 303
    (row,) = _versions(db, cast.patient_a.id)
    assert (row.opted_out, row.earliest_hour, row.latest_hour) == (False, 8, 20)
    assert "only between 08:00–20:00" in client.get("/my").text


def test_staff_cannot_use_the_patients_own_form(client, cast, db: Session) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    token = csrf_from(client.get("/check-ins").text)
    response = client.post(
        "/my/check-in-emails",
        data={"emails": "off", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert db.scalar(select(func.count()).select_from(CheckInPreference)) == 0


# --- the API --------------------------------------------------------------------------------

API = "/api/patients/{}/check-in-preferences"


def test_the_api_reads_the_defaults_then_a_new_version(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.nurse_a)
    first = client.get(API.format(cast.patient_a.id), headers=headers)
    assert first.status_code == 200
    assert first.json() == {
        "patient_id": cast.patient_a.id,
        "opted_out": False,
        "earliest_hour": None,
        "latest_hour": None,
        "timezone": "America/New_York",
        "version": None,
        "versions": [],
    }
    put = client.put(
        API.format(cast.patient_a.id),
        json={"opted_out": False, "earliest_hour": 9, "latest_hour": 19, "reason": "asked"},
        headers=headers,
    )
    assert put.status_code == 200
    body = put.json()
    assert (body["version"], body["earliest_hour"], body["latest_hour"]) == (1, 9, 19)
    assert body["versions"][0]["reason"] == "asked"
    assert body["versions"][0]["set_by_role"] == "staff"


def test_the_patient_reads_and_sets_their_own_through_the_api(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = token_for(cast.patient_user_a)
    put = client.put(API.format(cast.patient_a.id), json={"opted_out": True}, headers=headers)
    assert put.status_code == 200 and put.json()["opted_out"] is True
    assert put.json()["versions"][0]["reason"] == "changed by the patient"


def test_the_api_refuses_a_bad_window_naming_the_field(client, cast, token_for, db) -> None:  # type: ignore[no-untyped-def]
    response = client.put(
        API.format(cast.patient_a.id),
        json={"opted_out": False, "earliest_hour": 9, "latest_hour": 24, "reason": "r"},
        headers=token_for(cast.nurse_a),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "latest_hour"
    assert _versions(db, cast.patient_a.id) == []


def test_the_api_rejects_unknown_fields(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    response = client.put(
        API.format(cast.patient_a.id),
        json={"opted_out": True, "reason": "r", "sms": True},
        headers=token_for(cast.nurse_a),
    )
    assert response.status_code == 422


def test_another_clinic_and_another_patient_get_404_and_it_is_audited(
    client, cast, token_for, db: Session
) -> None:  # type: ignore[no-untyped-def]
    nurse_b = token_for(cast.nurse_b)
    assert client.get(API.format(cast.patient_a.id), headers=nurse_b).status_code == 404
    put = client.put(
        API.format(cast.patient_a.id), json={"opted_out": True, "reason": "r"}, headers=nurse_b
    )
    assert put.status_code == 404
    alice = token_for(cast.patient_user_a)
    assert client.get(API.format(cast.other_patient_a.id), headers=alice).status_code == 404
    assert _versions(db, cast.patient_a.id) == []
    denied = db.scalars(
        select(AuditEvent.action).where(
            AuditEvent.outcome == "denied", AuditEvent.action.startswith("check_in_preferences.")
        )
    ).all()
    assert len(denied) == 3


def test_without_a_token_the_api_answers_401(client, cast) -> None:  # type: ignore[no-untyped-def]
    assert client.get(API.format(cast.patient_a.id)).status_code == 401


def test_the_clinic_check_in_list_api_is_staff_only(client, cast, token_for) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/check-ins", headers=token_for(cast.patient_user_a))
    assert response.status_code == 403
