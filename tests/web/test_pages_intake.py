"""The intake page: record, amend with a reason (the old version stays readable), refusals
beside the field with the typed values kept and nothing saved."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Intake, Screening, SymptomScore
from ketacare.services import intake, patients, screening
from ketacare.services.actors import Actor
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _items(code: str, values: list[int]) -> dict[str, str]:
    return {f"{code}.item{n}": str(v) for n, v in enumerate(values, start=1)}


def _intake_form(**extra: object) -> dict[str, object]:
    return {
        "diagnoses": ["gad", "mdd"],
        "medications[0].name": "sertraline",
        "medications[0].dose_mg": "100",
        "medications[0].frequency": "daily",
        "medications[0].daily_dose_mg": "100",
        "resting_bp[0].systolic_mmhg": "124",
        "resting_bp[0].diastolic_mmhg": "78",
        "substance_use.can_abstain_alcohol_24h": "on",
        "substance_use.substance_use_disorder": "none",
        "hepatic_impairment": "none",
        "pregnancy_status": "not_pregnant",
        **_items("gad7", [2] * 7),
        **_items("phq9", [2] * 8 + [0]),
        **extra,
    }


def _post(client, patient_id: int, data: dict[str, object]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/patients/{patient_id}/intake").text)
    return client.post(
        f"/patients/{patient_id}/intake",
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )


def test_the_intake_form_offers_every_section(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    page = client.get(f"/patients/{cast.patient_a.id}/intake")
    assert page.status_code == 200
    for name in (
        'name="diagnoses"',
        'name="medications[0].name"',
        'name="prior_trials[0].weeks"',
        'name="resting_bp[0].systolic_mmhg"',
        'name="substance_use.alcohol_units_per_week"',
        'name="gad7.item7"',
        'name="phq9.item9"',
        'name="pcl5.item20"',
    ):
        assert name in page.text
    assert "Record intake" in page.text


def test_recording_the_intake_stores_it_with_the_baseline_scores(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _post(client, cast.patient_a.id, _intake_form())
    assert response.status_code == 303
    row = db.scalar(select(Intake).where(Intake.patient_id == cast.patient_a.id))
    assert row is not None and row.version == 1
    assert row.data["diagnoses"] == ["gad", "mdd"]
    assert row.data["medications"][0]["name"] == "sertraline"
    assert row.data["resting_bp"] == [{"systolic_mmhg": 124.0, "diastolic_mmhg": 78.0}]
    assert row.data["questionnaires"]["gad7"]["total"] == 14
    assert _count(db, SymptomScore) == 2  # GAD-7 and PHQ-9 baselines


def test_an_unknown_drug_is_refused_beside_its_row_and_nothing_is_saved(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    before = (_count(db, Intake), _count(db, SymptomScore))
    form = _intake_form(**{"medications[1].name": "notadrugazine"})
    response = _post(client, cast.patient_a.id, form)
    assert response.status_code == 422
    assert 'id="medications[1].name-error"' in response.text
    assert 'value="notadrugazine"' in response.text and 'value="sertraline"' in response.text
    assert (_count(db, Intake), _count(db, SymptomScore)) == before


def test_a_blank_row_before_a_bad_one_still_names_the_right_row(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    form = _intake_form(
        **{
            "medications[0].name": "",
            "medications[0].dose_mg": "",
            "medications[0].frequency": "",
            "medications[0].daily_dose_mg": "",
            "medications[2].name": "notadrugazine",
        }
    )
    response = _post(client, cast.patient_a.id, form)
    assert response.status_code == 422
    assert 'id="medications[2].name-error"' in response.text


def test_a_gad7_item_of_4_is_refused_beside_the_item(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    before = _count(db, Intake)
    response = _post(client, cast.patient_a.id, _intake_form(**{"gad7.item2": "4"}))
    assert response.status_code == 422
    assert 'id="gad7.item2-error"' in response.text and "must be 0–3; got 4" in response.text
    assert 'name="phq9.item1" value="2" checked' in response.text
    assert _count(db, Intake) == before


def test_a_missing_phq9_is_named_on_the_questionnaire(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    form = {k: v for k, v in _intake_form().items() if not k.startswith("phq9.")}
    response = _post(client, cast.patient_a.id, form)
    assert response.status_code == 422
    assert 'id="phq9-error"' in response.text and "PHQ-9 answers are required" in response.text
    assert _count(db, Intake) == 0


def test_a_blood_pressure_that_is_not_a_number_is_named_beside_it(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _post(
        client, cast.patient_a.id, _intake_form(**{"resting_bp[0].systolic_mmhg": "1x4"})
    )
    assert response.status_code == 422
    assert 'id="resting_bp[0].systolic_mmhg-error"' in response.text
    assert 'value="1x4"' in response.text
    assert _count(db, Intake) == 0


def test_no_diagnosis_is_refused_beside_the_diagnoses(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = _post(client, cast.patient_a.id, _intake_form(diagnoses=[]))
    assert response.status_code == 422
    assert 'id="diagnoses-error"' in response.text
    assert _count(db, Intake) == 0


def _recorded(db: Session, cast, clock) -> None:  # type: ignore[no-untyped-def]
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
        data={"diagnoses": ["gad"], "gad7": [2] * 7, "phq9": [1] * 8 + [0]},
    )
    screening.screen_patient(session=db, actor=actor, clock=clock, patient_id=cast.patient_a.id)
    db.commit()


def test_the_form_is_prefilled_from_the_current_version_for_an_amendment(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _recorded(db, cast, clock)
    sign_in(client, "nurse@a.example")
    page = client.get(f"/patients/{cast.patient_a.id}/intake")
    assert "Amend the intake (version 1 is current)" in page.text
    assert 'name="gad7.item1" value="2" checked' in page.text
    assert 'value="gad" checked' in page.text
    assert 'id="reason"' in page.text


def test_an_amendment_needs_a_reason_and_changes_nothing_without_one(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _recorded(db, cast, clock)
    sign_in(client, "nurse@a.example")
    before = (_count(db, Intake), _count(db, Screening))
    response = _post(client, cast.patient_a.id, _intake_form(reason=" "))
    assert response.status_code == 422
    assert 'id="reason-error"' in response.text and "say why the intake is amended" in response.text
    assert 'value="sertraline"' in response.text
    assert (_count(db, Intake), _count(db, Screening)) == before


def test_an_amendment_is_a_new_version_the_old_one_stays_and_screening_reruns(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _recorded(db, cast, clock)
    sign_in(client, "nurse@a.example")
    screenings = _count(db, Screening)
    response = _post(
        client, cast.patient_a.id, _intake_form(reason="sertraline was missed at intake")
    )
    assert response.status_code == 303
    rows = db.scalars(
        select(Intake).where(Intake.patient_id == cast.patient_a.id).order_by(Intake.version)
    ).all()
    assert [r.version for r in rows] == [1, 2]
    assert (
        rows[0].data["medications"] == [] and rows[1].data["medications"][0]["name"] == "sertraline"
    )
    assert _count(db, Screening) == screenings + 1
    page = client.get(f"/patients/{cast.patient_a.id}/intake")
    assert "Why: sertraline was missed at intake" in page.text
    assert "Version 1" in page.text and "superseded" in page.text


def test_clinic_b_nurse_cannot_post_an_intake_for_clinic_a(client, cast, db) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@b.example")
    token = csrf_from(client.get("/patients").text)
    response = client.post(
        f"/patients/{cast.patient_a.id}/intake",
        data={**_intake_form(), "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 404
    assert _count(db, Intake) == 0
