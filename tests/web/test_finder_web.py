"""The public finder over HTTP: JSON API and pages, no sign-in needed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ketacare.fhir.finder import LOCATION_DISTANCE, validate_bundle
from ketacare.services import finder, finder_import
from ketacare.services.clock import FixedClock


@pytest.fixture(autouse=True)
def fresh_index_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test's data lives in a rolled-back transaction: never trust an index across tests.
    monkeypatch.setattr(finder, "INDEX_FRESHNESS_S", 0.0)


CSV = (
    "id,name,street1,city,state,zip,routes,payment,prescriber_oversight,packages_sold_upfront\n"
    "k1,Calm Ketamine,1 Mission St,San Francisco,CA,94110,iv; esketamine_nasal,insurance,"
    "present,absent\n"
    "k2,Bay Infusions,2 Broadway,Oakland,CA,94612,iv,self_pay,unknown,present\n"
    "m1,Mission Counseling,3 Valencia St,San Francisco,CA,94110,,insurance,,\n"
)


@pytest.fixture
def directory(db: Session, clock: FixedClock) -> None:
    finder_import.import_file(session=db, clock=clock, actor_label="test", content=CSV)
    db.commit()


def test_a_search_by_zip_returns_ketamine_clinics_nearest_first(
    client: TestClient, directory: None
) -> None:
    response = client.get("/api/finder/search", params={"zip": "94110", "radius_miles": 30})
    assert response.status_code == 200
    body = response.json()
    assert body["origin"]["label"] == "ZIP 94110 (San Francisco, CA)"
    assert [r["listing_id"] for r in body["results"]] == ["k1", "k2"]
    assert body["results"][0]["distance_miles"] < body["results"][1]["distance_miles"]
    assert any("GeoNames" in line for line in body["attribution"])
    signals = {s["kind"]: s for s in body["results"][0]["signals"]}
    assert signals["prescriber_oversight"]["status"] == "present"
    assert signals["prescriber_oversight"]["basis"] == "self_reported"


def test_filters_and_widening_to_all_facilities(client: TestClient, directory: None) -> None:
    def ids(**params: object) -> list[str]:
        response = client.get("/api/finder/search", params={"zip": "94110", **params})
        return [r["listing_id"] for r in response.json()["results"]]

    assert ids(route="esketamine_nasal") == ["k1"]
    assert ids(payment="self_pay", radius_miles=30) == ["k2"]
    assert ids(exclude_red_flags=True, radius_miles=30) == ["k1"]
    assert ids(signal="prescriber_oversight", radius_miles=30) == ["k1"]
    assert ids(all_facilities=True, radius_miles=2) == ["k1", "m1"]


def test_a_search_by_city_and_state(client: TestClient, directory: None) -> None:
    body = client.get("/api/finder/search", params={"city": "oakland", "state": "ca"}).json()
    assert body["origin"]["label"] == "Oakland, CA"
    assert body["results"][0]["listing_id"] == "k2"


def test_an_unknown_zip_gets_422_with_nearby_suggestions(client: TestClient) -> None:
    response = client.get("/api/finder/search", params={"zip": "99999"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_place"
    assert "99950 (Ketchikan, AK)" in response.json()["detail"]


def test_a_malformed_zip_gets_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/finder/search", params={"zip": "9411"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "zip", "message": response.json()["detail"]}]


def test_a_search_without_a_place_is_refused(client: TestClient) -> None:
    response = client.get("/api/finder/search")
    assert response.status_code == 422
    assert "ZIP code, a city and state, or coordinates" in response.json()["detail"]


def test_the_fhir_search_bundle_carries_distances(client: TestClient, directory: None) -> None:
    response = client.get("/api/finder/search.fhir", params={"zip": "94110", "radius_miles": 30})
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = response.json()
    validate_bundle(bundle)
    match = bundle["entry"][0]
    assert match["resource"]["resourceType"] == "Location"
    assert match["search"]["extension"][0]["url"] == LOCATION_DISTANCE


def test_a_listing_and_its_fhir_bundle(client: TestClient, directory: None) -> None:
    assert client.get("/api/finder/listings/k1").json()["name"] == "Calm Ketamine"
    bundle = client.get("/api/finder/listings/k1/fhir").json()
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Organization", "Location"]
    assert client.get("/api/finder/listings/nope").status_code == 404


def test_the_signal_guide_explains_every_signal(client: TestClient) -> None:
    guide = client.get("/api/finder/signals").json()
    assert len(guide) == 7
    assert all(g["meaning"] and g["look_for"] and g["worry_if"] for g in guide)


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("csv", "text/csv"), ("locator", "application/json"), ("fhir", "application/fhir+json")],
)
def test_the_directory_exports(client: TestClient, directory: None, fmt: str, media: str) -> None:
    response = client.get("/api/finder/export", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "attachment" in response.headers["content-disposition"]
    assert "Calm Ketamine" in response.text
    assert "Mission Counseling" not in response.text  # ketamine providers only by default


def test_the_public_page_searches_without_sign_in(client: TestClient, directory: None) -> None:
    page = client.get("/find", params={"zip": "94110", "radius_miles": "50"})
    assert page.status_code == 200
    assert "2 clinics within 50 miles of ZIP 94110 (San Francisco, CA)" in page.text
    assert 'href="/find/listings/k1"' in page.text
    assert "GeoNames" in page.text and "CC BY 4.0" in page.text


def test_the_page_shows_suggestions_for_an_unknown_zip(client: TestClient) -> None:
    page = client.get("/find", params={"zip": "99999"})
    assert page.status_code == 422
    assert 'role="alert"' in page.text
    assert 'href="/find?zip=99950&amp;radius_miles=25"' in page.text


def test_the_listing_page_explains_each_signal_in_plain_words(
    client: TestClient, directory: None
) -> None:
    page = client.get("/find/listings/k2")
    assert page.status_code == 200
    assert "What should worry you:" in page.text
    assert "Red flag: packages sold upfront" in page.text
    assert "Self-reported: the facility says so" in page.text
    assert client.get("/find/listings/nope").status_code == 404


def test_the_signals_page_and_the_empty_form(client: TestClient) -> None:
    assert "What to look for" in client.get("/find/signals").text
    form = client.get("/find")
    assert form.status_code == 200
    assert '<label for="f-zip">ZIP code</label>' in form.text
