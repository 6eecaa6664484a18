"""The booster recommendation queue: scores into a clinician's decision.

After each GAD-7 or PHQ-9 score (a listener registered at import), `reassess` runs the core's
maintenance rules (`booster_assess.assess`). When a booster is due a recommendation is opened —
one open per patient — and every later assessment adds a `BoosterReason` row (the newest is
the current reason; nothing is updated). When a later score shows it is no longer due, the
recommendation is closed as RESOLVED with the core's sentence as the reason. No recommendation
is opened while the patient already has a session booked ahead (that session is the next chance
to treat). Clinicians close a recommendation by booking it (one of the next free slots, through
`session_booking.book_session`) or by dismissing it with a reason (prescribers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.locks import get_locked
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
from ketacare.domain.maintenance import BOOSTER_NOT_DUE
from ketacare.services import access, audit, session_booking
from ketacare.services.actors import Actor
from ketacare.services.booster_assess import BOOSTER_INSTRUMENTS, BoosterCheck, assess
from ketacare.services.care_data import clinic_zone, current_course, local_day, upcoming_session
from ketacare.services.clock import Clock
from ketacare.services.policy import current_policy
from ketacare.services.session_booking import FreeSlot
from ketacare.services.symptom_scores import STAFF, RecordedSymptomScore, on_score_recorded

PRESCRIBERS = frozenset({Role.PRESCRIBER})
SYSTEM_LABEL = "system (booster re-assessment)"


def reassess(
    *, session: Session, actor: Actor, clock: Clock, patient_id: int, score_id: int | None = None
) -> BoosterRecommendation | None:
    """Re-run the booster rules for the patient; return the open recommendation, if any.

    Internal: runs inside the unit of work of a recorded (or struck) score, whose service
    checked access. The patient row is locked so two scores cannot open two recommendations.
    """
    patient = get_locked(session, Patient, patient_id)
    course = current_course(session, patient_id) if patient is not None else None
    if patient is None or course is None:
        return None
    policy, version = current_policy(session=session, clinic_id=patient.clinic_id)
    zone = clinic_zone(session, patient.clinic_id)
    check = assess(session, course, policy, zone, clock.now())
    rec = open_recommendation(session, patient_id)
    if check is None or not check.due:
        if rec is not None:
            _resolve(session, actor, clock, rec, check, score_id, version)
        return None
    if rec is None:
        if upcoming_session(session, patient_id, clock.now()) is not None:
            return None
        rec = BoosterRecommendation(
            clinic_id=patient.clinic_id,
            patient_id=patient.id,
            course_id=course.id,
            opened_by_score_id=score_id,
            opened_at=clock.now(),
        )
        session.add(rec)
        session.flush()
        _audit(session, actor, clock, rec, "booster.open", {"score_id": score_id})
    reason = _reason(rec, check, score_id, version, clock)
    session.add(reason)
    session.flush()
    _audit(session, actor, clock, rec, "booster.assess", {"reason_id": reason.id, "due": True})
    return rec


def _reason(
    rec: BoosterRecommendation,
    check: BoosterCheck,
    score_id: int | None,
    version: int,
    clock: Clock,
) -> BoosterReason:
    lead = check.lead
    a = lead.assessment
    return BoosterReason(
        recommendation_id=rec.id,
        symptom_score_id=score_id,
        due=a.due,
        instrument=lead.instrument.code,
        post_loading_score=lead.post_loading.total,
        trigger_score=a.trigger.score if a.trigger else None,
        latest_score=lead.recent[-1].total if lead.recent else lead.post_loading.total,
        window_earliest=a.earliest,
        window_latest=a.latest,
        overdue=a.overdue,
        tolerance_flag=bool(check.tolerance and check.tolerance.detected),
        overuse_flag=check.overuse.exceeded,
        findings=[f.as_dict() for f in check.findings],
        evidence={c.instrument.code: c.evidence() for c in check.checks},
        policy_version=version,
        assessed_at=clock.now(),
    )


def _resolve(
    session: Session,
    actor: Actor,
    clock: Clock,
    rec: BoosterRecommendation,
    check: BoosterCheck | None,
    score_id: int | None,
    version: int,
) -> None:
    if check is not None:
        session.add(_reason(rec, check, score_id, version, clock))
        sentences = [f.message for f in check.findings if f.rule_id == BOOSTER_NOT_DUE.id] or [
            "the booster rules find no booster due"
        ]
        why = " ".join(sentences)
    else:
        why = "the course is no longer in maintenance (plan stopped or changed)"
    _decide(session, actor, clock, rec, BoosterDecisionKind.RESOLVED, why, system=True)


def open_recommendation(session: Session, patient_id: int) -> BoosterRecommendation | None:
    """The patient's open recommendation. Read once per transaction (`ketacare.db.memo`):
    recommendations and decisions are append-only, and adding either drops the memo."""
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


watch(BoosterRecommendation)
watch(BoosterDecision)


def current_reason(session: Session, recommendation_id: int) -> BoosterReason:
    reason = session.scalar(
        select(BoosterReason)
        .where(BoosterReason.recommendation_id == recommendation_id)
        .order_by(BoosterReason.id.desc())
        .limit(1)
    )
    assert reason is not None  # a recommendation is opened with its first reason
    return reason


@dataclass(frozen=True)
class QueueItem:
    """An open recommendation with its current reason, the patient, and where it can be booked
    (`slots`), or why it cannot be booked now (`booking_blocked`)."""

    recommendation: BoosterRecommendation
    reason: BoosterReason
    patient: Patient
    slots: tuple[FreeSlot, ...]
    booking_blocked: str | None


def care_queue(
    *, session: Session, actor: Actor, clock: Clock, with_slots: bool = True, slot_count: int = 3
) -> list[QueueItem]:
    """The clinic's open booster recommendations, the window closing soonest first (staff)."""
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
    items = []
    for rec in recs:
        patient = session.get(Patient, rec.patient_id)
        assert patient is not None
        reason = current_reason(session, rec.id)
        slots: tuple[FreeSlot, ...] = ()
        blocked = None
        if with_slots:
            slots, blocked = _slots(session, actor, clock, rec, reason, slot_count)
        items.append(QueueItem(rec, reason, patient, slots, blocked))
    items.sort(
        key=lambda i: (i.reason.window_latest is None, i.reason.window_latest, i.recommendation.id)
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="care_queue.read",
        object_type="booster_recommendation",
        detail={"open": len(items)},
    )
    return items


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
        found = session_booking.free_slots(
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
    return _decide(
        session, actor, clock, rec, BoosterDecisionKind.BOOKED, note, session_id=booked.id
    )


def dismiss_recommendation(
    *, session: Session, actor: Actor, clock: Clock, recommendation_id: int, reason: str
) -> BoosterDecision:
    """Decide against the booster, saying why (prescribers: it is a clinical decision)."""
    rec = _load(session, actor, clock, recommendation_id, "booster.dismiss", PRESCRIBERS)
    if not reason.strip():
        raise InvalidInput("say why the booster is not needed", field="reason")
    return _decide(session, actor, clock, rec, BoosterDecisionKind.DISMISSED, reason.strip())


def _decide(
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
    _audit(session, actor, clock, rec, f"booster.{kind.value}", {"session_id": session_id})
    return decision


def _audit(
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


def _on_score(session: Session, actor: Actor, clock: Clock, recorded: RecordedSymptomScore) -> None:
    if recorded.score.instrument not in {t.code for t in BOOSTER_INSTRUMENTS}:
        return
    reassess(
        session=session,
        actor=actor,
        clock=clock,
        patient_id=recorded.score.patient_id,
        score_id=recorded.score.id,
    )


on_score_recorded(_on_score)
