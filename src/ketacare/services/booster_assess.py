"""Booster assessment: give the core's maintenance rules the patient's stored data.

For a course whose plan has reached maintenance, for GAD-7 and PHQ-9 each:
`domain.maintenance.booster_due(instrument, post_loading, recent, today)` where
- `post_loading` is the latest score taken when the plan entered maintenance (the core's
  complete_loading step), or the first one after it when none was taken before;
- `recent` are the scores after it — and after the latest maintenance session given, so a
  booster already given restarts the window rather than leaving it overdue.
Then `maintenance_safety.tolerance` over the benefit per session (a score before and after each
dosed session, paired within PAIR_HOURS) and `maintenance_safety.overuse` over the maintenance
sessions given (IV doses as mg/kg; other routes' doses count as unknown, since the core has no
IV-equivalent conversion yet). Nothing is decided here; the core's findings are kept whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    BoosterReason,
    BoosterRecommendation,
    DoseAdministration,
    SymptomScore,
    TreatmentCourse,
    TreatmentSession,
)
from ketacare.db.models.course import PlanStatus
from ketacare.domain.findings import Finding
from ketacare.domain.instruments import GAD7, PHQ9, Instrument
from ketacare.domain.maintenance import BoosterAssessment, booster_due
from ketacare.domain.maintenance_safety import (
    DosedSession,
    OveruseAssessment,
    SessionBenefit,
    ToleranceAssessment,
    overuse,
    tolerance,
)
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import Route
from ketacare.services.care_data import (
    course_series,
    given_sessions,
    local_day,
    maintenance_began,
    measurement,
)
from ketacare.services.courses import current_plan

BOOSTER_INSTRUMENTS: tuple[Instrument, ...] = (GAD7, PHQ9)
# How far from a dose a score may be to count as that session's "before" or "after" score for
# the tolerance rule (data pairing, not a clinical threshold: the rule's limits are policy).
PAIR_HOURS = 72


@dataclass(frozen=True)
class InstrumentCheck:
    """The core's booster assessment on one instrument and the stored scores it read."""

    instrument: Instrument
    assessment: BoosterAssessment
    post_loading: SymptomScore
    recent: tuple[SymptomScore, ...]

    def evidence(self) -> dict[str, object]:
        def entry(row: SymptomScore) -> dict[str, object]:
            return {"score_id": row.id, "total": row.total, "taken_at": row.taken_at.isoformat()}

        return {"post_loading": entry(self.post_loading), "recent": [entry(r) for r in self.recent]}


@dataclass(frozen=True)
class BoosterCheck:
    checks: tuple[InstrumentCheck, ...]
    tolerance: ToleranceAssessment | None
    overuse: OveruseAssessment

    @property
    def due(self) -> bool:
        return any(c.assessment.due for c in self.checks)

    @property
    def lead(self) -> InstrumentCheck:
        """The due check whose window closes first (the most pressing), else the first."""
        due = [c for c in self.checks if c.assessment.due]
        if not due:
            return self.checks[0]
        return min(due, key=lambda c: (c.assessment.latest, c.instrument.code))

    @property
    def findings(self) -> tuple[Finding, ...]:
        found = [f for c in self.checks for f in c.assessment.findings]
        if self.tolerance is not None:
            found += self.tolerance.findings
        return (*found, *self.overuse.findings)


