"""DosingPolicy: every dosing and session-timing threshold, per route (policy section "dosing").

Declared apart from routes.py only to keep modules small; import it from either module.
Sources: clinical-reference.md sections 1.1–1.6, 2.1, 2.4 and rules 1, 4 and 7 of section 8.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.sources import (
    ANDRADE_2017,
    CHILUKURI_2014_POLICY,
    CLINIC_POLICY,
    FAVA_2018,
    ORAL_SL_POLICY,
    SINGH_2019,
    SPRAVATO_LABEL,
    SPRAVATO_REMS,
)
from ketacare.domain.thresholds import threshold


@dataclass(frozen=True)
class DosingPolicy:
    """Dosing thresholds per route, and the timing of a session (policy section "dosing")."""

    # --- IV racemic ketamine (rule 1) ---
    iv_default_mg_per_kg: float = threshold(
        0.5,
        statement="Standard IV dose: 0.5 mg/kg infused over 40 minutes.",
        unit="mg/kg",
        source=ANDRADE_2017,
        minimum=0.1,
        maximum=1.0,
    )
    iv_min_mg_per_kg: float = threshold(
        0.1,
        statement="Lowest IV dose allowed: some patients respond to 0.1 mg/kg.",
        unit="mg/kg",
        source=ANDRADE_2017,
        minimum=0.05,
        maximum=0.5,
    )
    iv_max_mg_per_kg: float = threshold(
        0.75,
        statement="Highest IV dose allowed without a recorded prescriber override "
        "(some patients need up to 0.75 mg/kg).",
        unit="mg/kg",
        source=ANDRADE_2017,
        minimum=0.1,
        maximum=1.0,
    )
    iv_override_max_mg_per_kg: float = threshold(
        1.0,
        statement="Highest IV dose allowed with a recorded prescriber override (1.0 mg/kg "
        "beat active placebo in Fava 2018); nothing above 1.0 mg/kg is ever allowed.",
        unit="mg/kg",
        source=FAVA_2018,
        minimum=0.1,
        maximum=1.0,
    )
    iv_infusion_minutes: int = threshold(
        40,
        statement="IV infusion length: 40 minutes is conventional; up to 100 minutes "
        "(Mayo trials) for a slower infusion.",
        unit="min",
        source=ANDRADE_2017,
        minimum=40,
        maximum=100,
    )
    ideal_weight_bmi_threshold: float = threshold(
        30.0,
        statement="At or above this BMI the clinic may dose on ideal body weight (APA "
        "consensus, Sanacora 2017, as reported by Singh 2019).",
        unit="kg/m2",
        source=SINGH_2019,
        minimum=25.0,
        maximum=40.0,
    )
    ideal_weight_when_obese: bool = threshold(
        False,
        statement="Dose on ideal body weight (Devine) when BMI is at or above the "
        "threshold; off by default because the landmark trials used actual body weight.",
        unit="yes/no",
        source=SINGH_2019,
    )

    # --- IM racemic ketamine ---
    im_default_mg_per_kg: float = threshold(
        0.5,
        statement="Default IM dose 0.5 mg/kg (Chilukuri 2014 arm; ASKP3: ≈ 38 mg IM ≈ "
        "0.5 mg/kg IV at 70 kg). Clinic policy: a prescriber must confirm.",
        unit="mg/kg",
        source=CHILUKURI_2014_POLICY,
        minimum=0.1,
        maximum=1.0,
    )
    im_min_mg_per_kg: float = threshold(
        0.25,
        statement="Lowest IM dose allowed: 0.25 mg/kg (as effective as 0.5 mg/kg in "
        "Chilukuri 2014). Clinic policy: a prescriber must confirm.",
        unit="mg/kg",
        source=CHILUKURI_2014_POLICY,
        minimum=0.1,
        maximum=0.5,
    )
    im_max_mg_per_kg: float = threshold(
        0.5,
        statement="Highest IM dose allowed without a recorded override: 0.5 mg/kg (the "
        "highest dose Chilukuri 2014 tested). Clinic policy: a prescriber must confirm.",
        unit="mg/kg",
        source=CHILUKURI_2014_POLICY,
        minimum=0.1,
        maximum=1.0,
    )
    im_override_max_mg_per_kg: float = threshold(
        0.5,
        statement="Highest IM dose allowed with a recorded override; equal to the maximum "
        "by default (no override room). Clinic policy: a prescriber must confirm.",
        unit="mg/kg",
        source=CHILUKURI_2014_POLICY,
        minimum=0.1,
        maximum=1.0,
    )
    im_injection_minutes: int = threshold(
        1,
        statement="Time to give an IM bolus. Clinic policy: a prescriber must confirm.",
        unit="min",
        source=CLINIC_POLICY,
        minimum=1,
        maximum=5,
    )

    # --- Esketamine nasal spray (rule 4, Spravato label) ---
    esketamine_allowed_mg: tuple[int, ...] = threshold(
        (28, 56, 84),
        statement="Esketamine doses come only as 28, 56 or 84 mg (1, 2 or 3 devices of 28 mg).",
        unit="mg",
        source=SPRAVATO_LABEL,
    )
    esketamine_device_mg: int = threshold(
        28,
        statement="Each esketamine device delivers 28 mg in two sprays.",
        unit="mg",
        source=SPRAVATO_LABEL,
        minimum=28,
        maximum=28,
    )
    esketamine_max_mg: int = threshold(
        84,
        statement="Maximum esketamine dose per session: 84 mg.",
        unit="mg",
        source=SPRAVATO_LABEL,
        minimum=28,
        maximum=84,
    )
    esketamine_step_mg: int = threshold(
        28,
        statement="Esketamine dose changes are made in 28 mg steps; an increase is at most "
        "one step from the previous session.",
        unit="mg",
        source=SPRAVATO_LABEL,
        minimum=28,
        maximum=28,
    )
    esketamine_day1_mg: int = threshold(
        56,
        statement="Esketamine day-1 dose for adults under 65: 56 mg.",
        unit="mg",
        source=SPRAVATO_LABEL,
        minimum=28,
        maximum=84,
    )
    esketamine_day1_elderly_mg: int = threshold(
        28,
        statement="Esketamine day-1 dose for adults aged 65 or over: 28 mg.",
        unit="mg",
        source=SPRAVATO_LABEL,
        minimum=28,
        maximum=84,
    )
    esketamine_elderly_age_years: int = threshold(
        65,
        statement="Age from which the esketamine elderly schedule (28 mg start) applies.",
        unit="years",
        source=SPRAVATO_LABEL,
        minimum=65,
        maximum=65,
    )
    esketamine_min_mg_under_elderly_age: int = threshold(
        56,
        statement="Adults under 65 receive 56 or 84 mg after day 1 (28 mg is labelled only "
        "for adults aged 65 or over).",
        unit="mg",
        source=SPRAVATO_LABEL,
        minimum=28,
        maximum=84,
    )
    esketamine_device_rest_minutes: int = threshold(
        5,
        statement="Rest 5 minutes between esketamine devices.",
        unit="min",
        source=SPRAVATO_LABEL,
        minimum=5,
        maximum=15,
    )

    # --- Sublingual / oral racemic ketamine ---
    sublingual_default_mg_per_kg: float = threshold(
        2.0,
        statement="Default SL/oral dose 2.0 mg/kg (oral ≈ 2.0–2.5 mg/kg ≈ IV 0.5 mg/kg, "
        "Andrade 2019). Clinic policy: a prescriber must confirm.",
        unit="mg/kg",
        source=ORAL_SL_POLICY,
        minimum=0.1,
        maximum=7.0,
    )
    sublingual_min_mg_per_kg: float = threshold(
        0.1,
        statement="Lowest weight-based SL/oral dose (Lara 2013 used 10 mg, ≈ 0.14 mg/kg). "
        "Clinic policy: a prescriber must confirm.",
        unit="mg/kg",
        source=ORAL_SL_POLICY,
        minimum=0.05,
        maximum=2.0,
    )
    sublingual_max_mg_per_kg: float = threshold(
        5.0,
        statement="Highest weight-based SL/oral dose (Hull 2022 started at ≈ 5 mg/kg; "
        "Andrade 2019 reports up to 7.0). Clinic policy: a prescriber must confirm.",
        unit="mg/kg",
        source=ORAL_SL_POLICY,
        minimum=0.5,
        maximum=7.0,
    )
    sublingual_min_mg: float = threshold(
        10.0,
        statement="Lowest SL/oral dose per session: 10 mg (Lara 2013). Clinic policy: a "
        "prescriber must confirm.",
        unit="mg",
        source=ORAL_SL_POLICY,
        minimum=5.0,
        maximum=100.0,
    )
    sublingual_max_mg: float = threshold(
        450.0,
        statement="Highest SL/oral dose per session: 450 mg (Hull 2022). Clinic policy: "
        "a prescriber must confirm.",
        unit="mg",
        source=ORAL_SL_POLICY,
        minimum=50.0,
        maximum=450.0,
    )
    sublingual_hold_minutes: int = threshold(
        15,
        statement="Time the troche/lozenge is held in the mouth before swallowing (Lara "
        "2013 held 5 min; 15 min is common practice). Clinic policy: a prescriber must confirm.",
        unit="min",
        source=CLINIC_POLICY,
        minimum=5,
        maximum=30,
    )

    # --- Observation and chair time (rule 7) ---
    esketamine_min_observation_minutes: int = threshold(
        120,
        statement="Esketamine: observe at least 2 hours counted from the first device, "
        "and until sedation, dissociation and respiratory depression resolve.",
        unit="min",
        source=SPRAVATO_REMS,
        minimum=120,
        maximum=240,
    )
    iv_min_observation_minutes: int = threshold(
        60,
        statement="IV: observe at least 60 minutes counted from the END of the infusion "
        "(practice: 30–60 min recovery; dissociation concentrates in the first hour). Clinic "
        "policy: a prescriber must confirm.",
        unit="min",
        source=CLINIC_POLICY,
        minimum=15,
        maximum=240,
    )
    im_min_observation_minutes: int = threshold(
        60,
        statement="IM: observe at least 60 minutes counted from the injection. Clinic "
        "policy: a prescriber must confirm.",
        unit="min",
        source=CLINIC_POLICY,
        minimum=15,
        maximum=240,
    )
    sublingual_min_observation_minutes: int = threshold(
        90,
        statement="SL/oral: observe at least 90 minutes counted from the END of the hold "
        "(slower, more variable absorption). Clinic policy: a prescriber must confirm.",
        unit="min",
        source=CLINIC_POLICY,
        minimum=15,
        maximum=240,
    )
    pre_dose_minutes: int = threshold(
        15,
        statement="Chair time before dosing (check-in, pre-dose vitals, line or device "
        "set-up), used only to plan chair occupancy. Clinic policy.",
        unit="min",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=60,
    )
