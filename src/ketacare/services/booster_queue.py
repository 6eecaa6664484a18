"""The booster recommendation queue: scores into a clinician's decision.

Recommendations are opened, re-assessed and resolved by the system after each GAD-7 or PHQ-9
score (`booster_reassess`). Here: the clinic's queue of open recommendations (`care_queue`, one
item with its free slots: `queue_item`), and the clinicians' decisions that close one — booking
it (one of the next free slots, through `session_booking.book_session`) or dismissing it with a
reason (prescribers). A session booked for the course some other way (the schedule) answers a
recommendation: it leaves the queue (see `booster_answered`). Every row is append-only: the
newest `BoosterReason` is the current reason, one `BoosterDecision` closes a recommendation.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.memo import remember, watch
from ketacare.db.models import (
    BoosterDecision,
    BoosterDecisionKind,
    BoosterReason,
    BoosterRecommendation,
    Patient,
    Role,
)
from ketacare.domain.errors import Conflict, InvalidInput, NotFound
from ketacare.services import access, audit, session_booking, session_slots
from ketacare.services.actors import Actor
from ketacare.services.booster_answered import answering_session, answering_sessions
from ketacare.services.care_data import clinic_zone, local_day
from ketacare.services.clock import Clock
from ketacare.services.session_slots import FreeSlot
from ketacare.services.symptom_scores import STAFF

PRESCRIBERS = frozenset({Role.PRESCRIBER})
SYSTEM_LABEL = "system (booster re-assessment)"


def open_recommendation(session: Session, patient_id: int) -> BoosterRecommendation | None:
    """The patient's open recommendation: undecided and not answered by a session booked
    outside the queue (`booster_answered`; a cancelled one no longer answers it)."""
    rec = undecided_recommendation(session, patient_id)
    if rec is None or answering_session(session, rec) is not None:
        return None
    return rec


def undecided_recommendation(session: Session, patient_id: int) -> BoosterRecommendation | None:
    """The patient's recommendation with no decision yet (at most one). Read once per
    transaction (`ketacare.db.memo`): recommendations and decisions are append-only, and adding
    either drops the memo."""
    return remember(
        session,
        ("open_booster", patient_id),
        lambda: session.scalar(
            select(BoosterRecommendation)
            .where(
                BoosterRecommendation.patient_id == patient_id,
                BoosterRecommendation.id.not_in(select(BoosterDecision.recommendation_id)),
            )
            .order_by(BoosterRecommendation.id.desc())
            .limit(1)
        ),
    )


watch(BoosterRecommendation, "open_booster")
watch(BoosterDecision, "open_booster")


def current_reason(session: Session, recommendation_id: int) -> BoosterReason:
    reason = session.scalar(
        select(BoosterReason)
        .where(BoosterReason.recommendation_id == recommendation_id)
        .order_by(BoosterReason.id.desc())
        .limit(1)
    )
    assert reason is not None  # a recommendation is opened with its first reason
    return reason


def current_reasons(
    session: Session, recommendation_ids: Sequence[int]
) -> dict[int, BoosterReason]:
    """`current_reason` of each recommendation, in one query."""
    if not recommendation_ids:
        return {}
    newest = (
        select(func.max(BoosterReason.id))
        .where(BoosterReason.recommendation_id.in_(recommendation_ids))
        .group_by(BoosterReason.recommendation_id)
    )
    rows = session.scalars(select(BoosterReason).where(BoosterReason.id.in_(newest)))
    return {r.recommendation_id: r for r in rows}


@dataclass(frozen=True)
class QueueItem:
    """An open recommendation with its current reason, the patient, and where it can be booked
    (`slots`), or why it cannot be booked now (`booking_blocked`). `slots_loaded` is False when
    the free slots were not looked up (asked for a part of the queue only)."""

    recommendation: BoosterRecommendation
    reason: BoosterReason
    patient: Patient
    slots: tuple[FreeSlot, ...]
    booking_blocked: str | None
    slots_loaded: bool = True


def care_queue(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    with_slots: bool = True,
    slot_count: int = 3,
    slots_for: int | None = None,
    slots_also: Collection[int] = (),
) -> list[QueueItem]:
    """The clinic's open booster recommendations, the window closing soonest first (staff).

    Looking up free slots is the costly part (one search of the schedule per recommendation):
    with `slots_for=n` they are looked up only for the first n items, and for the
    recommendations named in `slots_also`; the others come with `slots_loaded=False` (get them
    one by one with `queue_item`). Answered recommendations (`booster_answered`) are left out.
    """
    access.require_role(
        session=session, actor=actor, clock=clock, roles=STAFF, action="care_queue.read"
    )
    recs = session.scalars(
        select(BoosterRecommendation)
        .where(
            BoosterRecommendation.clinic_id == actor.clinic_id,
            BoosterRecommendation.id.not_in(select(BoosterDecision.recommendation_id)),
        )
        .order_by(BoosterRecommendation.opened_at, BoosterRecommendation.id)
    ).all()
    answered = answering_sessions(session, recs)
    recs = [r for r in recs if r.id not in answered]
    reasons = current_reasons(session, [r.id for r in recs])
    people = {
        p.id: p
        for p in session.scalars(
            select(Patient).where(Patient.id.in_({r.patient_id for r in recs}))
        )
    }
    recs.sort(
        key=lambda r: (reasons[r.id].window_latest is None, reasons[r.id].window_latest, r.id)
    )
    items = []
    for n, rec in enumerate(recs):
        reason = reasons[rec.id]
        wanted = with_slots and (slots_for is None or n < slots_for or rec.id in slots_also)
        slots, blocked = (
            _slots(session, actor, clock, rec, reason, slot_count) if wanted else ((), None)
        )
        items.append(QueueItem(rec, reason, people[rec.patient_id], slots, blocked, wanted))
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="care_queue.read",
        object_type="booster_recommendation",
        detail={"open": len(items)},
    )
    return items


def queue_item(
    *, session: Session, actor: Actor, clock: Clock, recommendation_id: int, slot_count: int = 3
) -> QueueItem:
    """One open recommendation of the queue with its next free slots (staff): NotFound outside
    the clinic, Conflict once closed or answered by a session booked outside the queue."""
    rec = _load(session, actor, clock, recommendation_id, "care_queue.read_item", STAFF)
    reason = current_reason(session, rec.id)
    patient = session.get(Patient, rec.patient_id)
    assert patient is not None
    slots, blocked = _slots(session, actor, clock, rec, reason, slot_count)
    return QueueItem(rec, reason, patient, slots, blocked)


def _slots(
    session: Session,
    actor: Actor,
    clock: Clock,
    rec: BoosterRecommendation,
    reason: BoosterReason,
    count: int,
) -> tuple[tuple[FreeSlot, ...], str | None]:
    after = None
    if reason.window_earliest is not None:
        zone = clinic_zone(session, rec.clinic_id)
        after = datetime.combine(reason.window_earliest, time(0), zone)
    try:
        found = session_slots.free_slots(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=rec.patient_id,
            course_id=rec.course_id,
            after=after,
            count=count,
        )
    except (Conflict, InvalidInput, NotFound) as error:
        return (), error.message
    if not found:
        return (), "no free chair and nurse in the next 28 days"
    return tuple(found), None


def _load(
    session: Session, actor: Actor, clock: Clock, recommendation_id: int, action: str,
    roles: frozenset[Role],
) -> BoosterRecommendation:  # fmt: skip
    rec = session.get(BoosterRecommendation, recommendation_id)
    access.patient_for(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=rec.patient_id if rec is not None else -1,
        action=action,
        roles=roles,
        object_type="booster_recommendation",
        object_id=recommendation_id,
    )
    assert rec is not None
    decided = session.scalar(
        select(BoosterDecision).where(BoosterDecision.recommendation_id == rec.id)
    )
    if decided is not None:
        raise Conflict(
            f"booster recommendation {rec.id} is already closed ({decided.kind.value} on "
            f"{decided.at:%Y-%m-%d %H:%M} UTC)"
        )
    answer = answering_session(session, rec)
    if answer is not None:
        raise Conflict(
            f"booster recommendation {rec.id} was booked outside the queue (session "
            f"{answer.id} on {answer.scheduled_start:%Y-%m-%d %H:%M} UTC)"
        )
    return rec


def book_recommendation(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    recommendation_id: int,
    start: datetime,
    chair_id: int,
    nurse_user_id: int,
) -> BoosterDecision:
    """Book the booster (staff): a session in the recommendation's course through
    `session_booking.book_session` (every booking rule applies); the recommendation is closed
    as BOOKED with the session's id."""
    rec = _load(session, actor, clock, recommendation_id, "booster.book", STAFF)
    booked = session_booking.book_session(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=rec.patient_id,
        start=start,
        chair_id=chair_id,
        nurse_user_id=nurse_user_id,
        course_id=rec.course_id,
    )
    reason = current_reason(session, rec.id)
    zone = clinic_zone(session, rec.clinic_id)
    note = f"booster booked for {start.astimezone(zone):%Y-%m-%d %H:%M} (session {booked.id})"
    if reason.window_latest is not None and local_day(start, zone) > reason.window_latest:
        note += f", after the window closed on {reason.window_latest}"
    return record_decision(
        session, actor, clock, rec, BoosterDecisionKind.BOOKED, note, session_id=booked.id
    )


