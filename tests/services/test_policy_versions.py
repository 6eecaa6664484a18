from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ketacare.domain.errors import Forbidden, InvalidInput
from ketacare.services import policy
from ketacare.services.clock import FixedClock


def test_a_clinic_without_overrides_runs_on_the_published_defaults(db: Session, cast) -> None:  # type: ignore[no-untyped-def]
    current, version = policy.current_policy(session=db, clinic_id=cast.clinic_a.id)
    assert version == 0
    assert current.vitals.predose_hold_systolic_mmhg == 140


def test_an_admin_override_is_a_new_version_with_its_reason(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = policy.change_policy(
        session=db,
        actor=cast.actor(cast.admin_a),
        clock=clock,
        overrides={"vitals.predose_hold_systolic_mmhg": 150},
        reason="anaesthesia lead's protocol",
    )
    current, version = policy.current_policy(session=db, clinic_id=cast.clinic_a.id)
    assert (row.version, version) == (1, 1)
    assert current.vitals.predose_hold_systolic_mmhg == 150
    other, _ = policy.current_policy(session=db, clinic_id=cast.clinic_b.id)
    assert other.vitals.predose_hold_systolic_mmhg == 140


def test_a_nurse_cannot_change_the_policy(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        policy.change_policy(
            session=db,
            actor=cast.actor(cast.nurse_a),
            clock=clock,
            overrides={"vitals.predose_hold_systolic_mmhg": 150},
            reason="x",
        )


def test_only_a_prescriber_confirms_an_unconfirmed_default(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    key = policy.current_policy(session=db, clinic_id=cast.clinic_a.id)[0].unconfirmed()[0].key
    with pytest.raises(Forbidden):
        policy.change_policy(
            session=db,
            actor=cast.actor(cast.admin_a),
            clock=clock,
            overrides={},
            confirm=[key],
            reason="reviewed",
        )
    policy.change_policy(
        session=db,
        actor=cast.actor(cast.prescriber_a),
        clock=clock,
        overrides={},
        confirm=[key],
        reason="reviewed against our protocol",
    )
    current, _ = policy.current_policy(session=db, clinic_id=cast.clinic_a.id)
    assert key not in {v.key for v in current.unconfirmed()}


def test_a_change_without_a_reason_is_refused(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="say why"):
        policy.change_policy(
            session=db,
            actor=cast.actor(cast.admin_a),
            clock=clock,
            overrides={"vitals.predose_hold_systolic_mmhg": 150},
            reason=" ",
        )
