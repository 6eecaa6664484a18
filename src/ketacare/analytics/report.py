"""The clinic outcome report: every aggregate and chart in one call.

`outcome_report` takes the three frames the database provides (scores, sessions, patients) and
returns the figures (each with its definition) and their SVG charts; the web page, the exported
HTML file and the CLI render this object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ketacare.analytics.adverse import adverse_event_rates
from ketacare.analytics.charts import (
    adverse_events_chart_svg,
    relapse_chart_svg,
    response_chart_svg,
    sessions_to_response_chart_svg,
)
from ketacare.analytics.definitions import Figure, OutcomeDefinitions
from ketacare.analytics.outcomes import (
    DEFAULT_DEFINITIONS,
    comorbidity_groups,
    response_by_session,
    route_groups,
    sessions_to_first_response,
)
from ketacare.analytics.relapse import RelapseFigure, relapse_after_loading


@dataclass(frozen=True)
class OutcomeReport:
    instrument: str
    response: Figure
    response_by_route: Figure
    response_by_comorbidity: Figure
    sessions_to_response: Figure
    relapse: RelapseFigure
    relapse_by_route: RelapseFigure
    adverse_events: Figure
    charts: dict[str, str] = field(repr=False)  # name → SVG


def outcome_report(
    scores: pd.DataFrame,
    sessions: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    instrument: str = "GAD-7",
    definitions: OutcomeDefinitions = DEFAULT_DEFINITIONS,
    max_session: int | None = 12,
    charts: bool = True,
) -> OutcomeReport:
    """Compute every figure of the clinic outcome report (and its charts unless ``charts`` is
    False)."""
    routes = route_groups(sessions)
    inst, defs = instrument, definitions
    response = response_by_session(
        scores, instrument=inst, definitions=defs, max_session=max_session
    )
    by_route = response_by_session(
        scores, instrument=inst, definitions=defs, groups=routes, max_session=max_session
    )
    by_comorbidity = response_by_session(
        scores,
        instrument=inst,
        definitions=defs,
        groups=comorbidity_groups(patients),
        max_session=max_session,
    )
    to_response = sessions_to_first_response(scores, instrument=inst, definitions=defs)
    relapse = relapse_after_loading(scores, sessions, instrument=inst, definitions=defs)
    relapse_route = relapse_after_loading(
        scores, sessions, instrument=inst, definitions=defs, groups=routes
    )
    adverse = adverse_event_rates(sessions, by="route", confidence=definitions.confidence)
    svgs: dict[str, str] = {}
    if charts:
        svgs = {
            "response": response_chart_svg(response),
            "sessions_to_response": sessions_to_response_chart_svg(to_response),
            "relapse": relapse_chart_svg(relapse),
            "relapse_by_route": relapse_chart_svg(relapse_route),
            "adverse_events": adverse_events_chart_svg(adverse),
        }
    return OutcomeReport(
        instrument=instrument,
        response=response,
        response_by_route=by_route,
        response_by_comorbidity=by_comorbidity,
        sessions_to_response=to_response,
        relapse=relapse,
        relapse_by_route=relapse_route,
        adverse_events=adverse,
        charts=svgs,
    )
