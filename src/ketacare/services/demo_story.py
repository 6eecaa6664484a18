"""One demo patient's story, told through the real services as a generator of moments.

The story yields the moment it wants to act next; the demo's driver (`demo_history`) sets the
fixed clock to that moment and resumes it, so every record gets a plausible time and the
clinic's records interleave across patients as they would in life. A story stops when its next
moment is after the clinic's "now".

The simulation (`ketacare.simulation`) supplies the patient: covariates, the GAD-7 and PHQ-9
after each loading session, weekly check-ins afterwards, boosters, doses' side effects. The
clinical core decides everything else through the services: the screening verdict, the plan
and its dose after each session (`adjust_plan`), when loading is complete, when non-response
needs a prescriber (who stops the plan), the pre-dose gate and the discharge gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from ketacare.db.models import SymptomSource
from ketacare.db.models.course import PlanStatus
from ketacare.db.models.screening import ReviewDecision
from ketacare.domain.errors import Conflict, RuleViolation
from ketacare.domain.outcomes import percent_improvement
from ketacare.domain.plans import SessionOutcome
from ketacare.domain.routes import Route
from ketacare.domain.screening import Verdict
from ketacare.domain.session_flow import SessionStatus
from ketacare.services import consent, courses, intake, patients, screening, screening_review
from ketacare.services import session_booking as booking
from ketacare.services.demo_context import DemoContext, Slot
from ketacare.services.demo_people import answers_for, phq9_answers
from ketacare.services.demo_sessions import SessionFacts, run_session
from ketacare.services.symptom_scores import (
    acknowledge_patient_alert,
    patient_alerts,
    record_symptom_score,
)

CHECK_IN_TIME = time(19, 0)
# Scores after extension sessions (beyond the simulated loading series): a further 8% fall
# per session from the last simulated score (ASSUMED: the generator stops at the series end).
EXTENSION_STEP = 0.92


@dataclass
class Story:
    """Everything one patient's story needs, prepared before the clinic opens."""

    index: int
    stage: str  # "awaiting_review", "loading", "history"
    registration: patients.Registration
    intake: dict[str, Any]
    route: Route
    first_day: date
    registered_on: date
    scores: dict[int, tuple[int, int]]  # session number → (GAD-7, PHQ-9)
    followups: list[tuple[int, str, int, int]]  # (days after loading, kind, GAD-7, PHQ-9)
    sessions: list[SessionFacts]
    boosters: list[SessionFacts]
    withdraws_after: int | None = None  # consent withdrawn after this session
    alert_check_in: int | None = None  # the follow-up check-in with PHQ-9 item 9 = 1
    patient_id: int = 0
    outcome: str = "screened"
    notes: list[str] = field(default_factory=list)


def story(ctx: DemoContext, s: Story) -> Iterator[datetime]:
    """The patient's whole history; yields each next moment (the driver moves the clock)."""
    cal, team = ctx.calendar, ctx.team
    yield cal.at(s.registered_on, time(9, 30)) + timedelta(minutes=7 * (s.index % 40))
    nurse = team.nurses[s.index % 2]
    patient = patients.register_patient(
        session=ctx.session, actor=nurse, clock=ctx.clock, registration=s.registration
    )
    s.patient_id = patient.id
    intake.record_intake(
        session=ctx.session, actor=nurse, clock=ctx.clock, patient_id=patient.id, data=s.intake
    )
    run = screening.screen_patient(
        session=ctx.session, actor=nurse, clock=ctx.clock, patient_id=patient.id
    )
    s.outcome = "awaiting_review"
    if s.stage == "awaiting_review":
        return
    yield cal.at(s.registered_on + timedelta(days=3), time(12, 0))
    decision, reason = ReviewDecision.ACCEPT, ""
    if run.verdict is Verdict.NEEDS_REVIEW:
        decision, reason = (
            ReviewDecision.CLEAR,
            "Reviewed at the intake visit: benefit outweighs risk.",
        )
    screening_review.review_screening(
        session=ctx.session,
        actor=team.prescriber,
        clock=ctx.clock,
        screening_id=run.id,
        decision=decision,
        reason=reason,
    )
    _acknowledge_intake_alerts(ctx, s)
    s.outcome = "not_eligible"
    if run.verdict is Verdict.NOT_ELIGIBLE:
        return
    yield cal.at(s.first_day - timedelta(days=7), time(11, 0))
    yield from _loading(ctx, s)


