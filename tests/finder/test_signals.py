"""Signals: a plain explanation for each, and verification only from the clinic's real use."""

from __future__ import annotations

import pytest

from ketacare.domain.errors import InvalidInput
from ketacare.finder.model import (
    RED_FLAGS,
    Address,
    Listing,
    ListingSource,
    Signal,
    SignalBasis,
    SignalKind,
    SignalStatus,
    complete_signals,
)
from ketacare.finder.signals import (
    BASIS_EXPLANATION,
    SIGNAL_GUIDE,
    VerificationFacts,
    verified_signals,
)


def test_every_signal_has_a_plain_explanation_of_what_to_look_for_and_what_should_worry() -> None:
    assert set(SIGNAL_GUIDE) == set(SignalKind)
    for guide in SIGNAL_GUIDE.values():
        assert guide.meaning and guide.look_for and guide.worry_if
        assert guide.is_red_flag == (guide.kind in RED_FLAGS)
    assert set(BASIS_EXPLANATION) == set(SignalBasis)


def test_real_use_verifies_screening_follow_up_and_integration() -> None:
    signals = verified_signals(
        VerificationFacts(
            prescriber_signoff_recorded=True,
            screening_in_use=True,
            checkins_active=True,
            outcome_tracking_active=True,
            integration_sessions_recorded=True,
            individualized_plans=True,
        )
    )
    by_kind = {s.kind: s for s in signals}
    for kind in (
        SignalKind.PRESCRIBER_OVERSIGHT,
        SignalKind.COMPREHENSIVE_SCREENING,
        SignalKind.FOLLOW_UP_TRACKING,
        SignalKind.THERAPY_INTEGRATION,
    ):
        assert (by_kind[kind].status, by_kind[kind].basis) == (
            SignalStatus.PRESENT,
            SignalBasis.VERIFIED,
        )
    for kind in (SignalKind.ONE_PROTOCOL_FOR_EVERYONE, SignalKind.NO_MENTAL_HEALTH_INTEGRATION):
        assert (by_kind[kind].status, by_kind[kind].basis) == (
            SignalStatus.ABSENT,
            SignalBasis.VERIFIED,
        )
    assert by_kind[SignalKind.PACKAGES_SOLD_UPFRONT].status is SignalStatus.UNKNOWN


def test_follow_up_needs_both_check_ins_and_outcome_tracking() -> None:
    half = verified_signals(VerificationFacts(checkins_active=True, outcome_tracking_active=False))
    assert {s.kind: s for s in half}[SignalKind.FOLLOW_UP_TRACKING].status is SignalStatus.ABSENT
    unknown = verified_signals(VerificationFacts(checkins_active=True))
    follow = {s.kind: s for s in unknown}[SignalKind.FOLLOW_UP_TRACKING]
    assert follow.status is SignalStatus.UNKNOWN


def test_what_ketacare_cannot_see_keeps_the_clinics_own_word() -> None:
    own = (
        Signal(SignalKind.PACKAGES_SOLD_UPFRONT, SignalStatus.ABSENT),
        Signal(SignalKind.COMPREHENSIVE_SCREENING, SignalStatus.PRESENT),
    )
    signals = verified_signals(VerificationFacts(screening_in_use=False), own)
    by_kind = {s.kind: s for s in signals}
    assert by_kind[SignalKind.PACKAGES_SOLD_UPFRONT].basis is SignalBasis.SELF_REPORTED
    assert by_kind[SignalKind.COMPREHENSIVE_SCREENING].status is SignalStatus.ABSENT
    assert by_kind[SignalKind.COMPREHENSIVE_SCREENING].basis is SignalBasis.VERIFIED


def test_a_signal_given_twice_is_refused() -> None:
    twice = [Signal(SignalKind.PRESCRIBER_OVERSIGHT)] * 2
    with pytest.raises(InvalidInput, match="twice"):
        complete_signals(twice)


def listing(**changes: object) -> Listing:
    fields: dict[str, object] = dict(
        listing_id="x",
        name="X",
        address=Address("1 A St", "Provo", "UT", "84601"),
        latitude=40.0,
        longitude=-111.0,
        coordinates_approximate=False,
        source=ListingSource.CSV,
    )
    fields.update(changes)
    return Listing(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"latitude": 90.5}, "latitude"),
        ({"longitude": -180.5}, "longitude"),
        ({"name": " "}, "name"),
        ({"listing_id": ""}, "listing_id"),
        ({"signals": ()}, "signals"),
    ],
)
def test_an_invalid_listing_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        listing(**changes)
    assert caught.value.field == field


def test_a_listing_offering_a_route_must_be_a_ketamine_provider() -> None:
    from ketacare.domain.routes import Route

    with pytest.raises(InvalidInput):
        listing(routes=frozenset({Route.IM}), is_ketamine_provider=False)
    assert listing(routes=frozenset({Route.IM}), is_ketamine_provider=True).routes


@pytest.mark.parametrize(("state", "zip_code"), [("ut", "84601"), ("UT", "8460"), ("U1", "84601")])
def test_an_address_needs_a_state_code_and_a_five_digit_zip(state: str, zip_code: str) -> None:
    with pytest.raises(InvalidInput):
        Address("1 A St", "Provo", state, zip_code)
