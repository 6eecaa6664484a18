"""ClinicPolicy: overrides are validated, versioned and never touch the published defaults."""

from __future__ import annotations

import pytest

from ketacare.domain.errors import InvalidInput
from ketacare.domain.policy import ClinicPolicy


def test_an_override_makes_a_new_policy_and_keeps_the_default_visible() -> None:
    base = ClinicPolicy()
    changed = base.with_overrides({"vitals.predose_hold_systolic_mmhg": 150})
    assert base.vitals.predose_hold_systolic_mmhg == 140
    assert changed.vitals.predose_hold_systolic_mmhg == 150
    value = next(v for v in changed.values() if v.key == "vitals.predose_hold_systolic_mmhg")
    assert (value.value, value.default, value.overridden) == (150, 140, True)
    assert changed.overrides() == {"vitals.predose_hold_systolic_mmhg": 150}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("vitals.no_such_value", 1, "is not a clinic policy value"),
        ("nosection.value", 1, "is not a clinic policy value"),
        ("vitals.predose_hold_systolic_mmhg", "high", "must be a number"),
        ("vitals.predose_hold_systolic_mmhg", True, "must be a number"),
        ("vitals.predose_hold_systolic_mmhg", 140.5, "must be a whole number"),
        ("dosing.iv_override_max_mg_per_kg", 5.0, "must be between"),
    ],
)
def test_a_bad_override_is_refused_naming_the_value(key: str, value: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        ClinicPolicy().with_overrides({key: value})
    assert refused.value.field == key


def test_unconfirmed_defaults_stay_listed_until_a_prescriber_confirms_them() -> None:
    base = ClinicPolicy()
    pending = [v.key for v in base.unconfirmed()]
    assert pending, "the reference marks some defaults UNCONFIRMED"
    confirmed = base.with_overrides({}, confirm=frozenset(pending[:1]))
    assert [v.key for v in confirmed.unconfirmed()] == pending[1:]
