"""The facility listing: where a clinic is, what it offers, and the signals about how it works.

A `Listing` is immutable and validated on construction (`InvalidInput` names the field). Text
fields that are unknown are empty strings, never None; tri-state facts (telehealth, accepting new
patients, REMS certification) use None for "not reported".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ketacare.domain.errors import InvalidInput
from ketacare.domain.routes import Route

__all__ = [
    "ALL_SIGNAL_KINDS",
    "QUALITY_SIGNALS",
    "RED_FLAGS",
    "Address",
    "Condition",
    "Listing",
    "ListingSource",
    "Payment",
    "Population",
    "Route",
    "Signal",
    "SignalBasis",
    "SignalKind",
    "SignalStatus",
    "TherapyApproach",
    "unknown_signals",
]


class Condition(StrEnum):
    """Conditions a facility says it treats or runs a tailored program for."""

    ANXIETY = "anxiety"
    DEPRESSION = "depression"
    PTSD = "ptsd"
    TRAUMA = "trauma"
    OCD = "ocd"
    BIPOLAR_DEPRESSION = "bipolar_depression"
    SUICIDAL_IDEATION = "suicidal_ideation"
    CHRONIC_PAIN = "chronic_pain"
    SUBSTANCE_USE = "substance_use"
    CO_OCCURRING = "co_occurring"  # mental illness together with a substance use disorder
    EATING_DISORDERS = "eating_disorders"
    SERIOUS_MENTAL_ILLNESS = "serious_mental_illness"
    SERIOUS_EMOTIONAL_DISTURBANCE = "serious_emotional_disturbance"  # children/adolescents
    FIRST_EPISODE_PSYCHOSIS = "first_episode_psychosis"
    TRAUMATIC_BRAIN_INJURY = "traumatic_brain_injury"
    DEMENTIA = "dementia"


class Payment(StrEnum):
    """Ways to pay a facility accepts."""

    INSURANCE = "insurance"  # private health insurance
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    MILITARY_INSURANCE = "military_insurance"  # e.g. TRICARE
    VA = "va"  # U.S. Department of Veterans Affairs funds
    STATE_INSURANCE = "state_insurance"  # state-financed plan other than Medicaid
    SELF_PAY = "self_pay"
    SLIDING_SCALE = "sliding_scale"
    PAYMENT_ASSISTANCE = "payment_assistance"


class Population(StrEnum):
    """Groups a facility accepts or runs a tailored program for."""

    CHILDREN = "children"
    YOUNG_ADULTS = "young_adults"
    ADULTS = "adults"
    SENIORS = "seniors"
    VETERANS = "veterans"
    ACTIVE_MILITARY = "active_military"
    MILITARY_FAMILIES = "military_families"
    LGBTQ = "lgbtq"
    JUSTICE_INVOLVED = "justice_involved"
    INTIMATE_PARTNER_VIOLENCE = "intimate_partner_violence"
    HIV = "hiv"


class TherapyApproach(StrEnum):
    """Talking and other therapies offered alongside (or instead of) medication."""

    CBT = "cbt"
    DBT = "dbt"
    INDIVIDUAL_PSYCHOTHERAPY = "individual_psychotherapy"
    GROUP = "group"
    COUPLES_FAMILY = "couples_family"
    EMDR = "emdr"
    COGNITIVE_REMEDIATION = "cognitive_remediation"
    INTEGRATED_MH_SUD = "integrated_mh_sud"
    ACTIVITY = "activity"
    INTEGRATION_SESSIONS = "integration_sessions"  # ketamine-assisted integration therapy


class SignalKind(StrEnum):
    """Quality signals (good to see) and red flags (reasons to worry)."""

    PRESCRIBER_OVERSIGHT = "prescriber_oversight"
    COMPREHENSIVE_SCREENING = "comprehensive_screening"
    FOLLOW_UP_TRACKING = "follow_up_tracking"
    THERAPY_INTEGRATION = "therapy_integration"
    ONE_PROTOCOL_FOR_EVERYONE = "one_protocol_for_everyone"
    NO_MENTAL_HEALTH_INTEGRATION = "no_mental_health_integration"
    PACKAGES_SOLD_UPFRONT = "packages_sold_upfront"

    @property
    def is_red_flag(self) -> bool:
        return self in RED_FLAGS


QUALITY_SIGNALS: tuple[SignalKind, ...] = (
    SignalKind.PRESCRIBER_OVERSIGHT,
    SignalKind.COMPREHENSIVE_SCREENING,
    SignalKind.FOLLOW_UP_TRACKING,
    SignalKind.THERAPY_INTEGRATION,
)
RED_FLAGS: tuple[SignalKind, ...] = (
    SignalKind.ONE_PROTOCOL_FOR_EVERYONE,
    SignalKind.NO_MENTAL_HEALTH_INTEGRATION,
    SignalKind.PACKAGES_SOLD_UPFRONT,
)
ALL_SIGNAL_KINDS: tuple[SignalKind, ...] = tuple(SignalKind)  # canonical order
_KIND_POSITION = {kind: i for i, kind in enumerate(ALL_SIGNAL_KINDS)}


class SignalStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class SignalBasis(StrEnum):
    """Who says so: the facility itself, ketacare's own records, or SAMHSA's survey answers."""

    SELF_REPORTED = "self_reported"
    VERIFIED = "verified"  # only from the clinic's real use of ketacare, never from a file
    SAMHSA_SURVEY = "samhsa_survey"  # what the facility answered to SAMHSA (also self-reported)


class ListingSource(StrEnum):
    SAMHSA_2022 = "samhsa_2022"
    CSV = "csv"
    LOCATOR_JSON = "locator_json"
    FHIR = "fhir"
    KETACARE = "ketacare"  # a clinic running ketacare published its own listing
    SYNTHETIC = "synthetic"  # benchmarks and tests only


@dataclass(frozen=True)
class Signal:
    """One signal about one listing: its status, who says so, and an optional plain note."""

    kind: SignalKind
    status: SignalStatus = SignalStatus.UNKNOWN
    basis: SignalBasis = SignalBasis.SELF_REPORTED
    note: str = ""


def unknown_signals(basis: SignalBasis = SignalBasis.SELF_REPORTED) -> tuple[Signal, ...]:
    """Every signal kind, status unknown: the honest default when nobody has said anything."""
    return tuple(Signal(kind, SignalStatus.UNKNOWN, basis) for kind in ALL_SIGNAL_KINDS)


def complete_signals(
    given: Iterable[Signal], default_basis: SignalBasis = SignalBasis.SELF_REPORTED
) -> tuple[Signal, ...]:
    """One signal per kind in canonical order; kinds not given are unknown.

    Raises InvalidInput if a kind is given twice.
    """
    by_kind: dict[SignalKind, Signal] = {}
    for signal in given:
        if signal.kind in by_kind:
            raise InvalidInput(f"signal {signal.kind} is given twice", field="signals")
        by_kind[signal.kind] = signal
    return tuple(
        by_kind.get(kind, Signal(kind, SignalStatus.UNKNOWN, default_basis))
        for kind in ALL_SIGNAL_KINDS
    )


@dataclass(frozen=True)
class Address:
    street1: str
    city: str
    state: str  # two-letter USPS code, upper case
    zip_code: str  # five digits
    street2: str = ""

    def __post_init__(self) -> None:
        _require(
            len(self.state) == 2 and self.state.isalpha() and self.state.isupper(),
            "state",
            f"state must be a two-letter USPS code like CA, got {self.state!r}",
        )
        _require(
            len(self.zip_code) == 5 and self.zip_code.isdigit(),
            "zip",
            f"ZIP code must be five digits like 94110, got {self.zip_code!r}",
        )
        _require(bool(self.city.strip()), "city", "the address needs a city")

    def one_line(self) -> str:
        street = ", ".join(part for part in (self.street1, self.street2) if part)
        return f"{street}, {self.city}, {self.state} {self.zip_code}".lstrip(", ")


@dataclass(frozen=True)
class Listing:
    """A facility in the directory.

    `latitude`/`longitude` are WGS84 degrees; `coordinates_approximate` is True when they are a
    ZIP-code centroid rather than the street address. `is_ketamine_provider` is True for any
    facility offering at least one ketamine route (and may be True with routes unknown).
    `signals` holds exactly one `Signal` per `SignalKind`, in `SignalKind` order.
    """

    listing_id: str
    name: str
    address: Address
    latitude: float
    longitude: float
    coordinates_approximate: bool
    source: ListingSource
    site_name: str = ""
    phone: str = ""
    website: str = ""
    routes: frozenset[Route] = frozenset()
    conditions: frozenset[Condition] = frozenset()
    payment: frozenset[Payment] = frozenset()
    populations: frozenset[Population] = frozenset()
    therapy_approaches: frozenset[TherapyApproach] = frozenset()
    telehealth: bool | None = None
    accepting_new_patients: bool | None = None
    is_ketamine_provider: bool = False
    esketamine_rems_certified: bool | None = None
    signals: tuple[Signal, ...] = field(default_factory=unknown_signals)
    service_codes: tuple[str, ...] = ()  # SAMHSA service codes as published, when known

    def __post_init__(self) -> None:
        _require(bool(self.listing_id.strip()), "listing_id", "a listing needs an id")
        _require(bool(self.name.strip()), "name", "a listing needs a name")
        _require(
            -90.0 <= self.latitude <= 90.0,
            "latitude",
            f"latitude must be between -90 and 90 degrees, got {self.latitude}",
        )
        _require(
            -180.0 <= self.longitude <= 180.0,
            "longitude",
            f"longitude must be between -180 and 180 degrees, got {self.longitude}",
        )
        _require(
            self.routes == frozenset() or self.is_ketamine_provider,
            "is_ketamine_provider",
            "a listing that offers a ketamine route is a ketamine provider",
        )
        kinds = tuple(signal.kind for signal in self.signals)
        _require(
            kinds == ALL_SIGNAL_KINDS,
            "signals",
            "signals must hold exactly one signal per kind, in canonical order "
            "(use complete_signals)",
        )

    def signal(self, kind: SignalKind) -> Signal:
        return self.signals[_KIND_POSITION[kind]]

    @property
    def signal_map(self) -> Mapping[SignalKind, Signal]:
        return {signal.kind: signal for signal in self.signals}

    @property
    def display_name(self) -> str:
        return f"{self.name} — {self.site_name}" if self.site_name else self.name


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise InvalidInput(message, field=field_name)
