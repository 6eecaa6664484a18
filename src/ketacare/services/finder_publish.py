"""A clinic running ketacare publishes its own finder listing, with signals verified from its
real use (screening in use, check-ins and outcome tracking active, integration sessions
recorded, prescriber oversight). The facts are derived from the clinic's records by
`finder_verify.clinic_facts`; what ketacare cannot see stays the clinic's self-reported word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Clinic, FinderListing, Role
from ketacare.domain.errors import InvalidInput, NotFound
from ketacare.domain.routes import Route
from ketacare.finder.model import (
    Address,
    Condition,
    Listing,
    ListingSource,
    Payment,
    Population,
    Signal,
    SignalBasis,
    TherapyApproach,
)
from ketacare.finder.signals import VerificationFacts, verified_signals
from ketacare.finder.zips import zip_centroid
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.finder import record_change, row_values, to_listing
from ketacare.services.finder_verify import Evidence, clinic_facts

ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class ClinicListingDetails:
    """What the clinic says about itself (self-reported), beside what ketacare verifies."""

    routes: frozenset[Route]
    conditions: frozenset[Condition] = frozenset()
    payment: frozenset[Payment] = frozenset()
    populations: frozenset[Population] = frozenset()
    therapy_approaches: frozenset[TherapyApproach] = frozenset()
    telehealth: bool | None = None
    accepting_new_patients: bool | None = None
    esketamine_rems_certified: bool | None = None
    website: str = ""
    latitude: float | None = None
    longitude: float | None = None
    self_reported: Sequence[Signal] = ()


def publish_clinic_listing(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    details: ClinicListingDetails,
    facts: VerificationFacts | None = None,
    clinic_id: int | None = None,
) -> Listing:
    """Create or update the clinic's own listing (clinic admins), with verified signals.

    `facts` default to what the clinic's records show now (`finder_verify.clinic_facts`); a
    caller may pass them (tests, imports of another system's evidence). The listing uses the
    clinic's name, address and phone; without coordinates it sits at its ZIP centroid.
    """
    access.require_role(
        session=session, actor=actor, clock=clock, roles=ADMINS, action="finder.publish"
    )
    clinic = _clinic(session, actor, clinic_id)
    if facts is None:
        facts, _ = clinic_facts(session=session, clinic_id=clinic.id, now=clock.now())
    listing = _clinic_listing(clinic, details, facts)
    row = session.scalar(select(FinderListing).where(FinderListing.clinic_id == clinic.id))
    values = {**row_values(listing), "clinic_id": clinic.id, "updated_at": clock.now()}
    if row is None:
        session.add(FinderListing(**values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    record_change(
        session=session,
        clock=clock,
        kind="publish",
        actor_label=actor.label,
        source_name=clinic.name,
        accepted=1,
        detail={"listing_id": listing.listing_id},
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="finder.publish",
        object_type="finder_listing",
        object_id=listing.listing_id,
        clinic_id=clinic.id,
    )
    return listing


@dataclass(frozen=True)
class ListingPreview:
    """What publishing would put in the finder now, with the evidence for each signal."""

    listing: Listing
    evidence: tuple[Evidence, ...]
    published: Listing | None  # the listing in the finder now, if any


def preview_clinic_listing(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    details: ClinicListingDetails,
) -> ListingPreview:
    """The listing `publish_clinic_listing` would store now (nothing is written but the audit)."""
    access.require_role(
        session=session, actor=actor, clock=clock, roles=ADMINS, action="finder.preview"
    )
    clinic = _clinic(session, actor, None)
    facts, evidence = clinic_facts(session=session, clinic_id=clinic.id, now=clock.now())
    audit.record(session=session, actor=actor, clock=clock, action="finder.preview")
    return ListingPreview(
        _clinic_listing(clinic, details, facts), evidence, published_listing(session, clinic.id)
    )


def published_listing(session: Session, clinic_id: int) -> Listing | None:
    row = session.scalar(select(FinderListing).where(FinderListing.clinic_id == clinic_id))
    return to_listing(row) if row is not None else None


def details_of(listing: Listing) -> ClinicListingDetails:
    """The self-reported details of a published listing (to prefill the next publication)."""
    return ClinicListingDetails(
        routes=listing.routes,
        conditions=listing.conditions,
        payment=listing.payment,
        populations=listing.populations,
        therapy_approaches=listing.therapy_approaches,
        telehealth=listing.telehealth,
        accepting_new_patients=listing.accepting_new_patients,
        esketamine_rems_certified=listing.esketamine_rems_certified,
        website=listing.website,
        self_reported=tuple(s for s in listing.signals if s.basis != SignalBasis.VERIFIED),
    )


def _clinic(session: Session, actor: Actor, clinic_id: int | None) -> Clinic:
    target = clinic_id if actor.is_system else actor.clinic_id
    clinic = session.get(Clinic, target) if target is not None else None
    if clinic is None:
        raise NotFound("no such clinic", field="clinic_id")
    return clinic


def _clinic_listing(
    clinic: Clinic, details: ClinicListingDetails, facts: VerificationFacts
) -> Listing:
    if not (clinic.address and clinic.city and clinic.state and clinic.zip):
        raise InvalidInput(
            "the clinic needs a street address, city, state and ZIP code before "
            "it can publish a listing",
            field="address",
        )
    zip_code = clinic.zip.strip()[:5]
    if details.latitude is not None and details.longitude is not None:
        lat, lon, approximate = details.latitude, details.longitude, False
    else:
        centroid = zip_centroid(zip_code)
        if centroid is None:
            raise InvalidInput(f"ZIP code {zip_code!r} has no known position", field="zip")
        (lat, lon), approximate = centroid, True
    return Listing(
        listing_id=f"ketacare-{clinic.slug}",
        name=clinic.name,
        address=Address(clinic.address, clinic.city, clinic.state.upper(), zip_code),
        phone=clinic.phone,
        website=details.website,
        latitude=lat,
        longitude=lon,
        coordinates_approximate=approximate,
        source=ListingSource.KETACARE,
        routes=details.routes,
        conditions=details.conditions,
        payment=details.payment,
        populations=details.populations,
        therapy_approaches=details.therapy_approaches,
        telehealth=details.telehealth,
        accepting_new_patients=details.accepting_new_patients,
        is_ketamine_provider=True,
        esketamine_rems_certified=details.esketamine_rems_certified,
        signals=verified_signals(facts, tuple(details.self_reported)),
    )
