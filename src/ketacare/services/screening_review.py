"""A prescriber's review of a screening, and the second prescriber's co-signature of an override.

Decisions allowed per verdict are in `ALLOWED`; clear, decline and override need a written
reason; an override counts only once a different prescriber co-signs it. Nurses: Forbidden.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ketacare.db.models import ScreeningCosignature, ScreeningReview
from ketacare.db.models.audit import AuditOutcome
from ketacare.db.models.screening import ReviewDecision
from ketacare.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ketacare.domain.screening import Verdict
from ketacare.services import audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.screening import PRESCRIBERS, ScreeningView, load_screening, view_of

ALLOWED: dict[Verdict, frozenset[ReviewDecision]] = {
    Verdict.ELIGIBLE: frozenset({ReviewDecision.ACCEPT}),
    Verdict.NEEDS_REVIEW: frozenset({ReviewDecision.CLEAR, ReviewDecision.DECLINE}),
    Verdict.NOT_ELIGIBLE: frozenset({ReviewDecision.ACCEPT, ReviewDecision.OVERRIDE}),
}
NEEDS_REASON = frozenset({ReviewDecision.CLEAR, ReviewDecision.DECLINE, ReviewDecision.OVERRIDE})


def review_screening(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    screening_id: int,
    decision: ReviewDecision,
    reason: str = "",
) -> ScreeningView:
    """A prescriber's review of the patient's latest screening (nurses: Forbidden, audited)."""
    screening = load_screening(session, actor, clock, screening_id, "screening.review", PRESCRIBERS)
    view = view_of(session, screening)
    if not view.is_current:
        raise Conflict("a newer screening exists for this patient; review that one")
    if view.status != "awaiting_review":
        raise Conflict(f"this screening has been reviewed already ({view.status})")
    if decision not in ALLOWED[screening.verdict]:
        allowed = ", ".join(sorted(d.value for d in ALLOWED[screening.verdict]))
        raise InvalidInput(
            f"a {screening.verdict.value} verdict can be: {allowed}; not {decision.value}",
            field="decision",
        )
    if decision in NEEDS_REASON and not reason.strip():
        raise InvalidInput(
            f"a written reason is required to {decision.value} this verdict", field="reason"
        )
    review = ScreeningReview(
        screening_id=screening.id,
        decision=decision,
        reason=reason.strip(),
        reviewer_user_id=actor.user_id,
        reviewed_at=clock.now(),
    )
    session.add(review)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="screening.review",
        patient_id=screening.patient_id,
        object_type="screening_review",
        object_id=review.id,
        detail={"decision": decision.value, "verdict": screening.verdict.value},
    )
    return view_of(session, screening)


def cosign_override(
    *, session: Session, actor: Actor, clock: Clock, review_id: int, note: str = ""
) -> ScreeningView:
    """A second prescriber co-signs an override; only then does the override clear the verdict."""
    review = session.get(ScreeningReview, review_id)
    screening_id = review.screening_id if review else -1
    if review is None:
        raise NotFound(f"screening review {review_id} was not found")
    screening = load_screening(session, actor, clock, screening_id, "screening.cosign", PRESCRIBERS)
    view = view_of(session, screening)
    if review.decision is not ReviewDecision.OVERRIDE:
        raise Conflict("only an override needs a co-signature")
    if review.id in view.cosignatures:
        raise Conflict("this override has been co-signed already")
    if not view.is_current or view.reviews[-1].id != review.id:
        raise Conflict("this override is no longer the current review")
    if review.reviewer_user_id == actor.user_id:
        audit.record(
            session=session,
            actor=actor,
            clock=clock,
            action="screening.cosign",
            outcome=AuditOutcome.DENIED,
            patient_id=screening.patient_id,
            object_type="screening_review",
            object_id=review.id,
            detail={"reason": "co-signer is the overriding prescriber"},
        )
        raise Forbidden(
            "the co-signature must come from a second prescriber, not the one who overrode"
        )
    cosig = ScreeningCosignature(
        review_id=review.id,
        cosigner_user_id=actor.user_id,
        note=note.strip(),
        cosigned_at=clock.now(),
    )
    session.add(cosig)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="screening.cosign",
        patient_id=screening.patient_id,
        object_type="screening_review",
        object_id=review.id,
    )
    return view_of(session, screening)