def _loading(ctx: DemoContext, s: Story) -> Iterator[datetime]:
    team = ctx.team
    course = courses.create_course(
        session=ctx.session,
        actor=team.prescriber,
        clock=ctx.clock,
        patient_id=s.patient_id,
        route=s.route,
        starts_on=s.first_day,
    )
    plan = courses.create_plan(
        session=ctx.session,
        actor=team.prescriber,
        clock=ctx.clock,
        course_id=course.id,
        therapist_name="Riley Chen, LMHC",
        therapist_role="integration therapist",
    )
    consent.record_consent(
        session=ctx.session, actor=team.nurses[0], clock=ctx.clock, course_id=course.id
    )
    s.outcome = "loading"
    targets = [date.fromisoformat(p["target"]) for p in plan.schedule]
    outcomes: list[SessionOutcome] = []
    # The scale the plan tracks: PHQ-9 when depression is an indication, GAD-7 otherwise.
    tracked = 1 if "mdd" in s.intake["diagnoses"] else 0
    baseline = s.scores[0][tracked]
    number = 0
    slot, booked = _book(ctx, s, course.id, targets[0])
    while slot is not None:
        number += 1
        yield slot.start
        facts = _facts_for(s, number, plan.next_dose_mg, plan.weight_basis_kg, plan.next_mg_per_kg)
        result = run_session(
            session=ctx.session,
            clock=ctx.clock,
            team=team,
            stock=ctx.stock,
            policy=ctx.policy,
            session_id=booked,
            nurse=slot.nurse,
            route=s.route,
            start=slot.start,
            facts=facts,
            escort_name=s.registration.usual_escort_name,
            stop_at=slot.stop_at,
        )
        ctx.tally[f"session_{result.status.value}"] += 1
        ctx.tally["vital_alerts"] += result.alerts
        ctx.tally["adverse_events"] += result.adverse_events
        if result.status is not SessionStatus.DISCHARGED:
            return
        day = slot.start.astimezone(ctx.calendar.zone).date()
        # Every third patient answers by phone with the nurse at midday (source: clinic).
        by_phone = s.index % 3 == 0
        when = time(12, 30) if by_phone else CHECK_IN_TIME
        yield ctx.calendar.at(day + timedelta(days=1), when)
        gad7, phq9 = _score_after(s, number)
        source = SymptomSource.CLINIC if by_phone else SymptomSource.CHECK_IN
        _check_in(ctx, s, gad7, phq9, source, item9=0)
        yield ctx.clock.now() + timedelta(minutes=40)
        outcomes.append(
            SessionOutcome(
                session_number=number,
                improvement_pct=round(
                    percent_improvement(baseline, (gad7, phq9)[tracked]) if baseline else 0.0, 1
                ),
                tolerated=result.tolerated,
                mg_per_kg=plan.next_mg_per_kg,
                dose_mg=None if plan.next_mg_per_kg is not None else plan.next_dose_mg,
            )
        )
        plan = courses.adjust_plan(
            session=ctx.session,
            actor=team.prescriber,
            clock=ctx.clock,
            course_id=course.id,
            outcomes=outcomes,
        )
        if s.withdraws_after == number:
            _withdraw(ctx, s, course.id)
            return
        if plan.status is PlanStatus.REVIEW:
            reason = " ".join(f["message"] for f in plan.findings) or "prescriber review"
            courses.stop_plan(
                session=ctx.session,
                actor=team.prescriber,
                clock=ctx.clock,
                course_id=course.id,
                reason=f"Stopped after review with the patient. {reason}",
            )
            s.outcome = "stopped"
            return
        if plan.status is PlanStatus.MAINTENANCE:
            s.outcome = "maintenance"
            dose = _dose(plan.next_dose_mg, plan.weight_basis_kg, plan.next_mg_per_kg)
            yield from _maintenance(ctx, s, course.id, day, dose, plan.weight_basis_kg)
            return
        wanted = targets[number] if number < len(targets) else day + timedelta(days=3)
        slot, booked = _book(ctx, s, course.id, max(wanted, day + timedelta(days=2)))


def _maintenance(
    ctx: DemoContext,
    s: Story,
    course_id: int,
    last_day: date,
    dose_mg: float,
    weight_kg: float | None,
) -> Iterator[datetime]:
    """Weekly check-ins and boosters, on the simulated days after loading."""
    boosters = iter(s.boosters)
    for n, (days, kind, gad7, phq9) in enumerate(s.followups):
        day = last_day + timedelta(days=days)
        if kind == "booster":
            facts = next(boosters, None)
            if facts is None:
                continue
            yield ctx.calendar.at(day - timedelta(days=3), time(17, 30))
            slot, booked = _book(ctx, s, course_id, day)
            if slot is None:
                continue
            yield slot.start
            dose = replace(facts, dose_mg=dose_mg, weight_kg=weight_kg)
            result = run_session(
                session=ctx.session,
                clock=ctx.clock,
                team=ctx.team,
                stock=ctx.stock,
                policy=ctx.policy,
                session_id=booked,
                nurse=slot.nurse,
                route=s.route,
                start=slot.start,
                facts=dose,
                escort_name=s.registration.usual_escort_name,
                stop_at=slot.stop_at,
            )
            ctx.tally[f"session_{result.status.value}"] += 1
            ctx.tally["booster_sessions"] += 1
            ctx.tally["vital_alerts"] += result.alerts
            ctx.tally["adverse_events"] += result.adverse_events
            if result.status is not SessionStatus.DISCHARGED:
                return
            continue
        yield ctx.calendar.at(day, CHECK_IN_TIME) + timedelta(minutes=s.index % 90)
        item9 = 1 if n == s.alert_check_in and phq9 > 0 else 0
        _check_in(ctx, s, gad7, phq9, SymptomSource.CHECK_IN, item9=item9)