def dismiss_recommendation(
    *, session: Session, actor: Actor, clock: Clock, recommendation_id: int, reason: str
) -> BoosterDecision:
    """Decide against the booster, saying why (prescribers: it is a clinical decision)."""
    rec = _load(session, actor, clock, recommendation_id, "booster.dismiss", PRESCRIBERS)
    if not reason.strip():
        raise InvalidInput("say why the booster is not needed", field="reason")
    return record_decision(
        session, actor, clock, rec, BoosterDecisionKind.DISMISSED, reason.strip()
    )


def record_decision(
    session: Session,
    actor: Actor,
    clock: Clock,
    rec: BoosterRecommendation,
    kind: BoosterDecisionKind,
    reason: str,
    *,
    session_id: int | None = None,
    system: bool = False,
) -> BoosterDecision:
    decision = BoosterDecision(
        recommendation_id=rec.id,
        kind=kind,
        reason=reason,
        session_id=session_id,
        at=clock.now(),
        user_id=None if system else actor.user_id,
        actor_label=SYSTEM_LABEL if system else actor.label,
    )
    session.add(decision)
    session.flush()
    audit_recommendation(
        session, actor, clock, rec, f"booster.{kind.value}", {"session_id": session_id}
    )
    return decision


def audit_recommendation(
    session: Session,
    actor: Actor,
    clock: Clock,
    rec: BoosterRecommendation,
    action: str,
    detail: dict[str, object],
) -> None:
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action=action,
        patient_id=rec.patient_id,
        object_type="booster_recommendation",
        object_id=rec.id,
        detail=dict(detail),
    )
