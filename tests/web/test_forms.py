"""The shared form helper: a refused service call undoes its writes and puts the error beside
the field it names; other errors are not swallowed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.responses import Response

from ketacare.db.models import Clinic
from ketacare.domain.errors import Forbidden, InvalidInput
from ketacare.web.forms import FormState, attempt, submit


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


def _page_again() -> Response:
    return Response("the page again", status_code=422)


def test_submit_answers_303_to_the_url_made_from_the_calls_result(db) -> None:  # type: ignore[no-untyped-def]
    answer = submit(
        db, FormState(), lambda: 7, then=lambda n: f"/things/{n}#done", again=_page_again
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/things/7#done"


def test_submit_does_not_call_the_service_when_a_typed_value_was_refused(db) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    form = FormState.of({"dose_mg": "ten"})
    form.add("dose_mg", "the dose must be a number")
    answer = submit(db, form, lambda: calls.append(1), then="/done", again=_page_again)
    assert answer.status_code == 422 and calls == []


def test_submit_renders_the_page_again_when_the_service_refuses(db) -> None:  # type: ignore[no-untyped-def]
    form = FormState.of({"name": "Half-done"})
    answer = submit(
        db,
        form,
        lambda: _add_clinic_then_refuse(db, "again"),
        then="/done",
        again=_page_again,
        aliases={"name": "clinic_name"},
    )
    assert answer.status_code == 422 and form.error("clinic_name") == "the name is taken"
