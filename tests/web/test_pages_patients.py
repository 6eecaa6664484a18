"""Patient pages: the list and search, registering, the chart (alerts, sessions, screening,
consent, plan, symptom chart), questionnaire entry and striking a wrong entry."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    BodyMeasurement,
    Patient,
    PatientAlert,
    PatientAlertAcknowledgement,
    SymptomScore,
    SymptomScoreAmendment,
    SymptomSource,
)
from ketacare.services import intake, patients, symptom_scores
from ketacare.services.actors import Actor
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _post(client, url: str, data: dict[str, object], page: str = "/patients"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _with_intake(db: Session, cast, clock, phq9=None):  # type: ignore[no-untyped-def]
    actor = Actor.for_user(cast.nurse_a)
    patients.record_measurement(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=cast.patient_a.id,
        weight_kg=64,
        height_cm=165,
    )
    intake.record_intake(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=cast.patient_a.id,
        data={"diagnoses": ["gad"], "gad7": [2] * 7, "phq9": phq9 or [2] * 8 + [0]},
    )
    db.commit()


# --- the list ------------------------------------------------------------------------------


def test_the_patient_list_shows_the_clinics_patients_with_their_stage(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    page = client.get("/patients")
    assert page.status_code == 200
    assert "Anders, Alice" in page.text and "Other, Olga" in page.text
    assert "Brandt" not in page.text  # clinic B's patient
    assert "registered" in page.text


def test_searching_by_name_narrows_the_list(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    page = client.get("/patients", params={"q": "alice"})
    assert "Anders, Alice" in page.text and "Other, Olga" not in page.text


def test_searching_by_date_of_birth_matches_exactly(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    cast.other_patient_a.date_of_birth = cast.other_patient_a.date_of_birth.replace(year=1990)
    db.commit()
    sign_in(client, "nurse@a.example")
    page = client.get("/patients", params={"dob": "1990-05-17"})
    assert "Other, Olga" in page.text and "Anders, Alice" not in page.text


def test_a_malformed_date_of_birth_search_is_named_beside_the_field(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    page = client.get("/patients", params={"dob": "17/05/1985"})
    assert page.status_code == 422
    assert 'id="dob-error"' in page.text and "YYYY-MM-DD" in page.text
    assert 'value="17/05/1985"' in page.text


def test_a_patient_cannot_open_the_staff_patient_list(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice@a.example")
    assert client.get("/patients").status_code == 403


# --- registering ---------------------------------------------------------------------------

REGISTRATION = {
    "given_name": "Nina",
    "family_name": "Novak",
    "date_of_birth": "1979-11-02",
    "sex": "female",
    "email": "nina@example.org",
    "weight_kg": "70",
    "height_cm": "168",
}


def test_registering_a_patient_opens_their_chart(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _post(client, "/patients/new", REGISTRATION, "/patients/new")
    assert response.status_code == 303
    patient = db.scalar(select(Patient).where(Patient.family_name == "Novak"))
    assert patient is not None and patient.clinic_id == cast.clinic_a.id
    assert response.headers["location"] == f"/patients/{patient.id}"
    chart = client.get(response.headers["location"])
    assert "Novak, Nina" in chart.text and "70 kg" in chart.text


def test_a_future_date_of_birth_is_refused_beside_the_field_and_nothing_is_saved(
    client, cast, db
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    before = (_count(db, Patient), _count(db, BodyMeasurement))
    response = _post(
        client, "/patients/new", {**REGISTRATION, "date_of_birth": "2030-01-01"}, "/patients/new"
    )
    assert response.status_code == 422
    assert 'id="date_of_birth-error"' in response.text and "in the future" in response.text
    assert 'value="Nina"' in response.text and 'value="2030-01-01"' in response.text
    assert (_count(db, Patient), _count(db, BodyMeasurement)) == before


def test_a_weight_of_900_kg_is_refused_beside_the_weight_and_nothing_is_saved(
    client, cast, db
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    before = (_count(db, Patient), _count(db, BodyMeasurement))
    response = _post(client, "/patients/new", {**REGISTRATION, "weight_kg": "900"}, "/patients/new")
    assert response.status_code == 422
    assert 'id="weight_kg-error"' in response.text and "weight_kg must be between" in response.text
    assert 'value="900"' in response.text and 'value="Novak"' in response.text
    assert (_count(db, Patient), _count(db, BodyMeasurement)) == before


def test_a_weight_that_is_not_a_number_is_named_beside_the_field(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    before = _count(db, Patient)
    response = _post(
        client, "/patients/new", {**REGISTRATION, "weight_kg": "seventy"}, "/patients/new"
    )
    assert response.status_code == 422
    assert 'id="weight_kg-error"' in response.text and "must be a number" in response.text
    assert _count(db, Patient) == before


def test_a_missing_family_name_is_named_beside_the_field(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _post(client, "/patients/new", {**REGISTRATION, "family_name": " "}, "/patients/new")
    assert response.status_code == 422
    assert 'id="family_name-error"' in response.text and "family_name is required" in response.text


# --- the chart -----------------------------------------------------------------------------


def test_the_chart_shows_the_header_screening_prompt_and_symptom_chart(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _with_intake(db, cast, clock)
    sign_in(client, "nurse@a.example")
    page = client.get(f"/patients/{cast.patient_a.id}")
    assert page.status_code == 200
    assert "Anders, Alice" in page.text and "40 years" in page.text
    assert "intake recorded" in page.text
    assert page.text.count("<svg") >= 2  # GAD-7 and PHQ-9 charts
    assert 'aria-label="GAD-7 over time' in page.text
    assert "GAD-7 scores as a table" in page.text
    assert f'hx-get="/patients/{cast.patient_a.id}/forecast"' in page.text


def test_the_symptom_bands_come_from_the_clinic_policy(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    from ketacare.services.policy import change_policy

    change_policy(
        session=db,
        actor=Actor.for_user(cast.admin_a),
        clock=clock,
        overrides={"outcomes.response_min_improvement_pct": 40.0},
        reason="test",
    )
    _with_intake(db, cast, clock)
    sign_in(client, "nurse@a.example")
    page = client.get(f"/patients/{cast.patient_a.id}")
    # GAD-7 baseline 14: response at 14 × 0.6 = 8.4 or below, as the policy says.
    assert "response is a total at least 40% below the baseline" in page.text
    assert "Baseline 14; response at 8.4 or below; remission below 5" in page.text


def test_clinic_b_nurse_gets_a_404_for_clinic_a_patient_chart(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@b.example")
    assert client.get(f"/patients/{cast.patient_a.id}").status_code == 404
    assert client.get(f"/patients/{cast.patient_a.id}/intake").status_code == 404
    assert client.get(f"/patients/{cast.patient_a.id}/screening").status_code == 404
    assert client.get(f"/patients/{cast.patient_a.id}/plan").status_code == 404


def test_a_patient_cannot_open_even_their_own_staff_chart(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "alice@a.example")
    for path in ("", "/intake", "/screening", "/plan"):
        assert client.get(f"/patients/{cast.patient_a.id}{path}").status_code in (403, 404)
    assert client.get(f"/patients/{cast.other_patient_a.id}").status_code in (403, 404)


# --- alerts --------------------------------------------------------------------------------


def test_an_urgent_alert_is_shown_first_and_acknowledged_with_a_note(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _with_intake(db, cast, clock, phq9=[2] * 8 + [2])
    sign_in(client, "nurse@a.example")
    page = client.get(f"/patients/{cast.patient_a.id}")
    alert = db.scalar(select(PatientAlert).where(PatientAlert.patient_id == cast.patient_a.id))
    assert alert is not None and alert.level.value == "urgent"
    assert "1 open" in page.text and "988" in page.text
    url = f"/patients/{cast.patient_a.id}/alerts/{alert.id}/acknowledge"
    response = _post(client, url, {"note": "called the patient; safety plan in place"})
    assert response.status_code == 303
    assert _count(db, PatientAlertAcknowledgement) == 1


def test_acknowledging_without_a_note_is_refused_beside_the_note(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _with_intake(db, cast, clock, phq9=[2] * 8 + [2])
    sign_in(client, "nurse@a.example")
    alert = db.scalar(select(PatientAlert).where(PatientAlert.patient_id == cast.patient_a.id))
    url = f"/patients/{cast.patient_a.id}/alerts/{alert.id}/acknowledge"
    response = _post(client, url, {"note": "  "})
    assert response.status_code == 422
    assert f'id="ack-note-{alert.id}-error"' in response.text
    assert "say what was done" in response.text
    assert _count(db, PatientAlertAcknowledgement) == 0


# --- questionnaires and striking -----------------------------------------------------------


def _gad7(values: list[int | str]) -> dict[str, object]:
    return {"instrument": "gad7", **{f"gad7.item{n}": v for n, v in enumerate(values, start=1)}}


def test_staff_enter_a_gad7_item_by_item_and_it_joins_the_chart(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _with_intake(db, cast, clock)
    sign_in(client, "nurse@a.example")
    form = client.get(f"/patients/{cast.patient_a.id}/symptoms/new", params={"instrument": "gad7"})
    assert form.status_code == 200 and 'name="gad7.item7"' in form.text
    response = _post(client, f"/patients/{cast.patient_a.id}/symptoms", _gad7([1] * 7))
    assert response.status_code == 303
    row = db.scalar(select(SymptomScore).where(SymptomScore.source == SymptomSource.CLINIC))
    assert row is not None and row.total == 7 and row.instrument == "gad7"


def test_an_unanswered_item_is_named_beside_it_and_the_answers_are_kept(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _with_intake(db, cast, clock)
    sign_in(client, "nurse@a.example")
    before = _count(db, SymptomScore)
    response = _post(
        client, f"/patients/{cast.patient_a.id}/symptoms", _gad7([1, 2, 3, "", 1, 1, 1])
    )
    assert response.status_code == 422
    assert 'id="gad7.item4-error"' in response.text and "is not answered" in response.text
    assert 'name="gad7.item3" value="3" checked' in response.text
    assert _count(db, SymptomScore) == before


def test_an_answer_out_of_range_is_refused_beside_its_item(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _with_intake(db, cast, clock)
    sign_in(client, "nurse@a.example")
    before = _count(db, SymptomScore)
    response = _post(
        client, f"/patients/{cast.patient_a.id}/symptoms", _gad7([1, 1, 4, 1, 1, 1, 1])
    )
    assert response.status_code == 422
    assert 'id="gad7.item3-error"' in response.text and "must be 0–3; got 4" in response.text
    assert _count(db, SymptomScore) == before


def test_a_wrong_entry_is_struck_with_a_reason_and_leaves_the_chart(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _with_intake(db, cast, clock)
    recorded = symptom_scores.record_symptom_score(
        session=db,
        actor=Actor.for_user(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        instrument="gad7",
        answers=[3] * 7,
        source=SymptomSource.CLINIC,
    )
    db.commit()
    sign_in(client, "nurse@a.example")
    url = f"/patients/{cast.patient_a.id}/symptoms/{recorded.score.id}/strike"
    refused = _post(client, url, {"reason": ""})
    assert refused.status_code == 422
    assert f'id="strike-{recorded.score.id}-error"' in refused.text
    assert _count(db, SymptomScoreAmendment) == 0
    assert _post(client, url, {"reason": "entered for the wrong patient"}).status_code == 303
    page = client.get(f"/patients/{cast.patient_a.id}")
    assert "1 struck entry" in page.text and "entered for the wrong patient" in page.text


def test_a_score_of_another_patient_cannot_be_struck_through_this_chart(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    recorded = symptom_scores.record_symptom_score(
        session=db,
        actor=Actor.for_user(cast.nurse_a),
        clock=clock,
        patient_id=cast.other_patient_a.id,
        instrument="gad7",
        answers=[1] * 7,
        source=SymptomSource.CLINIC,
    )
    db.commit()
    sign_in(client, "nurse@a.example")
    url = f"/patients/{cast.patient_a.id}/symptoms/{recorded.score.id}/strike"
    assert _post(client, url, {"reason": "x"}).status_code == 404
    assert _count(db, SymptomScoreAmendment) == 0


# --- measurements --------------------------------------------------------------------------


def test_a_weight_of_0_kg_is_refused_beside_the_field(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    before = _count(db, BodyMeasurement)
    response = _post(
        client,
        f"/patients/{cast.patient_a.id}/measurements",
        {"weight_kg": "0", "height_cm": "170"},
    )
    assert response.status_code == 422
    assert 'id="weight_kg-error"' in response.text and 'value="170"' in response.text
    assert _count(db, BodyMeasurement) == before
    assert (
        _post(
            client,
            f"/patients/{cast.patient_a.id}/measurements",
            {"weight_kg": "61.5", "height_cm": "170"},
        ).status_code
        == 303
    )
    assert _count(db, BodyMeasurement) == before + 1
