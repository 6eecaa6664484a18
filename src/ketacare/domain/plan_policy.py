"""PlanPolicy: thresholds of treatment plans and schedules (policy section "plans").

Declared apart from plans.py so that plans.py and schedule.py can both read it; import it from
plans.py. Sources: clinical-reference.md 1.1, 1.4, 4.8, 5.3, 5.6 and rules 2–4 and 10 of section 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketacare.domain.sources import (
    ANDRADE_2017,
    CLINIC_POLICY,
    EARLY_IMPROVEMENT_2021,
    LOADING_EXTENSION_PRACTICE,
    LOO_2023_KADS,
    MURROUGH_2013,
    OLIVER_2022,
    ORAL_SL_POLICY,
    SPRAVATO_LABEL,
    TRANSL_PSYCHIATRY_2024,
)
from ketacare.domain.thresholds import threshold

# The label's induction is twice weekly; a fact of the label, not a clinic setting.
ESKETAMINE_INDUCTION_PER_WEEK = 2


class MaintenanceMode(StrEnum):
    """How maintenance sessions are triggered after loading."""

    SYMPTOM_TRIGGERED = "symptom_triggered"  # booster when symptom tracking says so (default)
    FIXED_INTERVAL = "fixed_interval"  # a booster every `maintenance_interval_days`


@dataclass(frozen=True)
class PlanPolicy:
    """Loading, extension, titration, non-response and schedule limits."""

    # --- Loading series (rule 3) ---
    loading_sessions: int = threshold(
        6,
        statement="IV/IM loading series: 6 sessions (up to 6 infusions of 0.5 mg/kg).",
        unit="sessions",
        source=MURROUGH_2013,
        minimum=4,
        maximum=10,
    )
    loading_target_days: int = threshold(
        12,
        statement="Target span of the loading series: 12 days (3 per week; Murrough 2013).",
        unit="days",
        source=MURROUGH_2013,
        minimum=7,
        maximum=21,
    )
    loading_max_days: int = threshold(
        21,
        statement="The loading series completes within 21 days (6 within 21 days; Oliver 2022).",
        unit="days",
        source=OLIVER_2022,
        minimum=12,
        maximum=28,
    )
    sublingual_loading_sessions: int = threshold(
        4,
        statement="SL loading: 4 sessions over 4 weeks (Hull 2022). Clinic policy: a "
        "prescriber must confirm.",
        unit="sessions",
        source=ORAL_SL_POLICY,
        minimum=2,
        maximum=8,
    )
    sublingual_loading_target_days: int = threshold(
        22,
        statement="Target span of SL loading: weekly, days 0, 7, 14 and 21 (Hull 2022). "
        "Clinic policy: a prescriber must confirm.",
        unit="days",
        source=ORAL_SL_POLICY,
        minimum=7,
        maximum=28,
    )
    sublingual_loading_max_days: int = threshold(
        28,
        statement="SL loading completes within 28 days (4 sessions over 4 weeks). Clinic "
        "policy: a prescriber must confirm.",
        unit="days",
        source=ORAL_SL_POLICY,
        minimum=14,
        maximum=42,
    )
    extension_total_sessions: int = threshold(
        10,
        statement="Partial responders may extend the series to 10 sessions in total "
        "(practice 6–10 over 3–4 weeks; Oliver 2022 reported outcomes at 10). Clinic policy: a "
        "prescriber must confirm.",
        unit="sessions",
        source=LOADING_EXTENSION_PRACTICE,
        minimum=6,
        maximum=12,
    )

    # --- Response thresholds (section 4.8, 5.3) ---
    response_improvement_pct: float = threshold(
        50.0,
        statement="Response: ≥ 50% reduction from baseline.",
        unit="%",
        source=MURROUGH_2013,
        minimum=30.0,
        maximum=80.0,
    )
    partial_response_improvement_pct: float = threshold(
        30.0,
        statement="Partial response: ≥ 30% reduction from baseline (and below response).",
        unit="%",
        source=TRANSL_PSYCHIATRY_2024,
        minimum=20.0,
        maximum=49.0,
    )
    non_response_improvement_pct: float = threshold(
        20.0,
        statement="Likely non-response: improvement below 20% after session 4.",
        unit="%",
        source=TRANSL_PSYCHIATRY_2024,
        minimum=10.0,
        maximum=30.0,
    )
    non_response_earliest_session: int = threshold(
        4,
        statement="Non-response is never flagged before session 4 (do not stop after only "
        "1–2 sessions).",
        unit="session",
        source=EARLY_IMPROVEMENT_2021,
        minimum=4,
        maximum=8,
    )

    # --- Titration (rule 2) ---
    titration_ladder_mg_per_kg: tuple[float, ...] = threshold(
        (0.5, 0.6, 0.75, 0.9),
        statement="Titration ladder 0.5 → 0.6 → 0.75 → 0.9 mg/kg, one "
        "rung per session when improvement is below 50%; capped at the clinic maximum.",
        unit="mg/kg",
        source=LOO_2023_KADS,
    )
    step_down_mg_per_kg: float = threshold(
        0.5,
        statement="Step down to 0.5 mg/kg after an intolerable dose.",
        unit="mg/kg",
        source=LOO_2023_KADS,
        minimum=0.1,
        maximum=0.75,
    )

    # --- Schedule limits (validator) ---
    min_spacing_hours: int = threshold(
        40,
        statement="At least 40 hours between two sessions: alternate days (48 h nominal, as "
        "in 3 per week) with up to 8 h drift; never on consecutive days within usual clinic hours. "
        "Clinic policy: a prescriber must confirm.",
        unit="h",
        source=CLINIC_POLICY,
        minimum=24,
        maximum=168,
    )
    max_sessions_per_week: int = threshold(
        3,
        statement="At most 3 racemic sessions per calendar week (Monday–Sunday; loading at "
        "3 per week).",
        unit="sessions",
        source=MURROUGH_2013,
        minimum=1,
        maximum=3,
    )
    max_sessions_per_30_days: int = threshold(
        12,
        statement="At most 12 racemic sessions in any 30 days (loading plus the longest "
        "extension). Clinic policy: a prescriber must confirm.",
        unit="sessions",
        source=CLINIC_POLICY,
        minimum=1,
        maximum=13,
    )
    esketamine_max_sessions_per_week: int = threshold(
        2,
        statement="Esketamine at most twice per calendar week (induction weeks 1–4).",
        unit="sessions",
        source=SPRAVATO_LABEL,
        minimum=1,
        maximum=2,
    )
    esketamine_max_sessions_per_30_days: int = threshold(
        9,
        statement="At most 9 esketamine sessions in any 30 days (8 induction sessions in "
        "4 weeks plus the first weekly one; DERIVED from the label).",
        unit="sessions",
        source=SPRAVATO_LABEL,
        minimum=1,
        maximum=9,
    )

    # --- Esketamine calendar (rule 4) ---
    esketamine_induction_weeks: int = threshold(
        4,
        statement="Esketamine induction: twice weekly in weeks 1–4.",
        unit="weeks",
        source=SPRAVATO_LABEL,
        minimum=4,
        maximum=4,
    )
    esketamine_weekly_through_week: int = threshold(
        8,
        statement="Esketamine maintenance once weekly in weeks 5–8.",
        unit="week",
        source=SPRAVATO_LABEL,
        minimum=8,
        maximum=8,
    )
    esketamine_maintenance_every_weeks: int = threshold(
        1,
        statement="From week 9, esketamine weekly or every 2 weeks (individualise to the least "
        "frequent that keeps the response); weekly until a prescriber lengthens it.",
        unit="weeks",
        source=SPRAVATO_LABEL,
        minimum=1,
        maximum=2,
    )
    esketamine_second_weekly_day: int = threshold(
        3,
        statement="Day of the course week (0-based) of the second induction session "
        "(e.g. Monday and Thursday). Clinic policy.",
        unit="day",
        source=CLINIC_POLICY,
        minimum=2,
        maximum=4,
    )

    # --- Maintenance (rule 3) ---
    maintenance_mode: str = threshold(
        MaintenanceMode.SYMPTOM_TRIGGERED.value,
        statement="Maintenance is symptom-triggered by "
        "default: dose before the previous effect wears off, individualised (no RCT standard for "
        "racemic ketamine).",
        unit="mode",
        source=ANDRADE_2017,
    )
    maintenance_interval_days: int = threshold(
        28,
        statement="Interval of fixed-interval maintenance: 28 days (practice: boosters every "
        "3–4 weeks; median relapse 18 days after a 6-infusion series). Clinic policy: a "
        "prescriber must confirm.",
        unit="days",
        source=CLINIC_POLICY,
        minimum=7,
        maximum=56,
    )
