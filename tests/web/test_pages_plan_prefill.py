"""The plan page's forms start from the current plan version, so the prescriber changes only what
changes: the adjustment form carries every session so far (improvement, dose, tolerated) and the
next dose for the session just held; the therapist form carries the current therapist. A post
with one change makes a new version with that change and the rest equal; a refusal (422) keeps
what was typed."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentPlan
from tests.web.test_pages_screening_plan import _base, _planned, _post


def _plans(db: Session) -> list[TreatmentPlan]:
    return list(db.scalars(select(TreatmentPlan).order_by(TreatmentPlan.version)))


def _adjust_form(html: str) -> dict[str, str]:
    """The adjustment form's fields as a browser would post them (checked boxes only)."""
    body = re.search(r'action="[^"]*/plan/adjust"(.*?)</form>', html, re.S).group(1)  # type: ignore[union-attr]
    fields = dict(re.findall(r'name="([\w.]+)" type="(?:text|hidden)" value="([^"]*)"', body))
    fields.update(re.findall(r'name="(rows)" value="([^"]*)"', body))
    for name in re.findall(r'type="checkbox" name="([\w.]+)" value="on" checked', body):
        fields[name] = "on"
    return fields


def _integration_form(html: str) -> dict[str, str]:
    body = re.search(r'action="[^"]*/plan/integration"(.*?)</form>', html, re.S).group(1)  # type: ignore[union-attr]
    return dict(re.findall(r'name="(therapist_\w+)" type="text"\s+value="([^"]*)"', body))


def _first_session(client, cast) -> None:  # type: ignore[no-untyped-def]
    response = _post(
        client,
        f"{_base(cast)}/plan/adjust",
        {"rows": "1", "o0.improvement_pct": "10", "o0.dose": "0.5", "o0.tolerated": "on"},
    )
    assert response.status_code == 303


def test_the_adjustment_form_shows_the_sessions_so_far_and_the_next_dose(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    _first_session(client, cast)
    current = _plans(db)[-1]
    assert current.version == 2 and current.next_mg_per_kg is not None
    form = _adjust_form(client.get(f"{_base(cast)}/plan").text)
    assert form == {
        "rows": "2",
        "o0.improvement_pct": "10",
        "o0.dose": "0.5",
        "o0.tolerated": "on",
        "o1.improvement_pct": "",
        "o1.dose": f"{current.next_mg_per_kg:g}",
        "o1.tolerated": "on",
    }


def test_posting_the_prefilled_form_with_one_change_keeps_the_rest_equal(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    _first_session(client, cast)
    html = client.get(f"{_base(cast)}/plan").text
    form = {**_adjust_form(html), "o1.improvement_pct": "25"}  # the one new fact
    assert _post(client, f"{_base(cast)}/plan/adjust", form).status_code == 303
    before, after = _plans(db)[-2:]
    assert after.version == before.version + 1
    assert after.inputs["outcomes"][0] == before.inputs["outcomes"][0]
    assert after.inputs["outcomes"][1]["improvement_pct"] == 25
    assert after.inputs["outcomes"][1]["mg_per_kg"] == before.next_mg_per_kg
    assert after.integration_therapist_name == before.integration_therapist_name == "R. Chen"


def test_a_refused_adjustment_keeps_every_typed_value(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    _first_session(client, cast)
    form = {
        **_adjust_form(client.get(f"{_base(cast)}/plan").text),
        "o0.improvement_pct": "12",
        "o1.dose": "0.6",
        "reason": "checking",
    }
    form.pop("o1.tolerated")  # unticked
    refused = _post(client, f"{_base(cast)}/plan/adjust", form)  # o1 improvement missing
    assert refused.status_code == 422
    assert 'id="o1.improvement_pct-error"' in refused.text
    kept = _adjust_form(refused.text)
    assert (kept["o0.improvement_pct"], kept["o1.dose"]) == ("12", "0.6")
    assert "o1.tolerated" not in kept and kept["o0.tolerated"] == "on"
    assert ">checking</textarea>" in refused.text
    assert len(_plans(db)) == 2


def test_the_therapist_form_shows_the_current_therapist_and_one_change_keeps_the_rest(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    page = client.get(f"{_base(cast)}/plan").text
    assert "Change the therapist or coach" in page
    form = _integration_form(page)
    assert form == {
        "therapist_name": "R. Chen",
        "therapist_role": "psychologist",
        "therapist_contact": "",
    }
    form["therapist_contact"] = "555-0100"
    assert _post(client, f"{_base(cast)}/plan/integration", form).status_code == 303
    before, after = _plans(db)[-2:]
    assert (after.version, after.change) == (before.version + 1, "integration")
    assert after.integration_therapist_contact == "555-0100"
    assert (after.integration_therapist_name, after.integration_therapist_role) == (
        "R. Chen",
        "psychologist",
    )
    assert (after.next_mg_per_kg, after.status) == (before.next_mg_per_kg, before.status)
    assert _integration_form(client.get(f"{_base(cast)}/plan").text)["therapist_contact"] == (
        "555-0100"
    )


def test_a_refused_therapist_change_keeps_what_was_typed(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    refused = _post(
        client,
        f"{_base(cast)}/plan/integration",
        {"therapist_name": " ", "therapist_role": "coach", "therapist_contact": "x@example.org"},
    )
    assert refused.status_code == 422
    assert 'id="therapist_name-error"' in refused.text
    assert _integration_form(refused.text) == {
        "therapist_name": " ",
        "therapist_role": "coach",
        "therapist_contact": "x@example.org",
    }
    assert len(_plans(db)) == 1
