"""The shared form helper: a refused service call undoes its writes and puts the error beside
the field it names; other errors are not swallowed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ketacare.db.models import Clinic
from ketacare.domain.errors import Forbidden, InvalidInput
from ketacare.web.forms import FormState, attempt


def _add_clinic_then_refuse(db, slug: str) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    db.add(Clinic(name="Half-done", slug=slug, created_at=datetime.now(UTC)))
    db.flush()
    raise InvalidInput("the name is taken", field="name")


def test_a_refused_call_changes_nothing_and_names_the_field(db) -> None:  # type: ignore[no-untyped-def]
    before = db.scalar(select(func.count()).select_from(Clinic))
    form = FormState.of({"name": "Half-done"})
    result = attempt(db, lambda: _add_clinic_then_refuse(db, "half-done"), form)
    assert result is None
    assert form.error("name") == "the name is taken"
    assert form.value("name") == "Half-done"
    assert db.scalar(select(func.count()).select_from(Clinic)) == before


def test_a_field_alias_maps_a_service_field_to_the_forms_input(db) -> None:  # type: ignore[no-untyped-def]
    form = FormState()
    attempt(db, lambda: _add_clinic_then_refuse(db, "alias"), form, aliases={"name": "clinic_name"})
    assert form.error("clinic_name") == "the name is taken" and form.error("name") is None


def test_forbidden_is_not_a_form_error(db) -> None:  # type: ignore[no-untyped-def]
    def refuse() -> None:
        raise Forbidden("no")

    with pytest.raises(Forbidden):
        attempt(db, refuse, FormState())
