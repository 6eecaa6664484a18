"""In a real Chromium: a nurse opens the check-ins page, sees the clinic's check-ins (one
answered with its scores) and the messages outbox, and retries the message that failed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ketacare.db.models import Clinic, Job, JobStatus, User
from ketacare.services import check_in_links, check_ins, patients
from ketacare.services.actors import Actor
from ketacare.services.demo import DEMO_SLUG, DEMO_STAFF
from tests.browser.conftest import shoot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.browser
NURSE = DEMO_STAFF[2]  # nurse.lee@harbor.example
GAD7_MODERATE = [2, 2, 2, 1, 1, 1, 1]  # 10
PHQ9_MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # 6, item 9 = 0


def _seed(live_db, live_clock) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Three patients asked for a check-in: one answered, one whose email went out, one whose
    email failed for good. Returns (the failed job's id, the family-name suffix)."""
    suffix = f"{live_clock.now():%H%M%S}"
    with live_db() as session:
        clinic = session.scalar(select(Clinic).where(Clinic.slug == DEMO_SLUG))
        nurse_user = session.scalar(select(User).where(User.email == NURSE.email))
        assert clinic is not None and nurse_user is not None
        nurse = Actor.for_user(nurse_user)
        rows = []
        for given, family in (("Nora", "Answered"), ("Theo", "Sent"), ("Iris", "Failed")):
            patient = patients.register_patient(
                session=session,
                actor=nurse,
                clock=live_clock,
                registration=patients.Registration(
                    given_name=given,
                    family_name=f"{family}{suffix}",
                    date_of_birth=date(1984, 2, 9),
                    sex="female",
                    email=f"{given.lower()}.{suffix}@patient.example",
                ),
            )
            rows.append(
                check_ins.request_check_in(
                    session=session, actor=nurse, clock=live_clock, patient_id=patient.id
                )
            )
        answered, sent, failed = rows
        token, _ = check_in_links.issue_link(
            session=session, clock=live_clock, check_in=answered, purpose="manual"
        )
        check_in_links.answer_check_in(
            session=session,
            clock=live_clock,
            token=token,
            answers={"gad7": GAD7_MODERATE, "phq9": PHQ9_MILD},
        )

        def invitation(row) -> Job:  # type: ignore[no-untyped-def]
            job = session.scalar(select(Job).where(Job.idempotency_key == f"check-in:{row.key}"))
            assert job is not None
            return job

        done = invitation(sent)
        done.status, done.attempts = JobStatus.SENT, 1
        done.sent_at = live_clock.now() + timedelta(seconds=20)
        done.outcome = "check-in link; accepted by 127.0.0.1:1025"
        broken = invitation(failed)
        broken.status, broken.attempts = JobStatus.FAILED, 6
        broken.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
        session.flush()
        return broken.id, suffix


def test_the_nurse_sees_check_ins_and_the_outbox_and_retries_a_failed_message(
    desktop, live_server, live_db, live_clock, artifacts_dir
) -> None:  # type: ignore[no-untyped-def]
    job_id, suffix = _seed(live_db, live_clock)
    sign_in(desktop, live_server, NURSE.email, NURSE.password)
    desktop.wait_for_url(f"{live_server}/**")
    desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Check-ins").click()
    desktop.wait_for_url(f"{live_server}/check-ins")
    expect(desktop.get_by_role("heading", name="Check-ins and messages")).to_be_visible()
    answered = desktop.locator("tr", has_text=f"Nora Answered{suffix}").first
    expect(answered).to_contain_text("Answered")
    expect(answered).to_contain_text("GAD-7 10 · moderate")
    expect(answered).to_contain_text("PHQ-9 6 · mild")
    failed = desktop.locator(f"tr#job-{job_id}")
    expect(failed).to_contain_text(f"Iris Failed{suffix}")
    expect(failed).to_contain_text("Connection refused")
    shoot(desktop, "check-ins-desktop", artifacts_dir)

    failed.get_by_role("button", name="Retry").click()
    desktop.wait_for_url(f"{live_server}/check-ins?done=retried")
    expect(desktop.get_by_role("status")).to_contain_text("Message queued again")
    expect(desktop.locator(f"tr#job-{job_id}")).to_contain_text("Pending")
    expect(desktop.locator(f"tr#job-{job_id}").get_by_role("button", name="Retry")).to_have_count(0)
    with live_db() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status is JobStatus.PENDING and job.attempts == 0