def _book(ctx: DemoContext, s: Story, course_id: int, wanted: date) -> tuple[Slot | None, int]:
    """Book the first free slot on `wanted` or the days after (a rule may refuse a day)."""
    for offset in range(10):
        slot = ctx.calendar.slot_on(wanted + timedelta(days=offset), ctx.rng)
        if slot is None:
            continue
        if slot.start < ctx.clock.now():
            ctx.calendar.release(slot)
            continue
        try:
            row = booking.book_session(
                session=ctx.session,
                actor=slot.nurse,
                clock=ctx.clock,
                patient_id=s.patient_id,
                start=slot.start,
                chair_id=slot.chair_id,
                nurse_user_id=slot.nurse.user_id or 0,
                course_id=course_id,
            )
        except (RuleViolation, Conflict):
            ctx.calendar.release(slot)
            continue
        return slot, row.id
    return None, 0


def _facts_for(
    s: Story,
    number: int,
    dose_mg: float | None,
    weight_kg: float | None,
    mg_per_kg: float | None,
) -> SessionFacts:
    base = s.sessions[min(number, len(s.sessions)) - 1]
    return replace(base, dose_mg=_dose(dose_mg, weight_kg, mg_per_kg), weight_kg=weight_kg)


def _dose(dose_mg: float | None, weight_kg: float | None, mg_per_kg: float | None) -> float:
    """The plan's dose. It is floored to 0.1 mg, yet dose / weight can exceed the mg/kg by a
    float's last bit (0.75 × 40.8 = 30.6; 30.6 / 40.8 > 0.75), which the dose check refuses as
    above the maximum: then 0.1 mg less is given (reported to the lead)."""
    assert dose_mg is not None
    if weight_kg and mg_per_kg and dose_mg / weight_kg > mg_per_kg:
        return round(dose_mg - 0.1, 1)
    return dose_mg


def _score_after(s: Story, number: int) -> tuple[int, int]:
    if number in s.scores:
        return s.scores[number]
    last = max(s.scores)
    gad7, phq9 = s.scores[last]
    steps = number - last
    return round(gad7 * EXTENSION_STEP**steps), round(phq9 * EXTENSION_STEP**steps)


def _check_in(
    ctx: DemoContext, s: Story, gad7: int, phq9: int, source: SymptomSource, *, item9: int
) -> None:
    actor = ctx.team.nurses[s.index % 2]
    for code, answers in (
        ("gad7", answers_for(gad7, 7, 3, ctx.rng)),
        ("phq9", phq9_answers(phq9, ctx.rng, item9=item9)),
    ):
        recorded = record_symptom_score(
            session=ctx.session,
            actor=actor,
            clock=ctx.clock,
            patient_id=s.patient_id,
            instrument=code,
            answers=answers,
            source=source,
        )
        ctx.tally["symptom_scores"] += 1
        ctx.tally["patient_alerts"] += len(recorded.alerts)
        if recorded.alerts and ctx.now - ctx.clock.now() > timedelta(days=3):
            for alert in recorded.alerts:
                acknowledge_patient_alert(
                    session=ctx.session,
                    actor=ctx.team.prescriber,
                    clock=ctx.clock,
                    alert_id=alert.id,
                    note="Called the patient the same evening: passive thoughts, no plan or "
                    "intent; safety plan reviewed, crisis line given, seen at the next visit.",
                )


def _acknowledge_intake_alerts(ctx: DemoContext, s: Story) -> None:
    """The intake's review-level findings (e.g. a PCL-5 suggesting PTSD) are seen at the
    prescriber's review: acknowledged there, so the board shows only what is still open."""
    for alert in patient_alerts(
        session=ctx.session, actor=ctx.team.prescriber, clock=ctx.clock, patient_id=s.patient_id
    ):
        acknowledge_patient_alert(
            session=ctx.session,
            actor=ctx.team.prescriber,
            clock=ctx.clock,
            alert_id=alert.id,
            note="Discussed at the intake review; clinical assessment done and documented.",
        )


def _withdraw(ctx: DemoContext, s: Story, course_id: int) -> None:
    views = consent.list_consents(
        session=ctx.session, actor=ctx.team.nurses[0], clock=ctx.clock, course_id=course_id
    )
    consent.withdraw_consent(
        session=ctx.session,
        actor=ctx.team.nurses[0],
        clock=ctx.clock,
        consent_id=views[0].consent.id,
        reason="The patient chose to stop (travel for work); welcome back any time.",
    )
    courses.stop_plan(
        session=ctx.session,
        actor=ctx.team.prescriber,
        clock=ctx.clock,
        course_id=course_id,
        reason="Consent withdrawn by the patient.",
    )
    s.outcome = "stopped"
