"""Screening review and plan pages: prescribers review and plan; nurses cannot approve; every
refusal lands beside its field and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    Consent,
    IntegrationSession,
    Screening,
    ScreeningCosignature,
    ScreeningReview,
    TreatmentCourse,
    TreatmentPlan,
)
from ketacare.services import intake, patients, screening
from ketacare.services.actors import Actor
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _post(client, url: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/patients").text)
    return client.post(url, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


def _intake(db: Session, cast, clock, *, conditions=(), measured=True) -> None:  # type: ignore[no-untyped-def]
    actor = Actor.for_user(cast.nurse_a)
    if measured:
        patients.record_measurement(
            session=db,
            actor=actor,
            clock=clock,
            patient_id=cast.patient_a.id,
            weight_kg=64,
            height_cm=165,
        )
    intake.record_intake(
        session=db,
        actor=actor,
        clock=clock,
        patient_id=cast.patient_a.id,
        data={
            "diagnoses": ["gad"],
            "conditions": list(conditions),
            "resting_bp": [{"systolic_mmhg": 124, "diastolic_mmhg": 78}],
            "prior_trials": [
                {"kind": "drug", "name": n, "weeks": 8, "outcome": "failed", "daily_dose_mg": d}
                for n, d in (("sertraline", 150), ("escitalopram", 20))
            ],
            "gad7": [2] * 7,
            "phq9": [1] * 8 + [0],
        },
    )
    db.commit()


def _screened(db: Session, cast, clock, **kw) -> Screening:  # type: ignore[no-untyped-def]
    _intake(db, cast, clock, **kw)
    row = screening.screen_patient(
        session=db, actor=Actor.for_user(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    return row


def _base(cast) -> str:  # type: ignore[no-untyped-def]
    return f"/patients/{cast.patient_a.id}"


# --- screening -----------------------------------------------------------------------------


def test_running_screening_from_the_page_shows_the_verdict_and_findings(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _intake(db, cast, clock)
    sign_in(client, "nurse@a.example")
    assert _post(client, f"{_base(cast)}/screening/run").status_code == 303
    page = client.get(f"{_base(cast)}/screening")
    row = db.scalar(select(Screening).where(Screening.patient_id == cast.patient_a.id))
    assert row is not None
    assert row.verdict.value.replace("_", " ") in page.text
    assert "policy version" in page.text
    for finding in row.findings:
        assert finding["rule_id"] in page.text


def test_screening_without_a_weight_is_refused_with_a_way_to_record_it(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _intake(db, cast, clock, measured=False)
    sign_in(client, "nurse@a.example")
    response = _post(client, f"{_base(cast)}/screening/run")
    assert response.status_code == 422
    assert "record the patient&#39;s weight before screening" in response.text
    assert "#measurements" in response.text
    assert _count(db, Screening) == 0


def test_a_nurse_sees_no_review_form_and_cannot_approve_a_screening(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    row = _screened(db, cast, clock)
    sign_in(client, "nurse@a.example")
    page = client.get(f"{_base(cast)}/screening")
    assert "Only a prescriber can accept" in page.text
    assert "Record decision" not in page.text
    response = _post(client, f"{_base(cast)}/screening/{row.id}/review", {"decision": "accept"})
    assert response.status_code == 403
    assert _count(db, ScreeningReview) == 0


def test_a_prescriber_accepts_an_eligible_screening(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    row = _screened(db, cast, clock)
    assert row.verdict.value == "eligible"
    sign_in(client, "prescriber@a.example")
    response = _post(client, f"{_base(cast)}/screening/{row.id}/review", {"decision": "accept"})
    assert response.status_code == 303
    page = client.get(f"{_base(cast)}/screening")
    assert "Cleared for treatment" in page.text
    assert _count(db, ScreeningReview) == 1


def test_a_decision_the_verdict_does_not_allow_is_refused_beside_the_decision(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    row = _screened(db, cast, clock)
    sign_in(client, "prescriber@a.example")
    response = _post(
        client, f"{_base(cast)}/screening/{row.id}/review", {"decision": "override", "reason": "x"}
    )
    assert response.status_code == 422
    assert (
        'id="decision-error"' in response.text
        and "a eligible verdict can be: accept" in response.text
    )
    assert 'value="x"' not in response.text  # reason is a textarea: kept as its content
    assert ">x</textarea>" in response.text
    assert _count(db, ScreeningReview) == 0


def test_no_decision_chosen_is_named_beside_the_decision(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    row = _screened(db, cast, clock)
    sign_in(client, "prescriber@a.example")
    response = _post(client, f"{_base(cast)}/screening/{row.id}/review", {"reason": "looks fine"})
    assert response.status_code == 422
    assert 'id="decision-error"' in response.text and ">looks fine</textarea>" in response.text
    assert _count(db, ScreeningReview) == 0


def test_an_override_needs_a_reason_and_a_second_prescribers_cosignature(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    row = _screened(db, cast, clock, conditions=["schizophrenia"])
    assert row.verdict.value == "not_eligible"
    sign_in(client, "prescriber@a.example")
    url = f"{_base(cast)}/screening/{row.id}/review"
    refused = _post(client, url, {"decision": "override"})
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text and "a written reason is required" in refused.text
    assert _count(db, ScreeningReview) == 0
    assert (
        _post(
            client, url, {"decision": "override", "reason": "diagnosis revised by psychiatry"}
        ).status_code
        == 303
    )
    review = db.scalar(select(ScreeningReview))
    page = client.get(f"{_base(cast)}/screening")
    assert "awaiting a second prescriber" in page.text and "Co-sign the override" not in page.text
    own = _post(client, f"{_base(cast)}/screening/reviews/{review.id}/cosign", {"note": "me"})
    assert own.status_code == 403
    client.post("/signout", data={"csrf_token": csrf_from(client.get("/").text)})
    sign_in(client, "prescriber2@a.example")
    assert "Co-sign the override" in client.get(f"{_base(cast)}/screening").text
    assert (
        _post(
            client, f"{_base(cast)}/screening/reviews/{review.id}/cosign", {"note": "agree"}
        ).status_code
        == 303
    )
    assert _count(db, ScreeningCosignature) == 1


def test_a_review_for_another_patients_screening_is_not_found(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    row = _screened(db, cast, clock)
    sign_in(client, "prescriber@a.example")
    url = f"/patients/{cast.other_patient_a.id}/screening/{row.id}/review"
    assert _post(client, url, {"decision": "accept"}).status_code == 404
    assert _count(db, ScreeningReview) == 0


# --- plan ----------------------------------------------------------------------------------


def _cleared(db: Session, cast, clock, client) -> None:  # type: ignore[no-untyped-def]
    row = _screened(db, cast, clock)
    sign_in(client, "prescriber@a.example")
    assert (
        _post(
            client, f"{_base(cast)}/screening/{row.id}/review", {"decision": "accept"}
        ).status_code
        == 303
    )


PLAN = {
    "route": "iv",
    "starts_on": "2026-03-09",
    "therapist_name": "R. Chen",
    "therapist_role": "psychologist",
}


def test_a_prescriber_creates_the_course_and_plan_from_the_cleared_screening(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _cleared(db, cast, clock, client)
    response = _post(client, f"{_base(cast)}/plan", PLAN)
    assert response.status_code == 303
    plan = db.scalar(select(TreatmentPlan))
    assert plan is not None and plan.version == 1 and plan.next_mg_per_kg == 0.5
    page = client.get(f"{_base(cast)}/plan")
    assert "Current plan — version 1" in page.text and "32 mg" in page.text
    assert "Loading schedule (6 sessions)" in page.text
    chart = client.get(_base(cast))
    assert "plan: loading" in chart.text and "v1 created" in chart.text


def test_a_dose_above_the_routes_range_is_refused_and_no_course_is_left_behind(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _cleared(db, cast, clock, client)
    response = _post(client, f"{_base(cast)}/plan", {**PLAN, "mg_per_kg": "5"})
    assert response.status_code == 422
    assert 'value="5"' in response.text and 'value="R. Chen"' in response.text
    assert "mg_per_kg" in response.text or "mg/kg" in response.text
    assert (_count(db, TreatmentCourse), _count(db, TreatmentPlan)) == (0, 0)


def test_a_missing_route_is_named_beside_the_route(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _cleared(db, cast, clock, client)
    response = _post(client, f"{_base(cast)}/plan", {**PLAN, "route": ""})
    assert response.status_code == 422
    assert 'id="route-error"' in response.text
    assert _count(db, TreatmentCourse) == 0


def test_a_plan_cannot_be_created_before_the_screening_is_cleared(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _screened(db, cast, clock)
    sign_in(client, "prescriber@a.example")
    assert "not cleared for treatment" in client.get(f"{_base(cast)}/plan").text
    response = _post(client, f"{_base(cast)}/plan", PLAN)
    assert response.status_code == 422
    assert "is not cleared for treatment" in response.text
    assert _count(db, TreatmentCourse) == 0


def test_a_nurse_cannot_create_a_plan(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _cleared(db, cast, clock, client)
    client.post("/signout", data={"csrf_token": csrf_from(client.get("/").text)})
    sign_in(client, "nurse@a.example")
    assert _post(client, f"{_base(cast)}/plan", PLAN).status_code == 403
    assert _count(db, TreatmentCourse) == 0


def _planned(db, cast, clock, client) -> None:  # type: ignore[no-untyped-def]
    _cleared(db, cast, clock, client)
    assert _post(client, f"{_base(cast)}/plan", PLAN).status_code == 303


def test_adjusting_after_a_session_makes_a_new_version_with_the_reason(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    page = client.get(f"{_base(cast)}/plan")
    assert 'name="o0.dose" type="text" value="0.5"' in page.text
    response = _post(
        client,
        f"{_base(cast)}/plan/adjust",
        {
            "rows": "1",
            "o0.improvement_pct": "10",
            "o0.dose": "0.5",
            "o0.tolerated": "on",
            "reason": "little change after session 1",
        },
    )
    assert response.status_code == 303
    plans = db.scalars(select(TreatmentPlan).order_by(TreatmentPlan.version)).all()
    assert [p.version for p in plans] == [1, 2] and plans[
        1
    ].reason == "little change after session 1"
    assert "little change after session 1" in client.get(f"{_base(cast)}/plan").text


def test_an_adjustment_without_the_improvement_is_named_beside_it(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    response = _post(
        client,
        f"{_base(cast)}/plan/adjust",
        {"rows": "1", "o0.improvement_pct": "", "o0.dose": "0.5", "reason": "kept"},
    )
    assert response.status_code == 422
    assert 'id="o0.improvement_pct-error"' in response.text and ">kept</textarea>" in response.text
    assert _count(db, TreatmentPlan) == 1


def test_stopping_needs_a_reason_then_stops_the_plan(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    refused = _post(client, f"{_base(cast)}/plan/stop", {"stop_reason": ""})
    assert refused.status_code == 422 and 'id="stop_reason-error"' in refused.text
    assert _count(db, TreatmentPlan) == 1
    assert (
        _post(client, f"{_base(cast)}/plan/stop", {"stop_reason": "patient moved away"}).status_code
        == 303
    )
    latest = db.scalar(select(TreatmentPlan).order_by(TreatmentPlan.version.desc()))
    assert latest.status.value == "stopped" and latest.reason == "patient moved away"


def test_consent_recorded_by_staff_is_current_and_can_be_withdrawn(client, cast, db, clock) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    refused = _post(client, f"{_base(cast)}/plan/consent", {"consent_text_version": "99"})
    assert refused.status_code == 422 and 'id="consent_text_version-error"' in refused.text
    assert 'value="99"' in refused.text
    assert _count(db, Consent) == 0
    assert (
        _post(client, f"{_base(cast)}/plan/consent", {"consent_text_version": ""}).status_code
        == 303
    )
    page = client.get(f"{_base(cast)}/plan")
    assert ">current</span>" in page.text
    consent = db.scalar(select(Consent))
    url = f"{_base(cast)}/plan/consent/{consent.id}/withdraw"
    assert _post(client, url, {"withdraw_reason": "changed mind"}).status_code == 303
    assert ">withdrawn</span>" in client.get(f"{_base(cast)}/plan").text


def test_an_integration_session_in_the_future_is_refused_beside_the_date(
    client, cast, db, clock
) -> None:  # type: ignore[no-untyped-def]
    _planned(db, cast, clock, client)
    url = f"{_base(cast)}/plan/integration-sessions"
    refused = _post(client, url, {"held_on": "2026-04-01", "facilitator": "R. Chen"})
    assert refused.status_code == 422 and 'id="held_on-error"' in refused.text
    assert 'value="R. Chen"' in refused.text
    assert _count(db, IntegrationSession) == 0
    assert (
        _post(client, url, {"held_on": "2026-03-01", "facilitator": "R. Chen"}).status_code == 303
    )
    assert _count(db, IntegrationSession) == 1
