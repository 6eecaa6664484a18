"""A patient's check-in preferences through the services and the worker: versions are kept,
opting out stops check-in emails but not session reminders, the sending window moves a job's due
time, the worker holds an email until the window opens, and an URGENT alert stays open.

The clinic's time zone is America/New_York (UTC−5 in early March 2026); the test clock starts on
Monday 2 March 2026 at 14:00 UTC = 09:00 local."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.db.models import (
    AuditEvent,
    CheckIn,
    CheckInPreference,
    CheckInStatus,
    Job,
    JobStatus,
    SymptomSource,
)
from ketacare.domain.check_ins import PlannedKind
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.services import check_in_preferences as prefs
from ketacare.services import check_ins, symptom_scores
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from tests.services.check_in_support import Inbox, inbox, mail_settings, make_worker, smtp
from tests.services.session_support import book, chairs

__all__ = ["inbox", "mail_settings", "smtp"]  # fixtures used below
NY = ZoneInfo("America/New_York")
PHQ9_ITEM9 = [1, 1, 1, 1, 0, 0, 0, 0, 1]  # item 9 = 1: the URGENT alert


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall time in the clinic's zone on March `day`, 2026, as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=NY).astimezone(UTC)


def set_prefs(db: Session, cast, clock: FixedClock, actor_user=None, **values):  # type: ignore[no-untyped-def]
    values.setdefault("opted_out", False)
    values.setdefault("earliest_hour", None)
    values.setdefault("latest_hour", None)
    values.setdefault("reason", "patient asked on the phone")
    return prefs.set_preferences(
        session=db,
        actor=cast.actor(actor_user or cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        **values,
    )


def job(db: Session, key: str) -> Job:
    found = db.scalar(select(Job).where(Job.idempotency_key == key))
    assert found is not None, key
    db.refresh(found)
    return found


def planner(cast) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.system("check-in planner", cast.clinic_a.id)


# --- versions -------------------------------------------------------------------------------


def test_every_change_is_a_new_version_with_who_when_and_why(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    first = set_prefs(db, cast, clock, earliest_hour=9, latest_hour=19, reason="works nights")
    clock.advance(hours=1)
    second = set_prefs(db, cast, clock, cast.patient_user_a, opted_out=True, reason="")
    view = prefs.read_preferences(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    assert [r.version for r in view.history] == [2, 1]
    assert view.current is second.row and view.preferences.opted_out
    assert view.preferences.window is None
    v1, v2 = view.history[1], view.history[0]
    assert (v1.earliest_hour, v1.latest_hour, v1.reason, v1.set_by_role) == (
        9,
        19,
        "works nights",
        "staff",
    )
    assert v1.set_by_user_id == cast.nurse_a.id and first.changed
    assert (v2.reason, v2.set_by_role, v2.set_by_user_id) == (
        "changed by the patient",
        "patient",
        cast.patient_user_a.id,
    )
    assert v2.created_at == v1.created_at + timedelta(hours=1)
    assert view.timezone == "America/New_York"


def test_saving_the_same_values_again_writes_no_new_version(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    set_prefs(db, cast, clock, earliest_hour=9, latest_hour=19)
    again = set_prefs(db, cast, clock, earliest_hour=9, latest_hour=19, reason="same again")
    assert not again.changed and again.row.version == 1
    assert db.scalar(select(func.count()).select_from(CheckInPreference)) == 1


def test_a_preference_row_cannot_be_changed_or_deleted(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = set_prefs(db, cast, clock, opted_out=True).row
    db.commit()
    for statement in (
        f"UPDATE check_in_preferences SET opted_out = false WHERE id = {row.id}",
        f"DELETE FROM check_in_preferences WHERE id = {row.id}",
    ):
        with pytest.raises(DBAPIError), db.begin_nested():
            db.execute(text(statement))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"earliest_hour": 9, "latest_hour": 24}, "latest_hour"),
        ({"earliest_hour": -1, "latest_hour": 19}, "earliest_hour"),
        ({"earliest_hour": 19, "latest_hour": 9}, "latest_hour"),
        ({"earliest_hour": 9, "latest_hour": None}, "latest_hour"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
    ],
)
def test_a_refused_change_names_the_field_and_writes_nothing(
    db: Session, cast, clock: FixedClock, values, field: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as refused:
        set_prefs(db, cast, clock, **values)
    assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(CheckInPreference)) == 0


def test_another_clinics_staff_and_another_patient_get_not_found(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        set_prefs(db, cast, clock, cast.nurse_b, opted_out=True)
    with pytest.raises(NotFound):
        prefs.read_preferences(
            session=db,
            actor=cast.actor(cast.patient_user_a),
            clock=clock,
            patient_id=cast.other_patient_a.id,
        )
    denied = db.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert {"check_in_preferences.write", "check_in_preferences.read"} <= set(denied)


def test_reads_and_writes_are_audited(db: Session, cast, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    set_prefs(db, cast, clock, earliest_hour=8, latest_hour=20, reason="school run")
    prefs.read_preferences(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.startswith("check_in_preferences."))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "check_in_preferences.write",
        "check_in_preferences.read",
    ]
    assert events[0].detail["window"] == [8, 20]
    assert events[0].detail["reason"] == "school run"
    assert events[0].patient_id == cast.patient_a.id


# --- opting out -----------------------------------------------------------------------------


def test_opting_out_stops_check_in_emails_but_not_the_session_reminder(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    chair = chairs(db, cast.clinic_a)[0]
    start = clock.now() + timedelta(days=1, hours=1)
    visit = book(
        db, cast.actor(cast.nurse_a), clock, cast.patient_a.id, chair, cast.nurse_a.id, start=start
    )
    scheduled = check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    (before,) = scheduled.check_ins
    assert before.kind is PlannedKind.BEFORE_SESSION
    change = set_prefs(db, cast, clock, opted_out=True, reason="does not want emails")
    invite = job(db, f"check-in:{before.key}")
    reminder = job(db, f"check-in-reminder:{before.key}")
    assert {invite.status, reminder.status} == {JobStatus.SKIPPED}
    assert "opted out" in invite.outcome
    assert sorted(change.skipped_jobs) == sorted([invite.id, reminder.id])
    db.refresh(before)
    assert before.status is CheckInStatus.CANCELLED
    session_reminder = job(db, f"session-reminder:{visit.id}:2026-03-03T15:00Z")
    assert session_reminder.status is JobStatus.PENDING
    db.commit()
    clock.advance(hours=1)  # the session reminder is due (24 h before the session)
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    (message,) = inbox.to("alice@example.org")
    assert message["Subject"].startswith("Reminder: your session on")


def test_while_opted_out_the_planner_records_check_ins_as_cancelled_and_queues_no_email(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    set_prefs(db, cast, clock, opted_out=True)
    chair = chairs(db, cast.clinic_a)[0]
    start = clock.now() + timedelta(days=1, hours=1)
    visit = book(
        db, cast.actor(cast.nurse_a), clock, cast.patient_a.id, chair, cast.nurse_a.id, start=start
    )
    scheduled = check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    (before,) = scheduled.check_ins
    assert before.status is CheckInStatus.CANCELLED
    assert "opted out" in before.reason
    assert [j.idempotency_key for j in scheduled.jobs] == [
        f"session-reminder:{visit.id}:2026-03-03T15:00Z"
    ]
    # Opting back in does not revive it: the key exists, so nothing is queued for it.
    set_prefs(db, cast, clock, opted_out=False)
    again = check_ins.schedule_check_ins(
        session=db, actor=planner(cast), clock=clock, patient_id=cast.patient_a.id
    )
    assert again.jobs == [] and again.check_ins == []


def test_opting_out_after_the_invitation_went_out_keeps_its_link_and_drops_the_reminder(
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
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    assert len(inbox.messages) == 1
    set_prefs(db, cast, clock, cast.patient_user_a, opted_out=True)
    db.commit()
    db.refresh(row)
    assert row.status is CheckInStatus.PENDING  # the link in the email still works
    assert job(db, f"check-in-reminder:{row.key}").status is JobStatus.SKIPPED
    clock.advance(days=3)
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    assert len(inbox.messages) == 1


def test_the_worker_skips_a_check_in_email_when_the_patient_opted_out_since(
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
    # A version written without the service (as by a concurrent planner that lost the race):
    # the worker's own check at send time is what stops the email.
    db.add(
        CheckInPreference(
            clinic_id=cast.clinic_a.id,
            patient_id=cast.patient_a.id,
            version=1,
            opted_out=True,
            reason="test",
            set_by_label="test",
            set_by_role="staff",
            created_at=clock.now(),
        )
    )
    db.commit()
    make_worker(session_factory, mail_settings, clock, "w1").run_once()
    assert inbox.messages == []
    invite = job(db, f"check-in:{row.key}")
    assert invite.status is JobStatus.SKIPPED and "opted out" in invite.outcome
    db.refresh(row)
    assert row.status is CheckInStatus.CANCELLED


def test_staff_cannot_request_a_check_in_from_an_opted_out_patient(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    set_prefs(db, cast, clock, opted_out=True)
    with pytest.raises(Conflict) as refused:
        check_ins.request_check_in(
            session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
        )
    assert refused.value.field == "opted_out"
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_opting_out_never_closes_an_urgent_alert_already_raised(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    recorded = symptom_scores.record_symptom_score(
        session=db,
        actor=cast.actor(cast.patient_user_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        instrument="phq9",
        answers=PHQ9_ITEM9,
        source=SymptomSource.CHECK_IN,
    )
    assert recorded.urgent
    set_prefs(db, cast, clock, cast.patient_user_a, opted_out=True)
    open_alerts = symptom_scores.patient_alerts(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    assert [a.level.value for a in open_alerts] == ["urgent"]


# --- the sending window ---------------------------------------------------------------------


def test_the_window_moves_a_check_in_emails_due_time_to_its_next_opening(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    set_prefs(db, cast, clock, earliest_hour=9, latest_hour=19)
    row = check_ins.request_check_in(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        due_at=at(2, 20),  # 20:00 local: after the window closes
    )
    assert row.due_at == at(2, 20)  # the check-in keeps its planned time…
    assert job(db, f"check-in:{row.key}").due_at == at(3, 9)  # …its email waits for 09:00
    # The reminder (2 days after 20:00 on the 2nd) also waits for the morning of the 5th.
    assert job(db, f"check-in-reminder:{row.key}").due_at == at(5, 9)


def test_a_planned_check_in_inside_the_window_keeps_its_time(db: Session, cast, clock) -> None:  # type: ignore[no-untyped-def]
    set_prefs(db, cast, clock, earliest_hour=9, latest_hour=19)
    row = check_ins.request_check_in(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        due_at=at(2, 18, 59),
    )
    assert job(db, f"check-in:{row.key}").due_at == at(2, 18, 59)


def test_setting_a_window_moves_the_pending_emails_already_queued(
    db: Session, cast, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    row = check_ins.request_check_in(
        session=db,
        actor=cast.actor(cast.nurse_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        due_at=at(3, 6),
    )
    invite = job(db, f"check-in:{row.key}")
    assert invite.due_at == at(3, 6)
    change = set_prefs(db, cast, clock, cast.patient_user_a, earliest_hour=8, latest_hour=21)
    assert job(db, f"check-in:{row.key}").due_at == at(3, 8)
    assert invite.id in change.moved_jobs


def test_the_worker_holds_an_email_due_while_the_window_is_closed_until_it_opens(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
) -> None:  # type: ignore[no-untyped-def]
    row = check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )  # due now, 09:00 local
    clock.advance(hours=2)  # 11:00 local: the worker has not run yet
    set_prefs(db, cast, clock, cast.patient_user_a, earliest_hour=7, latest_hour=10)
    db.commit()
    worker = make_worker(session_factory, mail_settings, clock, "w1")
    assert worker.run_once() == 0
    assert inbox.messages == []
    invite = job(db, f"check-in:{row.key}")
    assert (invite.status, invite.due_at, invite.attempts) == (JobStatus.PENDING, at(3, 7), 0)
    assert "held until" in invite.outcome
    clock.advance(hours=19, minutes=59)  # 06:59 local on the 3rd: still closed
    assert worker.run_once() == 0
    clock.advance(minutes=1)  # 07:00: the window opens
    assert worker.run_once() == 1
    (message,) = inbox.to("alice@example.org")
    assert "check-in" in message["Subject"].lower()
