"""The public finder's request parameters and response shapes (shared by the API and the page)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from ketacare.domain.routes import Route
from ketacare.finder.index import SearchFilters, SearchHit
from ketacare.finder.model import (
    QUALITY_SIGNALS,
    Condition,
    Listing,
    Payment,
    Signal,
    SignalKind,
)
from ketacare.finder.samhsa import SAMHSA_ATTRIBUTION
from ketacare.finder.signals import BASIS_EXPLANATION, SIGNAL_GUIDE, STATUS_WORDS
from ketacare.finder.zips import ZIP_ATTRIBUTION, Place

ROUTE_LABELS: dict[Route, str] = {
    Route.IV: "IV infusion (ketamine)",
    Route.IM: "Intramuscular injection (ketamine)",
    Route.ESKETAMINE_NASAL: "Esketamine nasal spray (Spravato)",
    Route.SUBLINGUAL: "Sublingual or oral ketamine (troche, lozenge)",
}
ATTRIBUTION = (ZIP_ATTRIBUTION, SAMHSA_ATTRIBUTION)
RADIUS_CHOICES = (10, 25, 50, 100, 250, 500)


_SPECIAL_LABELS = {
    "ptsd": "PTSD",
    "ocd": "OCD",
    "cbt": "CBT",
    "dbt": "DBT",
    "emdr": "EMDR",
    "hiv": "HIV",
    "lgbtq": "LGBTQ",
    "va": "VA funds",
    "insurance": "Private insurance",
    "military_insurance": "Military insurance (TRICARE)",
    "integrated_mh_sud": "Integrated mental health and substance use treatment",
    "co_occurring": "Co-occurring mental health and substance use",
}


def label(value: str) -> str:
    """`sliding_scale` → "Sliding scale"; acronyms keep their capitals."""
    return _SPECIAL_LABELS.get(value, value.replace("_", " ").capitalize())


@dataclass
class SearchParams:
    """What the visitor asked for; `filters()` turns it into the index's filters."""

    zip: str = ""
    city: str = ""
    state: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_miles: float = 25.0
    k: int = 20
    routes: list[Route] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    payment: list[Payment] = field(default_factory=list)
    signals: list[SignalKind] = field(default_factory=list)
    telehealth: bool = False
    accepting_new_patients: bool = False
    exclude_red_flags: bool = False
    all_facilities: bool = False

    @property
    def has_origin(self) -> bool:
        return bool(
            self.zip.strip()
            or self.city.strip()
            or self.state.strip()
            or self.lat is not None
            or self.lon is not None
        )

    def filters(self) -> SearchFilters:
        return SearchFilters(
            ketamine_only=not self.all_facilities,
            routes=frozenset(self.routes),
            conditions=frozenset(self.conditions),
            payment=frozenset(self.payment),
            telehealth=self.telehealth,
            accepting_new_patients=self.accepting_new_patients,
            signals=frozenset(s for s in self.signals if s in QUALITY_SIGNALS),
            exclude_red_flags=self.exclude_red_flags,
        )


class SignalRead(BaseModel):
    kind: SignalKind
    title: str
    is_red_flag: bool
    status: str
    status_words: str
    basis: str
    basis_explanation: str
    note: str


class SignalGuideRead(BaseModel):
    kind: SignalKind
    title: str
    is_red_flag: bool
    meaning: str
    look_for: str
    worry_if: str


class ListingRead(BaseModel):
    listing_id: str
    name: str
    site_name: str
    address: str
    street1: str
    street2: str
    city: str
    state: str
    zip: str
    phone: str
    website: str
    latitude: float
    longitude: float
    coordinates_approximate: bool
    is_ketamine_provider: bool
    routes: list[str]
    esketamine_rems_certified: bool | None
    conditions: list[str]
    payment: list[str]
    populations: list[str]
    therapy_approaches: list[str]
    telehealth: bool | None
    accepting_new_patients: bool | None
    source: str
    signals: list[SignalRead]
    distance_miles: float | None = None
    distance_km: float | None = None


class PlaceRead(BaseModel):
    label: str
    latitude: float
    longitude: float
    approximate: bool
    zip_code: str | None


class SearchRead(BaseModel):
    origin: PlaceRead
    radius_miles: float
    count: int
    ketamine_only: bool
    results: list[ListingRead]
    attribution: list[str]


def signal_read(signal: Signal) -> SignalRead:
    guide = SIGNAL_GUIDE[signal.kind]
    return SignalRead(
        kind=signal.kind,
        title=guide.title,
        is_red_flag=guide.is_red_flag,
        status=signal.status.value,
        status_words=STATUS_WORDS[signal.status],
        basis=signal.basis.value,
        basis_explanation=BASIS_EXPLANATION[signal.basis],
        note=signal.note,
    )


def listing_read(listing: Listing, hit: SearchHit | None = None) -> ListingRead:
    a = listing.address
    return ListingRead(
        listing_id=listing.listing_id,
        name=listing.name,
        site_name=listing.site_name,
        address=a.one_line(),
        street1=a.street1,
        street2=a.street2,
        city=a.city,
        state=a.state,
        zip=a.zip_code,
        phone=listing.phone,
        website=listing.website,
        latitude=listing.latitude,
        longitude=listing.longitude,
        coordinates_approximate=listing.coordinates_approximate,
        is_ketamine_provider=listing.is_ketamine_provider,
        routes=sorted(listing.routes),
        esketamine_rems_certified=listing.esketamine_rems_certified,
        conditions=sorted(listing.conditions),
        payment=sorted(listing.payment),
        populations=sorted(listing.populations),
        therapy_approaches=sorted(listing.therapy_approaches),
        telehealth=listing.telehealth,
        accepting_new_patients=listing.accepting_new_patients,
        source=listing.source.value,
        signals=[signal_read(s) for s in listing.signals],
        distance_miles=round(hit.distance_miles, 2) if hit else None,
        distance_km=round(hit.distance_km, 2) if hit else None,
    )


def place_read(place: Place) -> PlaceRead:
    return PlaceRead(
        label=place.label,
        latitude=place.latitude,
        longitude=place.longitude,
        approximate=place.approximate,
        zip_code=place.zip_code,
    )


def guide_reads() -> list[SignalGuideRead]:
    return [
        SignalGuideRead(
            kind=g.kind,
            title=g.title,
            is_red_flag=g.is_red_flag,
            meaning=g.meaning,
            look_for=g.look_for,
            worry_if=g.worry_if,
        )
        for g in SIGNAL_GUIDE.values()
    ]
