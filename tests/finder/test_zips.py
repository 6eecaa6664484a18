"""ZIP and city resolution: offline, with clear messages for malformed and unknown places."""

from __future__ import annotations

import pytest

from ketacare.domain.errors import InvalidInput
from ketacare.finder.zips import (
    ZIP_ATTRIBUTION,
    UnknownPlace,
    normalize_zip,
    resolve_city,
    resolve_coordinates,
    resolve_zip,
)


def test_a_zip_code_resolves_to_its_centroid_marked_approximate() -> None:
    place = resolve_zip("94110")
    assert (place.latitude, place.longitude) == pytest.approx((37.7509, -122.4153))
    assert place.approximate
    assert place.label == "ZIP 94110 (San Francisco, CA)"


@pytest.mark.parametrize("text", ["94110-1234", " 94110 ", "94110 1234", "941101234"])
def test_zip_plus_four_and_whitespace_are_accepted(text: str) -> None:
    assert normalize_zip(text) == "94110"


@pytest.mark.parametrize("text", ["9411", "", "abcde", "94 110", "941100", "94110-12", "-94110"])
def test_a_malformed_zip_is_refused_with_an_example_of_the_right_form(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_zip(text)
    assert caught.value.field == "zip"
    assert "five digits, like 94110" in caught.value.message
    assert not isinstance(caught.value, UnknownPlace)


def test_an_unknown_zip_suggests_real_zips_with_the_same_prefix_nearest_first() -> None:
    with pytest.raises(UnknownPlace) as caught:
        resolve_zip("99999")
    suggestions = caught.value.suggestions
    assert suggestions[0].startswith("99950 ")
    assert all(s.startswith("999") for s in suggestions)
    assert "99999 is not a US ZIP code we know" in caught.value.message
    assert "99950 (Ketchikan, AK)" in caught.value.message


def test_an_unknown_zip_with_an_unused_prefix_says_so() -> None:
    with pytest.raises(UnknownPlace) as caught:
        resolve_zip("00000")
    assert caught.value.suggestions == ()
    assert "No ZIP code starts with 000" in caught.value.message


def test_a_military_zip_without_a_map_position_gets_a_clear_message() -> None:
    with pytest.raises(InvalidInput, match="military"):
        resolve_zip("09001")


def test_a_city_resolves_to_the_centre_of_its_zip_codes_whatever_the_case() -> None:
    place = resolve_city("san FRANCISCO", "ca")
    assert place.label == "San Francisco, CA"
    assert place.latitude == pytest.approx(37.77, abs=0.05)
    assert place.longitude == pytest.approx(-122.43, abs=0.05)
    assert place.approximate


def test_a_misspelt_city_suggests_the_closest_names_in_that_state() -> None:
    with pytest.raises(UnknownPlace) as caught:
        resolve_city("San Fransisco", "CA")
    assert caught.value.suggestions[0] == "San Francisco, CA"
    assert caught.value.field == "city"


@pytest.mark.parametrize("state", ["California", "C", "12", ""])
def test_a_state_must_be_a_two_letter_code(state: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_city("Fresno", state)
    assert caught.value.field == "state"


def test_an_unknown_state_code_is_refused() -> None:
    with pytest.raises(UnknownPlace, match="QQ"):
        resolve_city("Fresno", "QQ")


@pytest.mark.parametrize(("lat", "lon"), [(90.1, 0.0), (-90.1, 0.0), (0.0, 180.5), (0.0, -181)])
def test_coordinates_out_of_range_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(InvalidInput):
        resolve_coordinates(lat, lon)


def test_coordinates_on_the_limits_are_accepted() -> None:
    assert resolve_coordinates(90.0, -180.0).approximate is False


def test_the_zip_attribution_credits_geonames_under_cc_by() -> None:
    assert "GeoNames" in ZIP_ATTRIBUTION
    assert "CC BY 4.0" in ZIP_ATTRIBUTION
    assert "unitedstateszipcodes.org" in ZIP_ATTRIBUTION
