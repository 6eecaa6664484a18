"""Finder services on a real database: imports apply all-or-nothing, searches see changes,
clinics publish their own listing with signals verified from their use of ketacare."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ketacare.db.models import Clinic, FinderChange, FinderListing
from ketacare.db.uow import unit_of_work
from ketacare.domain.errors import Forbidden, InvalidInput, NotFound
from ketacare.domain.routes import Route
from ketacare.finder.index import SearchFilters
from ketacare.finder.model import ListingSource, Signal, SignalBasis, SignalKind, SignalStatus
from ketacare.finder.signals import VerificationFacts
from ketacare.services import finder, finder_import, finder_publish
from ketacare.services.clock import FixedClock
from tests.conftest import Cast


@pytest.fixture(autouse=True)
def fresh_index_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test's data lives in a rolled-back transaction: never trust an index across tests.
    monkeypatch.setattr(finder, "INDEX_FRESHNESS_S", 0.0)


CSV_HEADER = "id,name,street1,city,state,zip,routes,payment\n"
GOOD_ROWS = (
    "a1,Alpha Ketamine,1 A St,San Francisco,CA,94110,iv,insurance\n"
    "a2,Beta Ketamine,2 B St,Oakland,CA,94612,im; sublingual,self_pay\n"
)
BAD_ROW = "a3,Gamma,3 C St,Oakland,CA,9461,iv,\n"


def count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(FinderListing)) or 0)


def test_the_samhsa_directory_imports_all_9037_facilities_and_104_ketamine_providers(
    db: Session,
    clock: FixedClock,
) -> None:
    result = finder_import.import_samhsa(session=db, clock=clock, actor_label="test")
    assert (result.created, result.updated, len(result.report.rejected)) == (9037, 0, 0)
    assert count(db) == 9037
    ketamine = db.scalar(
        select(func.count())
        .select_from(FinderListing)
        .where(FinderListing.is_ketamine_provider.is_(True))
    )
    assert ketamine == 104
    again = finder_import.import_samhsa(session=db, clock=clock, actor_label="test")
    assert (again.created, again.updated, again.removed) == (0, 9037, 0)
    assert count(db) == 9037


def test_a_search_near_a_zip_finds_the_nearest_ketamine_facilities(
    db: Session,
    clock: FixedClock,
) -> None:
    finder_import.import_samhsa(session=db, clock=clock, actor_label="test", ketamine_only=True)
    place = finder.resolve_origin(zip_code="84101")
    hits = finder.search(session=db, place=place, radius_miles=50, k=5, filters=SearchFilters())
    assert len(hits) == 5
    assert all(h.listing.address.state == "UT" for h in hits)
    distances = [h.distance_miles for h in hits]
    assert distances == sorted(distances)


def test_a_csv_with_a_bad_row_imports_the_good_rows_and_reports_the_bad_one(
    db: Session,
    clock: FixedClock,
) -> None:
    result = finder_import.import_file(
        session=db,
        clock=clock,
        actor_label="test",
        content=CSV_HEADER + GOOD_ROWS + BAD_ROW,
        source_name="clinics.csv",
    )
    assert result.applied and result.created == 2
    assert [(r.row_number, r.reason[:28]) for r in result.report.rejected] == [
        (4, "ZIP code must be five digits")
    ]
    assert count(db) == 2
    change = db.scalars(select(FinderChange).order_by(FinderChange.id.desc())).first()
    assert change is not None and (change.accepted, change.rejected) == (2, 1)


def test_all_or_nothing_refuses_the_whole_file_when_a_row_is_bad(
    db: Session,
    clock: FixedClock,
) -> None:
    result = finder_import.import_file(
        session=db,
        clock=clock,
        actor_label="test",
        content=CSV_HEADER + GOOD_ROWS + BAD_ROW,
        all_or_nothing=True,
    )
    assert not result.applied
    assert count(db) == 0


def test_an_unreadable_file_changes_nothing(db: Session, clock: FixedClock) -> None:
    with pytest.raises(InvalidInput, match="missing required column"):
        finder_import.import_file(
            session=db, clock=clock, actor_label="test", content="name\nX\n", fmt="csv"
        )
    assert count(db) == 0


def test_an_import_that_fails_while_applying_leaves_the_directory_unchanged(
    session_factory: sessionmaker[Session],
    clock: FixedClock,
) -> None:
    with unit_of_work(session_factory) as session:
        finder_import.import_file(
            session=session, clock=clock, actor_label="test", content=CSV_HEADER + GOOD_ROWS
        )
    with pytest.raises(RuntimeError), unit_of_work(session_factory) as session:
        finder_import.import_file(
            session=session,
            clock=clock,
            actor_label="test",
            content=CSV_HEADER
            + GOOD_ROWS.replace("Alpha", "Changed")
            + "a9,New,9 St,Oakland,CA,94612,iv,\n",
        )
        raise RuntimeError("the disk filled up")
    with unit_of_work(session_factory) as session:
        names = sorted(session.scalars(select(FinderListing.name)))
    assert names == ["Alpha Ketamine", "Beta Ketamine"]


def test_reimporting_replaces_listings_by_id(db: Session, clock: FixedClock) -> None:
    finder_import.import_file(
        session=db, clock=clock, actor_label="t", content=CSV_HEADER + GOOD_ROWS
    )
    result = finder_import.import_file(
        session=db,
        clock=clock,
        actor_label="t",
        content=CSV_HEADER + GOOD_ROWS.replace("Alpha", "Alfa"),
    )
    assert (result.created, result.updated) == (0, 2)
    assert finder.get_listing(session=db, listing_id="a1").name == "Alfa Ketamine"


def test_searches_see_an_import_straight_away(db: Session, clock: FixedClock) -> None:
    place = finder.resolve_origin(zip_code="94110")
    assert (
        finder.search(session=db, place=place, radius_miles=20, k=5, filters=SearchFilters()) == []
    )
    finder_import.import_file(
        session=db, clock=clock, actor_label="t", content=CSV_HEADER + GOOD_ROWS
    )
    hits = finder.search(session=db, place=place, radius_miles=20, k=5, filters=SearchFilters())
    assert [h.listing.listing_id for h in hits] == ["a1", "a2"]
    only_im = SearchFilters(routes=frozenset({Route.IM}))
    hits = finder.search(session=db, place=place, radius_miles=20, k=5, filters=only_im)
    assert [h.listing.listing_id for h in hits] == ["a2"]


@pytest.mark.parametrize("fmt", ["csv", "locator", "fhir"])
def test_the_directory_exports_and_reimports(db: Session, clock: FixedClock, fmt: str) -> None:
    finder_import.import_samhsa(session=db, clock=clock, actor_label="t", ketamine_only=True)
    text = finder.export_directory(session=db, fmt=fmt)
    report = finder_import.read_file(text, fmt="auto", source_name=f"export.{fmt}")
    assert len(report.accepted) == 104 and report.rejected == []
    if fmt == "fhir":
        assert json.loads(text)["resourceType"] == "Bundle"


def test_an_unknown_export_format_is_refused(db: Session) -> None:
    with pytest.raises(InvalidInput, match="csv, locator or fhir"):
        finder.export_directory(session=db, fmt="xml")


def test_an_unknown_listing_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        finder.get_listing(session=db, listing_id="nope")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "zip"),
        ({"city": "Oakland"}, "state"),
        ({"state": "CA"}, "city"),
        ({"latitude": 37.0}, "latitude"),
        ({"zip_code": "9411"}, "zip"),
    ],
)
def test_a_search_origin_must_be_complete_and_well_formed(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        finder.resolve_origin(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def _with_address(db: Session, clinic: Clinic) -> None:
    clinic.address, clinic.city, clinic.state, clinic.zip = "5 Calm Way", "Provo", "UT", "84601"
    clinic.phone = "801-555-0100"
    db.flush()


DETAILS = finder_publish.ClinicListingDetails(
    routes=frozenset({Route.IV, Route.ESKETAMINE_NASAL}),
    esketamine_rems_certified=True,
    accepting_new_patients=True,
    self_reported=(Signal(SignalKind.PACKAGES_SOLD_UPFRONT, SignalStatus.ABSENT),),
)
FACTS = VerificationFacts(
    screening_in_use=True,
    checkins_active=True,
    outcome_tracking_active=True,
    integration_sessions_recorded=True,
    prescriber_signoff_recorded=True,
    individualized_plans=True,
)


def test_a_clinic_admin_publishes_a_listing_with_verified_signals(
    db: Session,
    clock: FixedClock,
    cast: Cast,
) -> None:
    _with_address(db, cast.clinic_a)
    listing = finder_publish.publish_clinic_listing(
        session=db, actor=cast.actor(cast.admin_a), clock=clock, details=DETAILS, facts=FACTS
    )
    assert listing.listing_id == "ketacare-clinic-a"
    assert listing.source is ListingSource.KETACARE
    assert listing.coordinates_approximate  # ZIP centroid: no coordinates given
    stored = finder.get_listing(session=db, listing_id="ketacare-clinic-a")
    screening = stored.signal(SignalKind.COMPREHENSIVE_SCREENING)
    assert (screening.status, screening.basis) == (SignalStatus.PRESENT, SignalBasis.VERIFIED)
    upfront = stored.signal(SignalKind.PACKAGES_SOLD_UPFRONT)
    assert (upfront.status, upfront.basis) == (SignalStatus.ABSENT, SignalBasis.SELF_REPORTED)
    # Publishing again updates the same listing.
    finder_publish.publish_clinic_listing(
        session=db,
        actor=cast.actor(cast.admin_a),
        clock=clock,
        details=DETAILS,
        facts=VerificationFacts(screening_in_use=False),
    )
    again = finder.get_listing(session=db, listing_id="ketacare-clinic-a")
    assert again.signal(SignalKind.COMPREHENSIVE_SCREENING).status is SignalStatus.ABSENT
    assert count(db) == 1


def test_only_a_clinic_admin_may_publish(db: Session, clock: FixedClock, cast: Cast) -> None:
    _with_address(db, cast.clinic_a)
    with pytest.raises(Forbidden):
        finder_publish.publish_clinic_listing(
            session=db, actor=cast.actor(cast.nurse_a), clock=clock, details=DETAILS, facts=FACTS
        )


def test_a_clinic_without_an_address_cannot_publish(
    db: Session,
    clock: FixedClock,
    cast: Cast,
) -> None:
    with pytest.raises(InvalidInput, match="street address"):
        finder_publish.publish_clinic_listing(
            session=db, actor=cast.actor(cast.admin_a), clock=clock, details=DETAILS, facts=FACTS
        )


def test_an_import_cannot_overwrite_a_clinics_own_listing(
    db: Session,
    clock: FixedClock,
    cast: Cast,
) -> None:
    _with_address(db, cast.clinic_a)
    finder_publish.publish_clinic_listing(
        session=db, actor=cast.actor(cast.admin_a), clock=clock, details=DETAILS, facts=FACTS
    )
    result = finder_import.import_file(
        session=db,
        clock=clock,
        actor_label="t",
        content=CSV_HEADER + "ketacare-clinic-a,Impostor,1 A St,Provo,UT,84601,iv,\n",
    )
    assert result.created == 0 and result.updated == 0
    assert "clinic's own ketacare listing" in result.report.rejected[0].reason
    assert finder.get_listing(session=db, listing_id="ketacare-clinic-a").name == "Clinic A"


def test_a_change_made_in_this_process_is_seen_at_once_while_the_index_is_fresh(
    db: Session, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(finder, "INDEX_FRESHNESS_S", 3600.0)
    place = finder.resolve_origin(zip_code="94110")
    filters = SearchFilters()
    assert finder.search(session=db, place=place, radius_miles=20, k=5, filters=filters) == []
    finder_import.import_file(
        session=db, clock=clock, actor_label="t", content=CSV_HEADER + GOOD_ROWS
    )
    hits = finder.search(session=db, place=place, radius_miles=20, k=5, filters=filters)
    assert len(hits) == 2
