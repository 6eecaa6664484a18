"""The signed-in patient's own pages: care at a glance, sessions, progress, check-in, what to
expect — only their own data, never staff pages, and a check-in that refuses gaps and shows
crisis resources at once."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from ketacare.charts.progress import ProgressSeries, progress_svg
from ketacare.db.models import (
    Intake,
    Location,
    PatientAlert,
    SymptomScore,
    SymptomSource,
)
from ketacare.domain.findings import Severity
from ketacare.domain.policy import ClinicPolicy
from ketacare.services import session_booking, symptom_scores
from ketacare.services.policy import change_policy
from tests.factories.courses import bookable_course
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in

GAD7_ITEMS, PHQ9_ITEMS = 7, 9


def _score(db, cast, clock, patient, instrument, answers, days_ago):  # type: ignore[no-untyped-def]
    return symptom_scores.record_symptom_score(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=patient.id,
        instrument=instrument,
        answers=answers,
        source=SymptomSource.INTAKE if days_ago > 20 else SymptomSource.CLINIC,
        taken_at=clock.now() - timedelta(days=days_ago),
    )


def _book(db, cast, clock, patient, *, hours_ahead, chair_index=0):  # type: ignore[no-untyped-def]
    chairs = db.scalars(
        select(Location.id).where(Location.clinic_id == cast.clinic_a.id).order_by(Location.id)
    ).all()
    return session_booking.book_session(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=patient.id,
        start=clock.now() + timedelta(hours=hours_ahead),
        chair_id=chairs[chair_index],
        nurse_user_id=cast.nurse_a.id,
        course_id=bookable_course(db, clock=clock, patient_id=patient.id, questionnaires=False).id,
    )


def _answers(gad7: list[int], phq9: list[int]) -> dict[str, str]:
    data = {f"gad7_{n}": str(v) for n, v in enumerate(gad7, start=1)}
    data.update({f"phq9_{n}": str(v) for n, v in enumerate(phq9, start=1)})
    return data


def _post_check_in(client, data):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/my/check-in").text)
    return client.post("/my/check-in", data={**data, "csrf_token": token}, follow_redirects=False)


def _alice(client, db, cast, clock):  # type: ignore[no-untyped-def]
    """Alice with a baseline (GAD-7 16, PHQ-9 13), one score since and a session tomorrow."""
    _score(db, cast, clock, cast.patient_a, "gad7", [3, 3, 2, 2, 2, 2, 2], days_ago=30)
    _score(db, cast, clock, cast.patient_a, "phq9", [2, 2, 2, 2, 1, 1, 2, 1, 0], 30)
    _score(db, cast, clock, cast.patient_a, "gad7", [2, 2, 1, 1, 1, 1, 1], days_ago=7)
    _book(db, cast, clock, cast.patient_a, hours_ahead=20)
    db.commit()
    sign_in(client, cast.patient_user_a.email)


def _count_scores(db, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(
        select(func.count()).select_from(SymptomScore).where(SymptomScore.patient_id == patient_id)
    )


def test_the_start_page_sends_a_signed_in_patient_to_their_own_care(
    client, db, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    start = client.get("/", follow_redirects=False)
    assert start.status_code == 303
    assert start.headers["location"] == "/my"
    page = client.get("/my")
    assert page.status_code == 200
    assert "Hello, Alice" in page.text
    assert 'href="/my/progress"' in page.text and 'href="/my/check-in"' in page.text


def test_my_care_shows_the_next_session_with_reminders_read_from_the_clinic_policy(
    client, db, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    policy = ClinicPolicy()
    page = client.get("/my").text
    assert "Clinic A" in page
    assert f"nothing to eat for {policy.vitals.racemic_fast_food_h:g} hours" in page
    assert f"nothing to drink for {policy.vitals.racemic_fast_liquids_min} minutes" in page
    assert "Bring an adult to take you home" in page
    assert "No driving until tomorrow" in page
    change_policy(
        session=db,
        actor=cast.actor(cast.admin_a),
        clock=clock,
        overrides={"vitals.racemic_fast_food_h": 4.0},
        reason="clinic asks a longer fast",
    )
    db.commit()
    assert "nothing to eat for 4 hours" in client.get("/my").text
    assert "nothing to eat for 4 hours" in client.get("/my/sessions").text


def test_a_patient_sees_only_their_own_sessions_and_scores(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _score(db, cast, clock, cast.other_patient_a, "gad7", [3, 3, 3, 3, 3, 3, 2], days_ago=2)
    other = _book(db, cast, clock, cast.other_patient_a, hours_ahead=50, chair_index=1)
    _alice(client, db, cast, clock)
    sessions = client.get("/my/sessions").text
    assert other.scheduled_start.day == 4
    assert "Tuesday 3 March" in sessions  # Alice's own session
    assert "Wednesday 4 March" not in sessions  # Olga's session is not Alice's
    progress = client.get("/my/progress").text
    assert "<strong>20</strong>" not in progress  # Olga's GAD-7 total
    assert "<strong>9</strong>" in progress  # Alice's latest GAD-7


def test_a_patient_cannot_open_staff_pages(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    for path in ("/patients", "/schedule", "/admin/audit", f"/patients/{cast.patient_a.id}"):
        assert client.get(path).status_code in (403, 404), path


def test_staff_are_refused_the_patient_pages(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.nurse_a.email)
    assert client.get("/my").status_code == 403
    assert client.get("/my/check-in").status_code == 403


def test_the_check_in_refuses_a_missing_answer_beside_its_question_and_stores_nothing(
    client, db, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    before = _count_scores(db, cast.patient_a.id)
    data = _answers([1] * GAD7_ITEMS, [1] * PHQ9_ITEMS)
    del data["gad7_3"]
    data["phq9_2"] = "2"
    response = _post_check_in(client, data)
    assert response.status_code == 422
    question = response.text.split('id="q-gad7_3"')[1].split("</fieldset>")[0]
    assert "Please choose one answer for this question." in question
    assert re.search(r'class="question invalid" id="q-gad7_3"\s+aria-invalid="true"', response.text)
    kept = response.text.split('id="q-phq9_2"')[1].split("</fieldset>")[0]
    assert re.search(r'value="2"\s+checked', kept)
    assert not re.search(r'value="1"\s+checked', kept)
    assert "Nothing has been saved yet" in response.text
    db.expire_all()
    assert _count_scores(db, cast.patient_a.id) == before


def test_an_unknown_answer_is_refused_like_a_missing_one(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    data = _answers([1] * GAD7_ITEMS, [1] * PHQ9_ITEMS)
    data["phq9_4"] = "7"
    response = _post_check_in(client, data)
    assert response.status_code == 422
    assert (
        "Please choose one answer"
        in response.text.split('id="q-phq9_4"')[1].split("</fieldset>")[0]
    )


def test_item_9_at_one_shows_crisis_resources_in_the_same_response_and_alerts_the_clinic(
    client, db, cast, clock
) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    phq9 = [1] * 8 + [1]
    response = _post_check_in(client, _answers([1] * GAD7_ITEMS, phq9))
    assert response.status_code == 200
    assert html.escape(ClinicPolicy().outcomes.crisis_resources_text, quote=False) in response.text
    assert 'href="tel:988"' in response.text
    assert response.text.index("crisis-heading") < response.text.index("your chart moved")
    db.expire_all()
    alerts = db.scalars(
        select(PatientAlert).where(PatientAlert.patient_id == cast.patient_a.id)
    ).all()
    assert [a.level for a in alerts] == [Severity.URGENT]


def test_a_check_in_without_item_9_shows_no_crisis_panel(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    response = _post_check_in(client, _answers([0] * GAD7_ITEMS, [0] * PHQ9_ITEMS))
    assert response.status_code == 303
    done = client.get(response.headers["location"])
    assert "crisis-heading" not in done.text


def test_a_completed_check_in_moves_the_chart(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    before = client.get("/my/progress").text
    assert before.count('class="score-what"') == 3
    response = _post_check_in(client, _answers([1, 1, 0, 0, 0, 0, 1], [0] * PHQ9_ITEMS))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/my/check-in/done?scores=")
    done = client.get(response.headers["location"]).text
    assert "your chart moved" in done
    assert 'data-instrument="gad7">3</strong>' in done
    assert "<svg" in done
    after = client.get("/my/progress").text
    assert after.count('class="score-what"') == 5
    assert "went from 16 at the start to 3" in after
    db.expire_all()
    latest = db.scalars(
        select(SymptomScore)
        .where(SymptomScore.patient_id == cast.patient_a.id)
        .order_by(SymptomScore.id.desc())
    ).first()
    assert latest.source is SymptomSource.CHECK_IN
    assert latest.recorded_by_user_id == cast.patient_user_a.id


def test_the_check_in_adds_the_pcl5_when_the_intake_lists_ptsd(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    assert "PCL-5" not in client.get("/my/check-in").text
    # The booking's course came from a screened intake: this one is the next version.
    versions = db.scalars(select(Intake.version).where(Intake.patient_id == cast.patient_a.id))
    db.add(
        Intake(
            patient_id=cast.patient_a.id,
            version=max(versions, default=0) + 1,
            recorded_at=clock.now(),
            recorded_by_user_id=cast.nurse_a.id,
            data={"diagnoses": ["ptsd"], "ptsd_suspected": True},
        )
    )
    db.commit()
    page = client.get("/my/check-in").text
    assert "PCL-5" in page and 'name="pcl5_20"' in page


def test_what_to_expect_reads_the_route_shape_and_cites_sources(client, db, cast, clock) -> None:  # type: ignore[no-untyped-def]
    _alice(client, db, cast, clock)
    dosing = ClinicPolicy().dosing
    page = client.get("/my/what-to-expect").text
    assert "Your treatment: IV infusion" in page
    assert f"about {dosing.iv_infusion_minutes} minutes for the dose" in page
    assert f"at least {dosing.iv_min_observation_minutes} minutes of rest" in page
    assert "until the next day" in page
    assert "https://fda.report/DailyMed" in page


def test_what_to_expect_describes_every_route_when_none_is_set(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.patient_user_a.email)
    page = client.get("/my/what-to-expect").text
    assert "Esketamine nasal spray" in page and "IV infusion" in page
    assert "No session is booked yet" in client.get("/my").text
    assert "No anxiety score yet" in client.get("/my").text


def test_the_progress_chart_is_an_accessible_svg_with_the_new_point_ringed(clock) -> None:  # type: ignore[no-untyped-def]
    day = clock.now()
    points = [(day - timedelta(days=14), 16), (day, 8)]
    plain = progress_svg([ProgressSeries("GAD-7", points, 8.0, 5)], session_days=[day])
    ringed = progress_svg([ProgressSeries("GAD-7", points, 8.0, 5, highlight=[day])])
    assert plain.startswith("<svg") and 'role="img"' in plain
    assert 'aria-label="Your scores over time"' in plain
    assert ringed != plain
