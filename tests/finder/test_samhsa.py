"""The SAMHSA 2022 directory: every facility parsed, codes mapped, wrong descriptions hidden."""

from __future__ import annotations

from collections import Counter

from ketacare.domain.routes import Route
from ketacare.finder.codes import ServiceCode, fields_from_codes
from ketacare.finder.index import ListingIndex, SearchFilters
from ketacare.finder.model import (
    Condition,
    Listing,
    Payment,
    Population,
    SignalBasis,
    SignalKind,
    SignalStatus,
    TherapyApproach,
)
from ketacare.finder.report import ImportReport
from ketacare.finder.samhsa import DIRECTORY_CSV, SAMHSA_ATTRIBUTION


def test_all_9037_facilities_are_parsed_and_none_rejected(samhsa_report: ImportReport) -> None:
    assert len(samhsa_report.accepted) == 9037
    assert samhsa_report.rejected == []


def test_exactly_104_facilities_offer_ketamine_infusion_in_29_states(
    ketamine_listings: list[Listing],
) -> None:
    assert len(ketamine_listings) == 104
    assert len({x.address.state for x in ketamine_listings}) == 29
    assert all(x.routes == frozenset({Route.IV}) for x in ketamine_listings)
    assert all("KIT" in x.service_codes for x in ketamine_listings)


def test_listing_ids_are_unique_and_stable(samhsa_listings: list[Listing]) -> None:
    ids = [x.listing_id for x in samhsa_listings]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("samhsa-2022-") for i in ids)


def test_every_facility_sits_at_its_zip_centroid_marked_approximate(
    samhsa_listings: list[Listing],
) -> None:
    assert all(x.coordinates_approximate for x in samhsa_listings)
    assert all(
        -180 <= x.longitude <= -60 or x.address.state in {"GU", "MP", "AS", "PW"}
        for x in samhsa_listings
    )


def test_every_ketamine_facility_is_found_by_a_search_at_its_own_position(
    ketamine_listings: list[Listing], samhsa_listings: list[Listing]
) -> None:
    index = ListingIndex(samhsa_listings)
    for listing in ketamine_listings:
        hits = index.search(listing.latitude, listing.longitude, radius_miles=1, k=50)
        assert listing.listing_id in [hit.listing.listing_id for hit in hits]
        assert all(hit.listing.is_ketamine_provider for hit in hits)


def test_widening_to_all_facilities_finds_mental_health_facilities_too(
    samhsa_listings: list[Listing],
) -> None:
    index = ListingIndex(samhsa_listings)
    everyone = SearchFilters(ketamine_only=False)
    hits = index.search(37.7509, -122.4153, radius_miles=5, k=50, filters=everyone)
    assert len(hits) == 30  # every SAMHSA facility within 5 miles of 94110's centroid
    assert any(not hit.listing.is_ketamine_provider for hit in hits)


def test_the_wrong_kit_description_is_never_kept(service_codes: dict[str, ServiceCode]) -> None:
    assert service_codes["KIT"].name == "Ketamine Infusion Therapy"
    assert service_codes["KIT"].description == ""
    assert service_codes["TMS"].description == ""  # describes an opioid treatment in the source
    assert service_codes["EMDR"].description == ""  # copies ECT's text
    assert service_codes["IPT"].description.startswith("Focuses on a patient's current life")
    assert service_codes["ECT"].description.startswith("Also known as ECT")


def test_payment_codes_map_to_payment_options(service_codes: dict[str, ServiceCode]) -> None:
    fields = fields_from_codes(
        ["PI", "MC", "MD", "MI", "VAF", "SI", "SF", "SS", "PA", "CLF"], service_codes
    )
    assert fields.payment == frozenset(Payment)


def test_telehealth_is_yes_when_reported_and_unknown_otherwise(
    service_codes: dict[str, ServiceCode],
) -> None:
    assert fields_from_codes(["MH", "TELE"], service_codes).telehealth is True
    assert fields_from_codes(["MH"], service_codes).telehealth is None


def test_populations_and_conditions_are_mapped(service_codes: dict[str, ServiceCode]) -> None:
    fields = fields_from_codes(["PTSD", "TRMA", "VET", "ADLT", "SNR", "GL"], service_codes)
    assert fields.conditions == {Condition.PTSD, Condition.TRAUMA}
    assert fields.populations == {
        Population.VETERANS,
        Population.ADULTS,
        Population.SENIORS,
        Population.LGBTQ,
    }


def test_talking_therapy_makes_therapy_integration_present_from_the_survey(
    service_codes: dict[str, ServiceCode],
) -> None:
    fields = fields_from_codes(["MH", "CBT", "DBT", "KIT"], service_codes)
    therapy = dict((s.kind, s) for s in fields.signals)[SignalKind.THERAPY_INTEGRATION]
    assert therapy.status is SignalStatus.PRESENT
    assert therapy.basis is SignalBasis.SAMHSA_SURVEY
    assert "Cognitive behavioral therapy" in therapy.note
    assert fields.therapy_approaches == {TherapyApproach.CBT, TherapyApproach.DBT}
    no_mh = dict((s.kind, s) for s in fields.signals)[SignalKind.NO_MENTAL_HEALTH_INTEGRATION]
    assert no_mh.status is SignalStatus.ABSENT


def test_without_talking_therapy_the_signal_stays_unknown_not_absent(
    service_codes: dict[str, ServiceCode],
) -> None:
    fields = fields_from_codes(["MH", "KIT", "AT"], service_codes)
    statuses = {s.kind: s.status for s in fields.signals}
    assert statuses[SignalKind.THERAPY_INTEGRATION] is SignalStatus.UNKNOWN
    assert statuses[SignalKind.PRESCRIBER_OVERSIGHT] is SignalStatus.UNKNOWN
    assert statuses[SignalKind.PACKAGES_SOLD_UPFRONT] is SignalStatus.UNKNOWN


def test_most_ketamine_facilities_report_talking_therapy(
    ketamine_listings: list[Listing],
) -> None:
    statuses = Counter(x.signal(SignalKind.THERAPY_INTEGRATION).status for x in ketamine_listings)
    assert statuses[SignalStatus.PRESENT] == 101
    assert statuses[SignalStatus.UNKNOWN] == 3


def test_the_data_is_copied_into_the_project_with_its_attribution() -> None:
    readme = (DIRECTORY_CSV.parent / "README.md").read_text()
    assert "public domain" in readme.lower()
    assert "SAMHSA" in SAMHSA_ATTRIBUTION
    assert "public domain" in SAMHSA_ATTRIBUTION
