"""The clinic outcome report on the clinic's own records (staff only; the read is audited).

Loads the clinic's symptom scores, dosed sessions and session events as the analytics' tables
(`outcome_frames.py`), runs `ketacare.analytics.outcome_report` on them, and renders the
self-contained HTML export. Nothing of another clinic is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.analytics.charts import (
    adverse_events_chart_svg,
    relapse_chart_svg,
    response_chart_svg,
    sessions_to_response_chart_svg,
)
from ketacare.analytics.definitions import Figure, OutcomeDefinitions
from ketacare.analytics.export import render_report_html
from ketacare.analytics.report import OutcomeReport, outcome_report
from ketacare.db.models import Clinic
from ketacare.domain.errors import InvalidInput
from ketacare.services import access, audit
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock
from ketacare.services.outcome_frames import EVENT_DEFINITIONS, ClinicFrames, clinic_frames
from ketacare.services.policy import current_policy

INSTRUMENTS = ("GAD-7", "PHQ-9")


@dataclass(frozen=True)
class ClinicReport:
    clinic_name: str
    generated_at: datetime
    instrument: str
    patients: int  # patients of the clinic
    treated_patients: int  # patients with at least one dosed session
    sessions: int  # dosed sessions
    scores: int  # symptom scores used (both instruments)
    report: OutcomeReport | None  # None until a patient has a baseline and a dosed session

    @property
    def subtitle(self) -> str:
        return (
            f"{self.clinic_name}: {self.treated_patients:,} treated patients of "
            f"{self.patients:,}, {self.sessions:,} dosed sessions, {self.scores:,} scores"
        )


def clinic_outcome_report(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    instrument: str = "GAD-7",
    clinic_id: int | None = None,
    charts: bool = True,
) -> ClinicReport:
    """The outcome report of the actor's clinic (`clinic_id` only for the system actor: the
    CLI). Every figure carries its definition; the adverse-event definition states how the
    flags are read from the clinic's records."""
    access.require_staff(session=session, actor=actor, clock=clock, action="report.outcomes")
    if instrument not in INSTRUMENTS:
        raise InvalidInput(
            f"instrument must be one of {', '.join(INSTRUMENTS)}; got {instrument!r}",
            field="instrument",
        )
    target = clinic_id if actor.is_system and clinic_id is not None else actor.clinic_id
    clinic = session.get(Clinic, target) if target is not None else None
    if clinic is None:
        raise InvalidInput("the report needs a clinic", field="clinic_id")
    policy, _ = current_policy(session=session, clinic_id=clinic.id)
    frames = clinic_frames(session, clinic.id)
    result = None
    if _enough(frames, instrument):
        computed = outcome_report(
            frames.scores,
            frames.sessions,
            frames.patients,
            instrument=instrument,
            definitions=OutcomeDefinitions.from_policy(policy.outcomes),
            charts=False,
        )
        computed = replace(computed, adverse_events=_clinic_event_definition(computed))
        result = _with_charts(computed, charts)
    report = ClinicReport(
        clinic_name=clinic.name,
        generated_at=clock.now(),
        instrument=instrument,
        patients=len(frames.patients),
        treated_patients=int(frames.sessions["patient_id"].nunique()),
        sessions=len(frames.sessions),
        scores=len(frames.scores),
        report=result,
    )
    audit.record(
        session=session,
        actor=actor,
        clock=clock,
        action="report.outcomes",
        clinic_id=clinic.id,
        object_type="outcome_report",
        detail=_counts(frames, instrument),
    )
    return report


def export_html(report: ClinicReport) -> str:
    """The report as one self-contained HTML file (inline CSS and SVG)."""
    if report.report is None:
        raise InvalidInput(
            "the clinic has no dosed session with a baseline score yet: nothing to report",
            field="instrument",
        )
    return render_report_html(
        report.report,
        title=f"Clinic outcome report — {report.clinic_name}",
        subtitle=report.subtitle,
        generated_at=report.generated_at,
    )


def _clinic_event_definition(result: OutcomeReport) -> Figure:
    """The analytics' definition names the simulation's flags; state how the clinic's records
    give them instead (the confidence-interval sentence is kept)."""
    figure = result.adverse_events
    flags = "; ".join(f"{name} = {text}" for name, text in EVENT_DEFINITIONS.items())
    tail = figure.definition.split(").", 1)[-1].strip()
    definition = f"Sessions with the event per 100 dosed sessions ({flags}). {tail}"
    return replace(figure, definition=definition)


def _enough(frames: ClinicFrames, instrument: str) -> bool:
    """A patient with a baseline and a score after a dosed session, on this instrument."""
    scores = frames.scores[frames.scores["instrument"] == instrument]
    baseline = set(scores.loc[scores["session_number"] == 0, "patient_id"])
    after = set(scores.loc[scores["session_number"] >= 1, "patient_id"])
    return len(frames.sessions) > 0 and bool(baseline & after)


def _with_charts(result: OutcomeReport, charts: bool) -> OutcomeReport:
    if not charts:
        return result
    # Error bars of a rate at 0 or 1 are clamped in analytics.charts (Wilson bounds can miss
    # the rate by a float's last bit).
    svgs = {
        "response": response_chart_svg(result.response),
        "sessions_to_response": sessions_to_response_chart_svg(result.sessions_to_response),
        "relapse": relapse_chart_svg(result.relapse),
        "relapse_by_route": relapse_chart_svg(result.relapse_by_route),
        "adverse_events": adverse_events_chart_svg(result.adverse_events),
    }
    return replace(result, charts=svgs)


def _counts(frames: ClinicFrames, instrument: str) -> dict[str, object]:
    return {
        "instrument": instrument,
        "patients": len(frames.patients),
        "sessions": len(frames.sessions),
        "scores": len(frames.scores),
    }
