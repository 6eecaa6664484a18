"""Cohort outcome statistics and charts over columnar data (no framework, no database).

Inputs are the frames the database queries return (and `ketacare.simulation` generates):
``scores`` (patient_id, day, session_number, instrument, score), ``sessions`` (patient_id,
session_number, day, phase, route, adverse-event flags…) and ``patients`` (patient_id, route,
comorbid_depression, comorbid_ptsd…). Every result is a `Figure` (or `RelapseFigure`) carrying
its definition text; charts are SVG strings drawn server-side with matplotlib (Agg).
"""

from ketacare.analytics.adverse import ADVERSE_EVENTS, adverse_event_rates
from ketacare.analytics.charts import (
    adverse_events_chart_svg,
    booster_policy_chart_svg,
    relapse_chart_svg,
    response_chart_svg,
    sessions_to_response_chart_svg,
)
from ketacare.analytics.definitions import Figure, OutcomeDefinitions
from ketacare.analytics.outcomes import (
    comorbidity_groups,
    response_by_session,
    route_groups,
    sessions_to_first_response,
)
from ketacare.analytics.relapse import RelapseFigure, relapse_after_loading
from ketacare.analytics.report import OutcomeReport, outcome_report
from ketacare.analytics.stats import KaplanMeier, kaplan_meier, wilson_interval

__all__ = [
    "ADVERSE_EVENTS",
    "Figure",
    "KaplanMeier",
    "OutcomeDefinitions",
    "OutcomeReport",
    "RelapseFigure",
    "adverse_event_rates",
    "adverse_events_chart_svg",
    "booster_policy_chart_svg",
    "comorbidity_groups",
    "kaplan_meier",
    "outcome_report",
    "relapse_after_loading",
    "relapse_chart_svg",
    "response_by_session",
    "response_chart_svg",
    "route_groups",
    "sessions_to_first_response",
    "sessions_to_response_chart_svg",
    "wilson_interval",
]
