"""Whether an open booster recommendation has been answered by a session booked some other way.

Staff may book the booster from the schedule (or the sessions API) instead of the queue's
"Book". Such a booking does not write a decision on the recommendation, so it is read here:

- A recommendation is **answered** by a session of its course that was booked (`created_at`)
  at or after the recommendation opened, and that is still to happen or was given: status
  scheduled or in clinic (checked in … recovery), or a dose was started (`dose_start_at`; a
  session stopped after the dose started was given). A session booked earlier never counts.
- A cancelled or no-show session, or one stopped before any dose, answers nothing: the
  recommendation is back in the queue as it was.
- Sessions booked without a course (route only) do not count: the booster rules read only the
  course's sessions, so a course-less session would not restart the booster window.

The queue leaves answered recommendations out, and refuses to book or dismiss one. Once the
answering session has been given, the next re-assessment closes the recommendation as resolved
("booked outside the queue (session N)"); while it is only booked, the recommendation stays
open (hidden), so a cancellation brings it back without anything being written.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ketacare.db.models import BoosterRecommendation, TreatmentSession
from ketacare.domain.session_flow import IN_CLINIC, SessionStatus
from ketacare.services.session_booking_checks import NOT_GIVEN

# Booked and not yet over: the session may still give the booster.
PENDING = frozenset({SessionStatus.SCHEDULED, *IN_CLINIC})


def was_given(row: TreatmentSession) -> bool:
    """A dose was started in the session (it was given, even if stopped afterwards)."""
    return row.dose_start_at is not None and row.status not in NOT_GIVEN


def answering_sessions(
    session: Session, recommendations: Sequence[BoosterRecommendation]
) -> dict[int, TreatmentSession]:
    """For each answered recommendation (by id), the session answering it: the first one given
    if any was, else the first one booked. One query for all of them."""
    if not recommendations:
        return {}
    rows = session.scalars(
        select(TreatmentSession)
        .where(
            TreatmentSession.course_id.in_({r.course_id for r in recommendations}),
            TreatmentSession.created_at >= min(r.opened_at for r in recommendations),
            TreatmentSession.status.not_in(NOT_GIVEN),
            or_(
                TreatmentSession.status.in_(PENDING),
                TreatmentSession.dose_start_at.is_not(None),
            ),
        )
        .order_by(TreatmentSession.created_at, TreatmentSession.id)
    ).all()
    answered = {}
    for rec in recommendations:
        mine = [r for r in rows if r.course_id == rec.course_id and r.created_at >= rec.opened_at]
        given = [r for r in mine if was_given(r)]
        if given or mine:
            answered[rec.id] = (given or mine)[0]
    return answered


def answering_session(
    session: Session, recommendation: BoosterRecommendation
) -> TreatmentSession | None:
    """The session answering this recommendation, if one does (see the module docstring)."""
    return answering_sessions(session, [recommendation]).get(recommendation.id)
