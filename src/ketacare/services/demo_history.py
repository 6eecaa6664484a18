"""The demo clinic's history: ~200 simulated patients at every stage, told through the services.

`build_history` draws a seeded cohort from `ketacare.simulation` (symptom-triggered boosters
after loading), turns each simulated patient into a `Story` (demo_story.py) with a stage:
awaiting review (screened in the last days), loading (a first session in the last two weeks;
some with a session on today's board) or history (started 3 weeks to 7 months ago: maintenance,
relapsed or stopped, as the simulated scores and the core's plan decisions make them). A driver
then walks a fixed clock forward through the months and resumes the stories in time order.

Same seed and same "now" → the same clinic (names, counts, records).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import (
    Clinic,
    Intake,
    Location,
    LocationKind,
    Patient,
    Screening,
    ScreeningReview,
    SymptomScore,
    SymptomScoreAmendment,
    TreatmentCourse,
)
from ketacare.domain.instruments import GAD7, PHQ9
from ketacare.domain.routes import Route
from ketacare.domain.schedule import loading_plan
from ketacare.domain.trajectories import Measurement, TrajectoryState, trajectory
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.courses import current_plan
from ketacare.services.demo_context import TODAY_BOARD, ChairCalendar, DemoContext
from ketacare.services.demo_people import intake_document, registration_for
from ketacare.services.demo_sessions import SessionFacts, Stock, Team
from ketacare.services.demo_story import Story, story
from ketacare.services.patients import Registration
from ketacare.services.policy import current_policy
from ketacare.simulation import CohortConfig, SymptomTriggeredBoosters, simulate_cohort

DEFAULT_SEED = 20240501
HISTORY_DAYS = 120  # the oldest first session is about four months ago
# Check-ins every two weeks for 8 weeks after loading (the generator's default is weekly for 12
# weeks): each score costs the services' listeners a reassessment, and the demo must load in
# well under a minute (docs/demo.md has the measured time).
FOLLOWUP_DAYS = 56
CHECKIN_INTERVAL_DAYS = 14.0


# progress(done, total): how many of the history's days have been lived so far
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NamedPatient:
    """A demo patient with a fixed identity (the README's sign-ins rely on Maya Patel)."""

    registration: Registration
    stage: str
    days_ago: int | None  # first session this many days ago (None: a session today)


def build_history(
    *,
    session: Session,
    clinic: Clinic,
    team: Team,
    named: tuple[NamedPatient, ...],
    patients: int,
    seed: int,
    now: datetime,
    clock: FixedClock,
    progress: Progress | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """Create the clinic's patients and their history up to `now`. Returns the patients' ids by
    email for the named ones and the tallies (sessions by status, scores, alerts, events).
    `progress(done, total)` hears, in days, how far the history has been lived."""
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(clinic.timezone)
    chairs = session.scalars(
        select(Location.id)
        .where(Location.clinic_id == clinic.id, Location.kind == LocationKind.CHAIR)
        .order_by(Location.name)
    ).all()
    policy, _ = current_policy(session=session, clinic_id=clinic.id)
    calendar = ChairCalendar(tuple(chairs), team.nurses, zone, now)
    ctx = DemoContext(session, clock, clinic.id, team, policy, Stock(), calendar, rng, now)
    stories = _stories(ctx, named, max(patients, len(named)), seed)
    _drive(ctx, stories, progress or _silent)
    clock.current = now
    ids = {s.registration.email: s.patient_id for s in stories if s.patient_id}
    ctx.tally.update(Counter(f"story_{s.outcome}" for s in stories))
    return ids, dict(ctx.tally)


def _silent(_done: int, _total: int) -> None:
    return None


def _drive(ctx: DemoContext, stories: list[Story], progress: Progress) -> None:
    """Resume each story at the moment it asked for, earliest first, until `now`."""
    queue: list[tuple[datetime, int, Iterator[datetime]]] = []
    for s in stories:
        told = story(ctx, s)
        heapq.heappush(queue, (next(told), s.index, told))
    first = queue[0][0] if queue else ctx.now
    total_days, told_day = max((ctx.now - first).days, 1), -1
    while queue:
        when, index, told = heapq.heappop(queue)
        if when > ctx.now:
            continue
        day = min((when - first).days, total_days)
        if day != told_day:
            progress(day, total_days)
            told_day = day
        ctx.clock.current = when
        try:
            after = next(told)
        except StopIteration:
            continue
        heapq.heappush(queue, (max(after, when), index, told))


def _stories(ctx: DemoContext, named: tuple[NamedPatient, ...], n: int, seed: int) -> list[Story]:
    config = CohortConfig(followup_days=FOLLOWUP_DAYS, checkin_interval_days=CHECKIN_INTERVAL_DAYS)
    cohort = simulate_cohort(n, seed, config=config, policy=SymptomTriggeredBoosters())
    rng, today = ctx.rng, ctx.calendar.today
    scores = {pid: frame for pid, frame in cohort.scores.groupby("patient_id", sort=True)}
    sessions = {pid: frame for pid, frame in cohort.sessions.groupby("patient_id", sort=True)}
    n_await = max(1, round(0.06 * n))
    n_load = max(2, round(0.14 * n))
    used = {f"{p.registration.given_name} {p.registration.family_name}" for p in named}
    stories: list[Story] = []
    board = len(TODAY_BOARD) - sum(1 for p in named if p.days_ago is None)
    for i, row in enumerate(cohort.patients.itertuples()):
        route = Route(str(row.route))
        if i < len(named):
            registration, stage, days_ago = named[i].registration, named[i].stage, named[i].days_ago
        else:
            registration = registration_for(row, rng, today, used)
            k = i - len(named)
            stage = (
                "awaiting_review"
                if k < n_await
                else "loading"
                if k < n_await + n_load
                else "history"
            )
            days_ago = _days_ago(stage, k - n_await, board, rng)
        first_day = _first_day(route, today, days_ago, ctx, rng)
        registered_on = (
            today - timedelta(days=int(rng.integers(0, 10)))
            if stage == "awaiting_review"
            else first_day - timedelta(days=14)
        )
        document = intake_document(row, rng)
        if registration.sex != "female":
            document["pregnancy_status"] = "not_applicable"
        loading, follow = _simulated(scores[row.patient_id], sessions[row.patient_id])
        stories.append(
            Story(
                index=i,
                stage=stage,
                registration=registration,
                intake=document,
                route=route,
                first_day=first_day,
                registered_on=registered_on,
                scores=loading,
                followups=follow,
                sessions=_facts(sessions[row.patient_id], "loading"),
                boosters=_facts(sessions[row.patient_id], "booster"),
                withdraws_after=2 if stage == "history" and rng.random() < 0.04 else None,
                alert_check_in=int(rng.integers(0, 6)) if rng.random() < 0.06 else None,
            )
        )
    return stories


def _days_ago(stage: str, k: int, board: int, rng: np.random.Generator) -> int | None:
    if stage == "loading":
        return None if k < board else int(rng.integers(1, 13))
    return int(rng.integers(21, HISTORY_DAYS))


def _first_day(
    route: Route, today: date, days_ago: int | None, ctx: DemoContext, rng: np.random.Generator
) -> date:
    """The first session's day; `None` days ago puts one of sessions 1–4 on today's board."""
    if days_ago is not None:
        return today - timedelta(days=days_ago)
    targets = [s.target for s in loading_plan(route, today, ctx.policy.plans).sessions]
    j = int(rng.integers(0, 4))
    return today - (targets[j] - targets[0])


def _simulated(
    scores: pd.DataFrame, sessions: pd.DataFrame
) -> tuple[dict[int, tuple[int, int]], list[tuple[int, str, int, int]]]:
    """Loading scores by session number, and the follow-up (check-ins and boosters) by days
    after the last loading session."""
    loading_rows = sessions[sessions.phase == "loading"]
    last_loading = int(loading_rows.session_number.max())
    last_day = int(loading_rows.day.max())
    pairs: dict[tuple[int, float], dict[str, int]] = {}
    for day, number, instrument, value in zip(
        scores.day, scores.session_number, scores.instrument, scores.score, strict=True
    ):
        key = (int(day), -1.0 if pd.isna(number) else float(number))
        pairs.setdefault(key, {})[str(instrument)] = int(value)
    by_number: dict[int, tuple[int, int]] = {}
    follow: list[tuple[int, str, int, int]] = []
    for (day, number), values in sorted(pairs.items()):
        gad7, phq9 = values["GAD-7"], values["PHQ-9"]
        if 0 <= number <= last_loading:
            by_number[int(number)] = (gad7, phq9)
        elif day > last_day:
            follow.append((day - last_day, "check_in", gad7, phq9))
    for r in sessions[sessions.phase == "booster"].itertuples():
        follow.append((int(r.day) - last_day, "booster", 0, 0))
    follow.sort(key=lambda f: (f[0], f[1] != "booster"))
    return by_number, follow


def _facts(sessions: pd.DataFrame, phase: str) -> list[SessionFacts]:
    return [
        SessionFacts(
            dose_mg=float(r.dose_mg),
            weight_kg=None,
            systolic_predose=float(r.systolic_predose_mmhg),
            diastolic_predose=float(r.diastolic_predose_mmhg),
            systolic_rise=float(r.systolic_rise_mmhg),
            diastolic_rise=float(r.diastolic_rise_mmhg),
            moaas=int(r.moaas),
            cadss=int(r.cadss),
            nausea=bool(r.nausea),
        )
        for r in sessions[sessions.phase == phase].sort_values("session_number").itertuples()
    ]


# --- what the demo contains, read back from the database ------------------------------------


def demo_stages(session: Session, clinic_id: int) -> Counter[str]:
    """Each patient's stage: awaiting_review (screened, not reviewed), loading (plan loading or
    extended), maintenance, relapsed (maintenance plan, GAD-7 trajectory relapsed by the core's
    definition), stopped, or another plan status / registered."""
    stages: Counter[str] = Counter()
    for patient_id in session.scalars(select(Patient.id).where(Patient.clinic_id == clinic_id)):
        stages[_stage(session, patient_id)] += 1
    return stages


def _stage(session: Session, patient_id: int) -> str:
    course = session.scalar(
        select(TreatmentCourse)
        .where(TreatmentCourse.patient_id == patient_id)
        .order_by(TreatmentCourse.id.desc())
        .limit(1)
    )
    if course is None:
        reviewed = session.scalar(
            select(ScreeningReview.id)
            .join(Screening, Screening.id == ScreeningReview.screening_id)
            .where(Screening.patient_id == patient_id)
            .limit(1)
        )
        screened = session.scalar(select(Screening.id).where(Screening.patient_id == patient_id))
        return "registered" if screened is None else "screened" if reviewed else "awaiting_review"
    plan = current_plan(session=session, course_id=course.id)
    status = plan.status.value if plan is not None else "no_plan"
    if status == "extension":
        return "loading"
    if status == "maintenance" and _relapsed(session, patient_id):
        return "relapsed"
    return status


def _relapsed(session: Session, patient_id: int) -> bool:
    """Relapsed on the tracked scale (PHQ-9 when depression is an indication, else GAD-7)."""
    data = session.scalar(
        select(Intake.data)
        .where(Intake.patient_id == patient_id)
        .order_by(Intake.version.desc())
        .limit(1)
    )
    tool = PHQ9 if data and "mdd" in data.get("diagnoses", []) else GAD7
    struck = select(SymptomScoreAmendment.score_id)
    rows = session.execute(
        select(SymptomScore.taken_at, SymptomScore.total)
        .where(
            SymptomScore.patient_id == patient_id,
            SymptomScore.instrument == tool.code,
            SymptomScore.id.not_in(struck),
        )
        .order_by(SymptomScore.taken_at, SymptomScore.id)
    ).all()
    if len(rows) < 2:
        return False
    series = [Measurement(taken_at, total) for taken_at, total in rows]
    from ketacare.domain.outcomes import OutcomesPolicy

    return trajectory(tool, series, policy=OutcomesPolicy()).state is TrajectoryState.RELAPSED


def staff_team(users: dict[str, int], clinic_id: int, emails: dict[str, str]) -> Team:
    """The demo's acting team from the created users (emails by role key)."""

    def actor(key: str, role: str) -> Actor:
        from ketacare.db.models import Role

        return Actor(users[emails[key]], clinic_id, Role(role), emails[key])

    return Team(
        nurses=(actor("nurse1", "nurse"), actor("nurse2", "nurse")),
        prescriber=actor("prescriber", "prescriber"),
        admin=actor("admin", "admin"),
    )
