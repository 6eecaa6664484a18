"""Check-ins end to end through the services and the worker, with a real SMTP server on
loopback and a simulated clock: scheduling, links, single use, expiry, reminders, restarts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.db.models import CheckIn, CheckInStatus, Job, JobStatus, SymptomScore
from ketacare.db.uow import unit_of_work
from ketacare.domain.check_ins import PlannedKind
from ketacare.services import check_in_links, check_ins, jobs
from ketacare.services.actors import Actor
from ketacare.services.check_in_links import LinkNotFound, LinkProblem, LinkRefused
from ketacare.services.clock import FixedClock
from tests.services.check_in_support import Inbox, inbox, mail_settings, make_worker, smtp
from tests.services.session_support import book, chairs

__all__ = ["inbox", "mail_settings", "smtp"]  # fixtures used below
GAD7_MILD = [1, 1, 1, 1, 1, 1, 0]  # 6: mild
PHQ9_CALM = [1, 1, 1, 0, 0, 0, 0, 0, 0]


def planner(cast) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.system("check-in planner", cast.clinic_a.id)


def test_a_requested_check_in_is_emailed_with_a_link_that_records_the_answers(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    row = check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    assert make_worker(session_factory, mail_settings, clock, "w1").run_once() == 1
    (message,) = inbox.to("alice@example.org")
    assert "check-in" in message["Subject"].lower()
    assert message["Message-ID"].startswith("<job-")
    token = inbox.token_in(message)
    answered = check_in_links.answer_check_in(
        session=db, clock=clock, token=token, answers={"gad7": GAD7_MILD, "phq9": PHQ9_CALM}
    )
    assert not answered.urgent
    scores = db.scalars(select(SymptomScore).where(SymptomScore.check_in_id == row.id)).all()
    assert sorted((s.instrument, s.total, s.band) for s in scores) == [
        ("gad7", 6, "mild"),
        ("phq9", 3, "minimal"),
    ]
    assert all(s.recorded_by_user_id is None for s in scores)
    db.refresh(row)
    assert row.status is CheckInStatus.ANSWERED


def test_the_link_token_is_not_stored_only_its_sha256(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    token = inbox.token_in(inbox.messages[0])
    from ketacare.db.models import CheckInLink

    (link,) = db.scalars(select(CheckInLink)).all()
    assert link.token_sha256 == check_in_links.digest(token) != token
    assert len(token) >= 40


def test_a_second_use_of_the_link_is_refused_as_already_answered(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    token = inbox.token_in(inbox.messages[0])
    answers = {"gad7": GAD7_MILD, "phq9": PHQ9_CALM}
    check_in_links.answer_check_in(session=db, clock=clock, token=token, answers=answers)
    with pytest.raises(LinkRefused) as refused:
        check_in_links.answer_check_in(session=db, clock=clock, token=token, answers=answers)
    assert refused.value.problem is LinkProblem.USED
    assert "already been answered" in refused.value.message
    assert db.scalar(select(func.count()).select_from(SymptomScore)) == 2


@pytest.mark.parametrize(("hours_later", "works"), [(71, True), (72, False)])
def test_a_link_works_until_its_lifetime_and_is_refused_as_expired_after(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
    hours_later: int,
    works: bool,
) -> None:  # type: ignore[no-untyped-def]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    token = inbox.token_in(inbox.messages[0])
    clock.advance(hours=hours_later)
    if works:
        check_in_links.open_link(session=db, clock=clock, token=token)
    else:
        with pytest.raises(LinkRefused) as refused:
            check_in_links.open_link(session=db, clock=clock, token=token)
        assert refused.value.problem is LinkProblem.EXPIRED


def test_an_unknown_token_is_refused_as_not_found(db: Session, clock: FixedClock) -> None:
    with pytest.raises(LinkNotFound):
        check_in_links.open_link(session=db, clock=clock, token="not-a-real-token")


def test_an_unanswered_check_in_gets_one_reminder_with_a_fresh_link_after_two_days(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    worker = make_worker(session_factory, mail_settings, clock, "w1")
    worker.run_once()
    clock.advance(days=1, hours=23)
    assert worker.run_once() == 0
    clock.advance(hours=1)
    assert worker.run_once() == 1
    first, reminder = inbox.to("alice@example.org")
    assert reminder["Subject"].startswith("Reminder")
    assert inbox.token_in(first) != inbox.token_in(reminder)
    clock.advance(days=7)
    assert worker.run_once() == 0
    assert len(inbox.messages) == 2


def test_an_answered_check_in_gets_no_reminder(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    worker = make_worker(session_factory, mail_settings, clock, "w1")
    worker.run_once()
    check_in_links.answer_check_in(
        session=db,
        clock=clock,
        token=inbox.token_in(inbox.messages[0]),
        answers={"gad7": GAD7_MILD, "phq9": PHQ9_CALM},
    )
    db.commit()
    clock.advance(days=3)
    assert worker.run_once() == 1  # the reminder job finishes as skipped
    assert len(inbox.messages) == 1
    (reminder,) = jobs.jobs_for(session=db, key_prefix="check-in-reminder:")
    assert reminder.status is JobStatus.SKIPPED


def test_booking_a_session_enqueues_the_day_before_reminder_and_the_24_hour_follow_up(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    chair = chairs(db, cast.clinic_a)[0]
    start = clock.now() + timedelta(days=1, hours=1)  # Tuesday 15:00
    visit = book(
        db, cast.actor(cast.nurse_a), clock, cast.patient_a.id, chair, cast.nurse_a.id, start=start
    )
    scheduled = check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    keys = {j.idempotency_key: j for j in scheduled.jobs}
    reminder = keys[f"session-reminder:{visit.id}:2026-03-03T15:00Z"]
    assert reminder.due_at == start - timedelta(hours=24)
    assert {c.kind for c in scheduled.check_ins} == {PlannedKind.BEFORE_SESSION}
    # Two days on, the follow-up 24 h after the session's end is in the planning window.
    clock.advance(days=2)
    later = check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    (follow_up,) = later.check_ins
    assert follow_up.kind is PlannedKind.AFTER_SESSION
    assert follow_up.due_at == visit.scheduled_end + timedelta(hours=24)
    assert {j.kind for j in later.jobs} == {"check_in", "check_in_reminder"}


def test_scheduling_again_adds_nothing(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    chair = chairs(db, cast.clinic_a)[0]
    book(
        db,
        cast.actor(cast.nurse_a),
        clock,
        cast.patient_a.id,
        chair,
        cast.nurse_a.id,
        start=clock.now() + timedelta(days=1),
    )
    first = check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    again = check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    assert first.jobs and again.jobs == [] and again.check_ins == []


def test_a_cancelled_session_gets_no_reminder_and_its_check_in_is_closed(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    from ketacare.services import session_booking

    chair = chairs(db, cast.clinic_a)[0]
    visit = book(
        db,
        cast.actor(cast.nurse_a),
        clock,
        cast.patient_a.id,
        chair,
        cast.nurse_a.id,
        start=clock.now() + timedelta(days=1, hours=1),
    )
    check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    session_booking.cancel(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        session_id=visit.id,
        reason="patient unwell",
    )
    db.commit()
    clock.advance(hours=2)
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    assert inbox.messages == []
    (before,) = db.scalars(select(CheckIn)).all()
    db.refresh(before)
    assert before.status is CheckInStatus.CANCELLED


def test_the_plan_job_schedules_every_patient_and_queues_its_next_run(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    chair = chairs(db, cast.clinic_a)[0]
    book(
        db,
        cast.actor(cast.nurse_a),
        clock,
        cast.patient_a.id,
        chair,
        cast.nurse_a.id,
        start=clock.now() + timedelta(hours=20),
    )
    db.commit()
    worker = make_worker(session_factory, mail_settings, clock, "w1")
    worker.bootstrap()
    worker.run_once()
    subjects = sorted(m["Subject"].split(" — ")[0] for m in inbox.to("alice@example.org"))
    assert subjects[0].startswith("Reminder: your session on")
    assert "Do not drive" in inbox.body(inbox.to("alice@example.org")[0]) or any(
        "Do not drive" in inbox.body(m) for m in inbox.messages
    )
    plans = jobs.jobs_for(session=db, key_prefix=f"plan:{cast.clinic_a.id}:")
    assert [p.status for p in plans] == [JobStatus.SENT, JobStatus.PENDING]
    assert plans[1].due_at == plans[0].due_at + timedelta(hours=1)


def test_a_restart_mid_schedule_loses_no_message_and_sends_none_twice(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    nurse = cast.actor(cast.nurse_a)
    for hours in (0, 1, 2, 3):
        for patient in (cast.patient_a, cast.other_patient_a):
            check_ins.request_check_in(
                session=db,
                actor=nurse,
                clock=clock,
                patient_id=patient.id,
                due_at=clock.now() + timedelta(hours=hours),
            )
    db.commit()
    first = make_worker(session_factory, mail_settings, clock, "before-restart")
    assert first.run_once() == 2
    clock.advance(hours=1)
    # The first worker claims the next batch and dies before preparing it.
    with unit_of_work(session_factory) as session:
        claimed = jobs.claim_due(session=session, clock=clock, worker="before-restart", lease_s=300)
    assert len(claimed) == 2
    second = make_worker(session_factory, mail_settings, clock, "after-restart")
    assert second.run_once() == 0  # still leased to the dead worker
    clock.advance(minutes=5)
    assert second.run_once() == 2  # the lease ran out: taken over
    clock.advance(hours=2)
    assert second.run_once() == 4
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert (
        db.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.kind == "check_in", Job.status == JobStatus.SENT)
        )
        == 8
    )


def test_a_crash_after_smtp_acceptance_resends_with_the_same_message_id(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    """The documented boundary: SMTP acceptance and the mark-sent commit are two steps."""
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    dying = make_worker(session_factory, mail_settings, clock, "dying")
    real_send = dying.send

    def send_then_die(message):  # type: ignore[no-untyped-def]
        real_send(message)
        raise SystemExit("process killed after the SMTP server accepted the message")

    dying.send = send_then_die
    with pytest.raises(SystemExit):
        dying.run_once()
    clock.advance(minutes=6)
    assert make_worker(session_factory, mail_settings, clock, "next").run_once() == 1
    first, again = inbox.messages
    assert first["Message-ID"] == again["Message-ID"]
    # Both links belong to the one check-in: whichever the patient uses, it records once.
    check_in_links.answer_check_in(
        session=db,
        clock=clock,
        token=inbox.token_in(again),
        answers={"gad7": GAD7_MILD, "phq9": PHQ9_CALM},
    )
    with pytest.raises(LinkRefused):
        check_in_links.open_link(session=db, clock=clock, token=inbox.token_in(first))
