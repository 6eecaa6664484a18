"""The per-transaction memo (`ketacare.db.memo`) never shows a stale or rolled-back row.

Exercised through the real readers that use it (the clinic's policy, a course's plan) and the
real writers that add the rows they depend on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event
from sqlalchemy.orm import Session

from ketacare.services import courses, policy
from tests.factories.courses import screened_course

HOLD = "vitals.predose_hold_systolic_mmhg"


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    """The SQL statements the session's connection runs inside the block."""
    seen: list[str] = []
    connection = db.connection()

    def note(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        seen.append(sql)

    event.listen(connection, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", note)


def _change(db: Session, cast, clock, systolic: int) -> None:  # type: ignore[no-untyped-def]
    policy.change_policy(
        session=db,
        actor=cast.actor(cast.admin_a),
        clock=clock,
        overrides={HOLD: systolic},
        reason="anaesthesia lead's protocol",
    )


def _hold(db: Session, cast) -> int:  # type: ignore[no-untyped-def]
    current, _ = policy.current_policy(session=db, clinic_id=cast.clinic_a.id)
    return int(current.vitals.predose_hold_systolic_mmhg)


def test_a_repeated_read_in_one_transaction_queries_the_database_once(db, cast):
    _hold(db, cast)
    with statements(db) as seen:
        for _ in range(5):
            _hold(db, cast)
    assert seen == []


def test_a_policy_version_added_in_the_same_unit_of_work_is_seen_at_once(db, cast, clock):
    assert _hold(db, cast) != 150
    _change(db, cast, clock, 150)
    assert _hold(db, cast) == 150


def test_a_version_added_inside_a_rolled_back_savepoint_is_forgotten(db, cast, clock):
    before = _hold(db, cast)
    savepoint = db.begin_nested()
    _change(db, cast, clock, 150)
    assert _hold(db, cast) == 150
    savepoint.rollback()
    assert _hold(db, cast) == before


def test_a_released_savepoint_empties_the_memo_so_the_next_read_queries_again(db, cast, clock):
    _hold(db, cast)
    savepoint = db.begin_nested()
    savepoint.commit()
    with statements(db) as seen:
        _hold(db, cast)
    assert len(seen) == 1


def _course(db: Session, cast, clock):  # type: ignore[no-untyped-def]
    return screened_course(
        db,
        actor=cast.actor(cast.prescriber_a),
        clock=clock,
        patient_id=cast.patient_a.id,
        prescriber_id=cast.prescriber_a.id,
        starts_on=date(2026, 3, 2),
    )


def test_a_new_plan_version_is_the_current_plan_at_once(db, cast, clock):
    course = _course(db, cast, clock)
    assert courses.current_plan(session=db, course_id=course.id) is None
    plan = courses.create_plan(
        session=db, actor=cast.actor(cast.prescriber_a), clock=clock, course_id=course.id
    )
    assert courses.current_plan(session=db, course_id=course.id) is plan


def test_adding_a_plan_keeps_the_policy_remembered_and_forgets_the_plan(db, cast, clock):
    course = _course(db, cast, clock)
    _hold(db, cast)
    courses.current_plan(session=db, course_id=course.id)
    courses.create_plan(
        session=db, actor=cast.actor(cast.prescriber_a), clock=clock, course_id=course.id
    )
    db.flush()
    with statements(db) as seen:
        _hold(db, cast)
        assert seen == []
        courses.current_plan(session=db, course_id=course.id)
        assert len(seen) == 1
