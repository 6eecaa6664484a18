"""The staff page of check-ins and messages (/check-ins) without JavaScript: one clinic's
check-ins and outbox only; Retry of a failed message posts and comes back with 303; a refused
retry comes back with 422, the error beside the row, and changes nothing; patients are kept out."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, CheckIn, Job, JobStatus
from ketacare.domain.check_ins import PlannedKind
from ketacare.services import check_in_links, check_ins
from ketacare.services.clock import FixedClock
from ketacare.web.templating import STAFF_NAV
from tests.web.test_bad_input import csrf_from
from tests.web.test_pages_foundation import sign_in

GAD7_MODERATE = [2, 2, 2, 1, 1, 1, 1]  # 10: moderate
PHQ9_ITEM9 = [1, 1, 1, 1, 0, 0, 0, 0, 1]  # 5 (mild), item 9 = 1: urgent


def _request(db: Session, cast, clock: FixedClock, user, patient) -> CheckIn:  # type: ignore[no-untyped-def]
    row = check_ins.request_check_in(
        session=db, actor=cast.actor(user), clock=clock, patient_id=patient.id
    )
    db.commit()
    return row


def _job(db: Session, row: CheckIn, status: JobStatus, error: str = "") -> Job:
    job = db.scalar(select(Job).where(Job.idempotency_key == f"check-in:{row.key}"))
    assert job is not None
    job.status, job.attempts, job.last_error = status, 6, error
    if status is JobStatus.SENT:
        job.sent_at = row.due_at
    db.commit()
    return job


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_from(client.get("/check-ins").text)


def test_the_page_lists_only_the_own_clinics_check_ins_and_messages(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    mine = _request(db, cast, clock, cast.nurse_a, cast.patient_a)
    theirs = _request(db, cast, clock, cast.nurse_b, cast.patient_b)
    _job(db, theirs, JobStatus.FAILED, "SMTPServerDisconnected: clinic B relay")
    sign_in(client, "nurse@a.example")
    page = client.get("/check-ins")
    assert page.status_code == 200
    html = page.text
    assert "Alice Anders" in html
    assert "Bella Brandt" not in html
    assert "clinic B relay" not in html
    assert "/check-ins/jobs/" not in html  # clinic A has no failed message to retry
    assert "On request" in html and "GAD-7, PHQ-9" in html
    assert "Awaiting answer" in html  # requested now, so already due
    assert html.count('class="jobs-row-pending"') == 2  # the link and its reminder
    assert mine.id != theirs.id
    assert ("/check-ins", "Check-ins") in STAFF_NAV
    assert '<a href="/check-ins" aria-current="page">Check-ins</a>' in html


def test_an_answered_check_in_shows_its_scores_with_bands_and_the_urgent_marker(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = _request(db, cast, clock, cast.nurse_a, cast.patient_a)
    token, _ = check_in_links.issue_link(session=db, clock=clock, check_in=row, purpose="manual")
    check_in_links.answer_check_in(
        session=db, clock=clock, token=token, answers={"gad7": GAD7_MODERATE, "phq9": PHQ9_ITEM9}
    )
    db.commit()
    sign_in(client, "nurse@a.example")
    html = client.get("/check-ins?status=answered").text
    assert "URGENT" in html
    assert re.search(r"GAD-7 <strong>10</strong> · moderate", html)
    assert re.search(r"PHQ-9 <strong>5</strong> · mild", html)
    assert "jobs-row-urgent" in html
    assert "No check-ins with status cancelled" in client.get("/check-ins?status=cancelled").text


def test_retrying_a_failed_message_queues_it_again_due_now_and_is_audited(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = _request(db, cast, clock, cast.nurse_a, cast.patient_a)
    job = _job(db, row, JobStatus.FAILED, "ConnectionRefusedError: [Errno 111]")
    clock.advance(minutes=45)
    sign_in(client, "nurse@a.example")
    html = client.get("/check-ins").text
    assert "ConnectionRefusedError" in html
    assert '<span class="badge danger">1 failed</span>' in html
    assert f'action="/check-ins/jobs/{job.id}/retry"' in html
    response = client.post(
        f"/check-ins/jobs/{job.id}/retry",
        data={"csrf_token": csrf_from(html)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/check-ins?done=retried"
    db.refresh(job)
    assert job.status is JobStatus.PENDING
    assert job.attempts == 0
    assert job.due_at == clock.now()
    assert job.locked_by is None and job.locked_until is None
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "jobs.retry")).all()
    assert event.object_id == str(job.id) and event.patient_id == cast.patient_a.id
    assert event.detail["attempts"] == 6
    assert "Message queued again" in client.get("/check-ins?done=retried").text


def test_retrying_a_sent_message_is_refused_beside_it_and_changes_nothing(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = _request(db, cast, clock, cast.nurse_a, cast.patient_a)
    job = _job(db, row, JobStatus.SENT)
    before = (job.status, job.attempts, job.due_at, job.sent_at)
    sign_in(client, "nurse@a.example")
    response = client.post(
        f"/check-ins/jobs/{job.id}/retry",
        data={"csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert (
        f'id="job-{job.id}-error" role="alert">'
        "only a failed message can be retried; this one is sent" in response.text
    )
    db.refresh(job)
    assert (job.status, job.attempts, job.due_at, job.sent_at) == before
    assert not db.scalars(
        select(AuditEvent).where(AuditEvent.action == "jobs.retry", AuditEvent.outcome == "allowed")
    ).all()


def test_a_nurse_of_another_clinic_cannot_retry_the_message_and_it_stays_failed(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = _request(db, cast, clock, cast.nurse_a, cast.patient_a)
    job = _job(db, row, JobStatus.FAILED, "boom")
    sign_in(client, "nurse@b.example")
    response = client.post(
        f"/check-ins/jobs/{job.id}/retry",
        data={"csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 404
    db.refresh(job)
    assert job.status is JobStatus.FAILED and job.attempts == 6


def test_a_patient_is_kept_out_of_the_page_and_its_actions(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = _request(db, cast, clock, cast.nurse_a, cast.patient_a)
    job = _job(db, row, JobStatus.FAILED, "boom")
    sign_in(client, "alice@a.example")
    assert client.get("/check-ins").status_code == 403
    token = csrf_from(client.get("/my").text)
    retry = client.post(
        f"/check-ins/jobs/{job.id}/retry", data={"csrf_token": token}, follow_redirects=False
    )
    assert retry.status_code in (403, 404)
    ask = client.post(
        "/check-ins/request",
        data={"csrf_token": token, "patient_id": str(cast.patient_a.id)},
        follow_redirects=False,
    )
    assert ask.status_code == 403
    db.refresh(job)
    assert job.status is JobStatus.FAILED
    assert db.scalars(select(CheckIn)).all() == [row]


def test_send_a_check_in_now_creates_an_on_request_check_in_and_its_jobs(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    response = client.post(
        "/check-ins/request",
        data={"csrf_token": _csrf(client), "patient_id": str(cast.patient_a.id)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/check-ins?done=requested"
    (row,) = db.scalars(select(CheckIn).where(CheckIn.patient_id == cast.patient_a.id)).all()
    assert row.kind is PlannedKind.ON_REQUEST and row.due_at == clock.now()
    keys = {j.idempotency_key for j in db.scalars(select(Job)).all()}
    assert {f"check-in:{row.key}", f"check-in-reminder:{row.key}"} <= keys
    assert row.reason == "requested by nurse@a.example"


def test_send_now_for_a_patient_without_email_is_refused_beside_the_patient_field(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    cast.other_patient_a.email = ""
    db.commit()
    sign_in(client, "nurse@a.example")
    token = _csrf(client)
    response = client.post(
        "/check-ins/request",
        data={"csrf_token": token, "patient_id": str(cast.other_patient_a.id)},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert (
        'id="patient_id-error" role="alert">the patient has no email address for check-ins'
        in response.text
    )
    assert 'aria-invalid="true"' in response.text
    empty = client.post(
        "/check-ins/request", data={"csrf_token": token, "patient_id": ""}, follow_redirects=False
    )
    assert empty.status_code == 422 and "choose the patient" in empty.text
    other_clinic = client.post(
        "/check-ins/request",
        data={"csrf_token": token, "patient_id": str(cast.patient_b.id)},
        follow_redirects=False,
    )
    assert other_clinic.status_code == 404
    assert db.scalars(select(CheckIn)).all() == []


def test_the_outbox_shows_a_retried_message_sent_later_with_no_retry_button(
    client, cast, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = _request(db, cast, clock, cast.nurse_a, cast.patient_a)
    job = _job(db, row, JobStatus.SENT)
    job.outcome = "check-in link; accepted by 127.0.0.1:1025"
    job.sent_at = clock.now() + timedelta(minutes=1)
    db.commit()
    sign_in(client, "nurse@a.example")
    html = client.get("/check-ins").text
    assert f'<tr class="jobs-row-sent" id="job-{job.id}">' in html
    assert f"/check-ins/jobs/{job.id}/retry" not in html
    assert '<span class="badge">0 failed</span>' in html
