"""Admin pages: users, chairs and rooms, the clinic policy, the finder listing. Forms refuse bad
input beside the field and change nothing; admin pages are for a clinic's admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ketacare.db.models import Location, PolicyVersion, User
from ketacare.domain.plans import SessionOutcome
from ketacare.domain.policy import ClinicPolicy
from ketacare.services import courses, intake, patients, screening
from tests.conftest import PASSWORD
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in

ADMIN_PAGES = ["/admin/users", "/admin/locations", "/admin/policy", "/admin/listing"]


def _signed_in(client, email: str) -> str:  # type: ignore[no-untyped-def]
    assert sign_in(client, email).status_code == 303
    return csrf_from(client.get("/admin/audit" if "admin" in email else "/").text)


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("path", [*ADMIN_PAGES, "/admin/audit"])
def test_a_nurse_cannot_reach_an_admin_page(client, cast, path: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_every_admin_page_opens_for_the_admin_with_the_admin_sub_navigation(
    client, cast, path: str
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "admin@a.example")
    page = client.get(path)
    assert page.status_code == 200
    assert 'aria-label="Admin"' in page.text
    assert f'href="{path}" aria-current="page"' in page.text


def test_the_users_page_lists_only_this_clinics_accounts(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "admin@a.example")
    page = client.get("/admin/users").text
    assert "nurse@a.example" in page and "prescriber@a.example" in page
    assert "nurse@b.example" not in page


def test_the_admin_creates_a_staff_account_and_is_redirected(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    token = _signed_in(client, "admin@a.example")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "full_name": "Noor Nurse",
            "email": "Noor@A.example",
            "role": "nurse",
            "password": "a-long-first-password",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    created = db.scalar(select(User).where(User.email == "noor@a.example"))
    assert created is not None and created.clinic_id == cast.clinic_a.id
    assert "Account created for noor@a.example" in client.get(response.headers["location"]).text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "is not an email address"),
        ({"email": "nurse@b.example"}, "email", "exists already"),
        ({"full_name": " "}, "full_name", "needs a full name"),
        ({"role": "patient"}, "role", "invitation"),
        ({"password": "short"}, "password", "at least 10 characters"),
        ({"password": ""}, "password", "first password"),
    ],
)
def test_a_refused_user_form_names_the_field_keeps_what_was_typed_and_changes_nothing(
    client, cast, db, change: dict[str, str], field: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    token = _signed_in(client, "admin@a.example")
    before = _count(db, User)
    data = {
        "csrf_token": token,
        "full_name": "Typed Name",
        "email": "typed@a.example",
        "role": "prescriber",
        "password": "a-long-first-password",
    } | change
    response = client.post("/admin/users", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    if field != "full_name":
        assert 'value="Typed Name"' in response.text
    assert "a-long-first-password" not in response.text  # a password is never echoed
    assert _count(db, User) == before


def test_the_admin_adds_a_recovery_room_and_a_duplicate_name_is_refused_beside_the_field(
    client, cast, db
) -> None:  # type: ignore[no-untyped-def]
    token = _signed_in(client, "admin@a.example")
    added = client.post(
        "/admin/locations",
        data={"csrf_token": token, "name": "Recovery A", "kind": "recovery_room"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get("/admin/locations").text
    assert "Recovery A" in page
    before = _count(db, Location)
    again = client.post(
        "/admin/locations", data={"csrf_token": token, "name": "Chair 1", "kind": "chair"}
    )
    assert again.status_code == 422
    assert 'id="name-error"' in again.text and "already has a location named" in again.text
    wrong_kind = client.post(
        "/admin/locations", data={"csrf_token": token, "name": "Bed 1", "kind": "bed"}
    )
    assert wrong_kind.status_code == 422 and 'id="kind-error"' in wrong_kind.text
    assert _count(db, Location) == before


def test_clinic_b_admin_sees_none_of_clinic_a_locations(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    from ketacare.services import clinics
    from ketacare.services.actors import Actor

    clinics.create_user(
        session=db,
        actor=Actor.system("t", cast.clinic_b.id),
        clock=clock,
        email="admin@b.example",
        full_name="Admin B",
        role=cast.admin_a.role,
        password=PASSWORD,
        clinic_id=cast.clinic_b.id,
    )
    clinics.add_location(
        session=db,
        actor=Actor.system("t", cast.clinic_a.id),
        clock=clock,
        name="A-only room",
        kind=__import__("ketacare.db.models", fromlist=["LocationKind"]).LocationKind.RECOVERY_ROOM,
        clinic_id=cast.clinic_a.id,
    )
    db.commit()
    sign_in(client, "admin@b.example")
    assert "A-only room" not in client.get("/admin/locations").text
    users = client.get("/admin/users").text
    assert "nurse@b.example" in users and "nurse@a.example" not in users


# --- policy ------------------------------------------------------------------------------------


def test_the_policy_page_shows_value_default_unit_source_and_the_confirmation_marker(
    client, cast
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "admin@a.example")
    page = client.get("/admin/policy").text
    values = list(ClinicPolicy().values())
    unconfirmed = [v for v in values if not v.confirmed]
    assert unconfirmed, "the reference has unconfirmed defaults"
    assert f"{len(unconfirmed)} values need prescriber confirmation" in page
    assert page.count("needs prescriber confirmation</span>") == len(unconfirmed)
    first = values[0]
    assert f'id="{first.key}"' in page
    assert first.info.statement[:40] in page
    if first.info.source.url:
        assert f'href="{first.info.source.url}"' in page


def test_the_admin_changes_a_value_with_a_reason_and_the_history_shows_it(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    token = _signed_in(client, "admin@a.example")
    key = "staffing.max_patients_per_nurse"
    response = client.post(
        "/admin/policy",
        data={"csrf_token": token, "key": key, "value": "3", "reason": "new staffing plan"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    row = db.scalar(select(PolicyVersion).where(PolicyVersion.clinic_id == cast.clinic_a.id))
    assert row is not None and row.overrides[key] == 3
    page = client.get("/admin/policy").text
    assert "Version 1 is in force" in page
    assert "new staffing plan" in page and f"<code>{key}</code>: 4 → 3" in page.replace(
        "default", "4"
    )


@pytest.mark.parametrize(
    ("value", "reason", "field", "message"),
    [
        ("99", "too many", "value", "must be between"),
        ("three", "typo", "value", "must be a number"),
        ("2.5", "half a patient", "value", "whole number"),
        ("3", "  ", "reason", "say why the policy changes"),
    ],
)
def test_a_refused_policy_change_is_shown_beside_the_field_and_changes_nothing(
    client, cast, db, value: str, reason: str, field: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    token = _signed_in(client, "admin@a.example")
    response = client.post(
        "/admin/policy",
        data={
            "csrf_token": token,
            "key": "staffing.max_patients_per_nurse",
            "value": value,
            "reason": reason,
        },
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert f'value="{value}"' in response.text
    assert _count(db, PolicyVersion) == 0


def test_a_prescriber_confirms_an_unconfirmed_default_and_an_admin_cannot(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    key = next(v.key for v in ClinicPolicy().values() if not v.confirmed)
    token = _signed_in(client, "admin@a.example")
    refused = client.post(
        "/admin/policy/confirm", data={"csrf_token": token, "confirm": key, "confirm_reason": "x"}
    )
    assert refused.status_code == 403
    client.post("/signout", data={"csrf_token": token})
    token = _signed_in(client, "prescriber@a.example")
    empty = client.post("/admin/policy/confirm", data={"csrf_token": token, "confirm_reason": "x"})
    assert empty.status_code == 422 and 'id="confirm-error"' in empty.text
    assert _count(db, PolicyVersion) == 0
    done = client.post(
        "/admin/policy/confirm",
        data={"csrf_token": token, "confirm": key, "confirm_reason": "checked against protocol"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    row = db.scalar(select(PolicyVersion))
    assert row is not None and key in row.confirmed_keys


# --- finder listing ----------------------------------------------------------------------------


def _address(db, clinic) -> None:  # type: ignore[no-untyped-def]
    clinic.address, clinic.city, clinic.state, clinic.zip = "1 Main St", "Boston", "MA", "02210"
    db.commit()


def _screen(db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    actor = cast.actor(cast.prescriber_a)
    patients.record_measurement(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=cast.patient_a.id,
        weight_kg=70,
        height_cm=170,
    )
    intake.record_intake(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=cast.patient_a.id,
        data={"diagnoses": ["mdd"], "gad7": [1] * 7, "phq9": [2] * 8 + [0]},
    )
    screening.screen_patient(session=db, actor=actor, clock=clock, patient_id=cast.patient_a.id)
    db.commit()


def _screening_row(html: str) -> str:
    start = html.index("Comprehensive screening before the first dose")
    return html[start : html.index("</tr>", start)]


def test_without_screenings_comprehensive_screening_is_not_verified_and_after_one_it_is(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _address(db, cast.clinic_a)
    sign_in(client, "admin@a.example")
    before = _screening_row(client.get("/admin/listing").text)
    assert "self-reported" in before and "0 screening(s)" in before
    _screen(db, cast, clock)
    clock.advance(minutes=5)
    after = _screening_row(client.get("/admin/listing").text)
    assert "verified</span>" in after and "1 screening(s)" in after


def _protocol_row(html: str) -> str:
    start = html.index("Red flag: one protocol for everyone")
    return html[start : html.index("</tr>", start)]


def test_one_protocol_for_everyone_is_verified_absent_only_once_a_plan_was_adjusted_to_a_patient(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    from tests.services.care_support import course_in_loading

    _address(db, cast.clinic_a)
    course = course_in_loading(db, cast, clock)
    db.commit()
    sign_in(client, "admin@a.example")
    before = _protocol_row(client.get("/admin/listing").text)
    assert "self-reported" in before and "0 plan change(s)" in before
    # Session 1 at 0.5 mg/kg improved only 10%: the core titrates the next dose up.
    courses.adjust_plan(
        session=db,
        actor=course.prescriber,
        clock=clock,
        course_id=course.row.id,
        outcomes=[SessionOutcome(1, 10.0, True, mg_per_kg=0.5)],
    )
    db.commit()
    after = _protocol_row(client.get("/admin/listing").text)
    assert "verified</span>" in after and "1 plan change(s)" in after
    assert "<td>No</td>" in after


def test_the_admin_publishes_the_listing_from_the_page(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    from ketacare.services import finder

    _address(db, cast.clinic_a)
    token = _signed_in(client, "admin@a.example")
    response = client.post(
        "/admin/listing",
        data={
            "csrf_token": token,
            "action": "publish",
            "route": ["iv", "esketamine_nasal"],
            "payment": ["self_pay"],
            "telehealth": "no",
            "signal_packages_sold_upfront": "absent",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    listing = finder.get_listing(session=db, listing_id="ketacare-clinic-a")
    assert {r.value for r in listing.routes} == {"iv", "esketamine_nasal"}
    assert listing.telehealth is False
    assert "published" in client.get("/admin/listing").text


def test_a_clinic_without_an_address_cannot_publish_and_nothing_is_stored(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    from ketacare.db.models import FinderListing

    token = _signed_in(client, "admin@a.example")
    response = client.post(
        "/admin/listing", data={"csrf_token": token, "action": "publish", "route": ["iv"]}
    )
    assert response.status_code == 422 and "street address" in response.text
    assert _count(db, FinderListing) == 0


def test_the_publish_api_needs_an_admin_and_reports_evidence(client, cast, db, token_for) -> None:  # type: ignore[no-untyped-def]
    _address(db, cast.clinic_a)
    body = {"routes": ["iv"], "self_reported": {"therapy_integration": "present"}}
    assert (
        client.post("/api/finder/publish", json=body, headers=token_for(cast.nurse_a)).status_code
        == 403
    )
    response = client.post("/api/finder/publish", json=body, headers=token_for(cast.admin_a))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["published"] is True
    assert data["listing"]["listing_id"] == "ketacare-clinic-a"
    therapy = next(x for x in data["listing"]["signals"] if x["kind"] == "therapy_integration")
    assert therapy["basis"] == "self_reported"
    screening_evidence = next(e for e in data["evidence"] if e["kind"] == "comprehensive_screening")
    assert screening_evidence["verified"] is False
