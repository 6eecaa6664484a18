"""Forecast doors: the JSON API and the chart fragment, both through the service; another
clinic's patient is not found."""

from __future__ import annotations

from ketacare.services import forecast
from tests.factories.forecast import course_with_scores
from tests.web.test_pages_foundation import sign_in


def _course(db, cast, clock, scores):  # type: ignore[no-untyped-def]
    forecast.clear_cache()
    course_with_scores(
        db, actor=cast.actor(cast.prescriber_a), clock=clock, patient_id=cast.patient_a.id,
        clinic_id=cast.patient_a.clinic_id, prescriber_id=cast.prescriber_a.id,
        nurse_id=cast.nurse_a.id, gad7_after=scores,
    )  # fmt: skip
    db.commit()


def test_the_api_returns_twelve_probabilities_and_the_sentence(
    client, db, cast, clock, token_for
) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [12, 10])
    response = client.get(
        f"/api/patients/{cast.patient_a.id}/forecast", headers=token_for(cast.nurse_a)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["session"] for p in body["by_session"]] == list(range(1, 13))
    assert body["landmark"] == 2 and body["basis"] == "published figures"
    assert body["patient_sentence"].endswith("Based on published figures.")
    assert body["findings"][0]["rule_id"] == "forecast.basis"


def test_the_api_answers_404_for_another_clinics_patient(
    client, db, cast, clock, token_for
) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [])
    response = client.get(
        f"/api/patients/{cast.patient_a.id}/forecast", headers=token_for(cast.nurse_b)
    )
    assert response.status_code == 404


def test_the_fragment_shows_the_sentence_and_an_accessible_chart(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [])
    sign_in(client, "nurse@a.example")
    response = client.get(f"/patients/{cast.patient_a.id}/forecast", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.text
    assert 'class="forecast"' in html and "patients like you respond by session 6" in html
    assert '<svg role="img" aria-label="Chance of response' in html
    assert "<table>" in html  # the text alternative


def test_the_fragment_is_not_found_for_another_clinics_staff(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _course(db, cast, clock, [])
    sign_in(client, "nurse@b.example")
    response = client.get(f"/patients/{cast.patient_a.id}/forecast")
    assert response.status_code == 404