def assess(
    session: Session,
    course: TreatmentCourse,
    policy: ClinicPolicy,
    zone: ZoneInfo,
    now: datetime,
) -> BoosterCheck | None:
    """Run the maintenance rules for the course, or None when they do not apply (no plan, plan
    stopped, maintenance not reached, or no GAD-7/PHQ-9 score to compare)."""
    plan = current_plan(session=session, course_id=course.id)
    if plan is None or plan.status is PlanStatus.STOPPED:
        return None
    began = maintenance_began(session, course.id)
    if began is None:
        return None
    given = given_sessions(session, course.id)
    maintenance = [s for s in given if s.dose_start_at is not None and s.dose_start_at > began]
    since = max([began] + [s.dose_start_at for s in maintenance if s.dose_start_at is not None])
    today = local_day(now, zone)
    checks = []
    series = {}
    for tool in BOOSTER_INSTRUMENTS:
        series[tool.code] = course_series(session, course.patient_id, tool.code, course, zone)
        check = _check(tool, series[tool.code], course, began, since, today, zone, policy)
        if check is not None:
            checks.append(check)
    if not checks:
        return None
    lead_tool = checks[0].instrument
    # The lead's series as read above (nothing is written in between).
    benefits = session_benefits(series[lead_tool.code], given, zone)
    tolerance_check = (
        tolerance(lead_tool, benefits, policy=policy.maintenance) if benefits else None
    )
    overuse_check = overuse(
        dosed_sessions(session, maintenance, zone), today, policy=policy.maintenance
    )
    return BoosterCheck(tuple(checks), tolerance_check, overuse_check)


def _check(
    tool: Instrument,
    rows: Sequence[SymptomScore],
    course: TreatmentCourse,
    began: datetime,
    since: datetime,
    today: date,
    zone: ZoneInfo,
    policy: ClinicPolicy,
) -> InstrumentCheck | None:
    # The pre-course baseline is never the post-loading level: loading has to have happened.
    in_course = [r for r in rows if local_day(r.taken_at, zone) >= course.starts_on]
    before = [r for r in in_course if r.taken_at <= began]
    after = [r for r in in_course if r.taken_at > began]
    post = before[-1] if before else (after[0] if after else None)
    if post is None:
        return None
    recent = tuple(r for r in in_course if r.taken_at > post.taken_at and r.taken_at > since)
    assessment = booster_due(
        tool,
        measurement(post, zone),
        [measurement(r, zone) for r in recent],
        today,
        policy=policy.maintenance,
    )
    return InstrumentCheck(tool, assessment, post, recent)


def session_benefits(
    rows: Sequence[SymptomScore], given: Sequence[TreatmentSession], zone: ZoneInfo
) -> list[SessionBenefit]:
    """Each dosed session with a score in the PAIR_HOURS before its dose and one in the
    PAIR_HOURS after (and before the next dose): the core's SessionBenefit."""
    window = timedelta(hours=PAIR_HOURS)
    benefits = []
    starts = [s.dose_start_at for s in given if s.dose_start_at is not None]
    for i, start in enumerate(starts):
        until = min([start + window, *starts[i + 1 : i + 2]])
        since = max([start - window, *starts[max(i - 1, 0) : i]])
        pre = [r for r in rows if since < r.taken_at <= start]
        post = [r for r in rows if start < r.taken_at <= until]
        if pre and post:
            benefits.append(
                SessionBenefit(local_day(start, zone), pre[-1].total, post[0].total, i + 1)
            )
    return benefits


def dosed_sessions(
    session: Session, sessions: Sequence[TreatmentSession], zone: ZoneInfo
) -> list[DosedSession]:
    """Maintenance sessions for the overuse guard, with an IV dose in mg/kg where known."""
    ids = [s.id for s in sessions]
    doses = {
        d.session_id: d
        for d in session.scalars(
            select(DoseAdministration).where(DoseAdministration.session_id.in_(ids))
        )
    }
    out = []
    for s in sessions:
        assert s.dose_start_at is not None
        out.append(DosedSession(local_day(s.dose_start_at, zone), _iv_mg_per_kg(doses.get(s.id))))
    return out


def _iv_mg_per_kg(dose: DoseAdministration | None) -> float | None:
    if dose is None or dose.route is not Route.IV:
        return None
    if dose.dose_mg_per_kg is not None:
        return dose.dose_mg_per_kg
    if dose.weight_kg:
        return dose.dose_mg / dose.weight_kg
    return None


def reason_row(
    rec: BoosterRecommendation,
    check: BoosterCheck,
    score_id: int | None,
    version: int,
    now: datetime,
) -> BoosterReason:
    """The stored reason of one assessment of an open recommendation (the lead instrument's
    numbers, the flags, every finding whole, the scores read, the policy version)."""
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
        assessed_at=now,
    )
