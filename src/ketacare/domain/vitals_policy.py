"""The vitals policy section: every vital-sign threshold with its default and source.

Policy section "vitals" of `ClinicPolicy` (re-exported by `ketacare.domain.vitals`). Pre-dose
hold/block lines (rule 5), in-session caution/act/emergency lines (§2.3: UNCONFIRMED defaults
needing clinic sign-off) and the monitoring cadence per route (rule 6). The rules reading them
live in vitals.py (`assess_reading`), predose.py, monitoring.py and discharge.py.

Sources: clinical-reference.md §2.1–2.3 and §8 rules 5–6.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.sources import (
    CLINIC_POLICY,
    IN_SESSION_ALERT_DEFAULTS,
    KETALAR_LABEL_RECOVERY,
    NCT05803551_EXCLUSIONS,
    RIVA_POSSE_2018,
    SPRAVATO_LABEL,
    SWISS_SMPC,
)
from ketacare.domain.thresholds import threshold

_UNCONFIRMED = " UNCONFIRMED default: a prescriber must confirm it."


@dataclass(frozen=True)
class VitalsPolicy:
    """Vital-sign thresholds (policy section "vitals").

    Pre-dose: a value past a *hold* line stops the dose until a prescriber decides; past the
    *block* line the dose is not given that day. In session: caution / act / emergency lines
    (UNCONFIRMED defaults needing clinic sign-off, clinical reference §2.3). Cadence: how often
    a reading is due on each route.
    """

    # --- Pre-dose gate (rule 5) ---
    predose_hold_systolic_mmhg: int = threshold(
        140,
        statement="Pre-dose systolic above 140 mmHg holds the dose for a prescriber's decision "
        "(label: weigh delaying the dose when BP is above 140/90).",
        unit="mmHg",
        source=SPRAVATO_LABEL,
        minimum=120,
        maximum=180,
    )
    predose_hold_diastolic_mmhg: int = threshold(
        90,
        statement="Pre-dose diastolic above 90 mmHg holds the dose for a prescriber's decision.",
        unit="mmHg",
        source=SPRAVATO_LABEL,
        minimum=70,
        maximum=110,
    )
    predose_block_systolic_mmhg: int = threshold(
        180,
        statement="Pre-dose systolic at or above 180 mmHg blocks the dose (uncontrolled "
        "hypertension). The SmPC says resting BP > 180/100; the engine blocks at ≥ 180 so a "
        "reading of exactly 180 is not dosed.",
        unit="mmHg",
        source=SWISS_SMPC,
        minimum=160,
        maximum=200,
    )
    predose_block_diastolic_mmhg: int = threshold(
        100,
        statement="Pre-dose diastolic at or above 100 mmHg blocks the dose (SmPC > 100, applied "
        "as ≥ 100).",
        unit="mmHg",
        source=SWISS_SMPC,
        minimum=90,
        maximum=120,
    )
    predose_min_systolic_mmhg: int = threshold(
        90,
        statement="Pre-dose systolic below 90 mmHg holds the dose (trial exclusion SBP < 90)."
        + _UNCONFIRMED,
        unit="mmHg",
        source=NCT05803551_EXCLUSIONS,
        minimum=70,
        maximum=110,
    )
    predose_min_heart_rate_bpm: int = threshold(
        50,
        statement="Pre-dose heart rate below 50 /min holds the dose (trial exclusion HR < 50)."
        + _UNCONFIRMED,
        unit="/min",
        source=NCT05803551_EXCLUSIONS,
        minimum=30,
        maximum=70,
    )
    predose_max_heart_rate_bpm: int = threshold(
        120,
        statement="Pre-dose heart rate above 120 /min holds the dose (trial exclusion HR > 120)."
        + _UNCONFIRMED,
        unit="/min",
        source=NCT05803551_EXCLUSIONS,
        minimum=90,
        maximum=150,
    )
    predose_min_spo2_pct: int = threshold(
        95,
        statement="Pre-dose SpO2 below 95% holds the dose (trial exclusion SpO2 < 95%)."
        + _UNCONFIRMED,
        unit="%",
        source=NCT05803551_EXCLUSIONS,
        minimum=85,
        maximum=100,
    )
    predose_min_respiratory_rate_per_min: int = threshold(
        10,
        statement="Pre-dose respiratory rate below 10 /min holds the dose (trial exclusion)."
        + _UNCONFIRMED,
        unit="/min",
        source=NCT05803551_EXCLUSIONS,
        minimum=6,
        maximum=14,
    )
    predose_max_respiratory_rate_per_min: int = threshold(
        30,
        statement="Pre-dose respiratory rate above 30 /min holds the dose (trial exclusion)."
        + _UNCONFIRMED,
        unit="/min",
        source=NCT05803551_EXCLUSIONS,
        minimum=20,
        maximum=40,
    )
    esketamine_fast_food_h: float = threshold(
        2.0,
        statement="Esketamine: no food for at least 2 hours before dosing (nausea, vomiting).",
        unit="h",
        source=SPRAVATO_LABEL,
        minimum=0,
        maximum=8,
    )
    esketamine_fast_liquids_min: int = threshold(
        30,
        statement="Esketamine: no liquids for at least 30 minutes before dosing.",
        unit="min",
        source=SPRAVATO_LABEL,
        minimum=0,
        maximum=240,
    )
    racemic_fast_food_h: float = threshold(
        2.0,
        statement="Racemic ketamine (IV, IM, SL): no food for this many hours before dosing; "
        "the esketamine label's 2 h used as the clinic default (0 turns the check off)."
        + _UNCONFIRMED,
        unit="h",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=8,
    )
    racemic_fast_liquids_min: int = threshold(
        30,
        statement="Racemic ketamine: no liquids for this many minutes before dosing (esketamine "
        "label's 30 min as the clinic default; 0 turns the check off)." + _UNCONFIRMED,
        unit="min",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=240,
    )
    escort_required_before_dosing: bool = threshold(
        True,
        statement="A responsible adult escort home must be confirmed before the dose is given "
        "(the patient may not leave alone after the session).",
        unit="yes/no",
        source=KETALAR_LABEL_RECOVERY,
    )

    # --- In-session alert lines (§2.3: UNCONFIRMED, need clinic sign-off) ---
    session_caution_systolic_mmhg: int = threshold(
        160,
        statement="In session, systolic at or above 160 mmHg is a caution." + _UNCONFIRMED,
        unit="mmHg",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=140,
        maximum=200,
    )
    session_caution_diastolic_mmhg: int = threshold(
        100,
        statement="In session, diastolic at or above 100 mmHg is a caution." + _UNCONFIRMED,
        unit="mmHg",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=90,
        maximum=120,
    )
    session_act_systolic_mmhg: int = threshold(
        180,
        statement="In session, systolic at or above 180 mmHg: a clinician must act." + _UNCONFIRMED,
        unit="mmHg",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=160,
        maximum=220,
    )
    session_act_diastolic_mmhg: int = threshold(
        110,
        statement="In session, diastolic at or above 110 mmHg: a clinician must act."
        + _UNCONFIRMED,
        unit="mmHg",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=95,
        maximum=130,
    )
    session_emergency_systolic_mmhg: int = threshold(
        200,
        statement="Systolic at or above 200 mmHg is an emergency." + _UNCONFIRMED,
        unit="mmHg",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=180,
        maximum=240,
    )
    session_emergency_diastolic_mmhg: int = threshold(
        120,
        statement="Diastolic at or above 120 mmHg is an emergency." + _UNCONFIRMED,
        unit="mmHg",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=100,
        maximum=140,
    )
    session_low_systolic_mmhg: int = threshold(
        90,
        statement="In session, systolic below 90 mmHg is a caution (hypotension)." + _UNCONFIRMED,
        unit="mmHg",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=70,
        maximum=110,
    )
    session_caution_heart_rate_bpm: int = threshold(
        110,
        statement="In session, heart rate above 110 /min is a caution." + _UNCONFIRMED,
        unit="/min",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=90,
        maximum=140,
    )
    session_act_heart_rate_bpm: int = threshold(
        120,
        statement="In session, heart rate above 120 /min: a clinician must act." + _UNCONFIRMED,
        unit="/min",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=100,
        maximum=160,
    )
    session_low_heart_rate_bpm: int = threshold(
        50,
        statement="In session, heart rate below 50 /min is a caution." + _UNCONFIRMED,
        unit="/min",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=30,
        maximum=60,
    )
    session_caution_spo2_pct: int = threshold(
        94,
        statement="In session, SpO2 below 94% is a caution." + _UNCONFIRMED,
        unit="%",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=88,
        maximum=98,
    )
    session_act_spo2_pct: int = threshold(
        90,
        statement="In session, SpO2 below 90%: a clinician must act." + _UNCONFIRMED,
        unit="%",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=85,
        maximum=95,
    )
    session_emergency_spo2_pct: int = threshold(
        85,
        statement="SpO2 below 85% is an emergency." + _UNCONFIRMED,
        unit="%",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=75,
        maximum=90,
    )
    session_act_respiratory_rate_per_min: int = threshold(
        10,
        statement="In session, respiratory rate below 10 /min: a clinician must act "
        "(respiratory depression)." + _UNCONFIRMED,
        unit="/min",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=6,
        maximum=12,
    )
    session_caution_moaas: int = threshold(
        3,
        statement="MOAA/S at or below 3 (responds only to a loud or repeated name) is a "
        "caution." + _UNCONFIRMED,
        unit="MOAA/S",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=2,
        maximum=4,
    )
    session_act_moaas: int = threshold(
        2,
        statement="MOAA/S at or below 2 (responds only to prodding): a clinician must act."
        + _UNCONFIRMED,
        unit="MOAA/S",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=1,
        maximum=3,
    )
    session_emergency_moaas: int = threshold(
        0,
        statement="MOAA/S 0 (no response to pain; loss of consciousness in the esketamine "
        "label) is an emergency." + _UNCONFIRMED,
        unit="MOAA/S",
        source=IN_SESSION_ALERT_DEFAULTS,
        minimum=0,
        maximum=1,
    )

    # --- Monitoring cadence (rule 6) ---
    iv_interval_during_min: int = threshold(
        10,
        statement="IV: a reading every 10 minutes during the infusion.",
        unit="min",
        source=RIVA_POSSE_2018,
        minimum=1,
        maximum=15,
    )
    iv_interval_after_min: int = threshold(
        15,
        statement="IV: a reading every 15 minutes after the infusion until discharge.",
        unit="min",
        source=RIVA_POSSE_2018,
        minimum=5,
        maximum=30,
    )
    esketamine_check_min: int = threshold(
        40,
        statement="Esketamine: re-check BP about 40 minutes after dosing (counted from the "
        "first device, as the REMS form counts), when the rise peaks.",
        unit="min",
        source=SPRAVATO_LABEL,
        minimum=30,
        maximum=60,
    )
    esketamine_check_early_min: int = threshold(
        5,
        statement="Esketamine: a reading up to 5 minutes before the 40-minute mark counts as "
        "the 40-minute check ('about 40 minutes')." + _UNCONFIRMED,
        unit="min",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=10,
    )
    esketamine_followup_interval_min: int = threshold(
        30,
        statement="Esketamine: after the 40-minute check, a reading at least every 30 minutes "
        "until discharge (the label says 'as clinically warranted')." + _UNCONFIRMED,
        unit="min",
        source=CLINIC_POLICY,
        minimum=5,
        maximum=60,
    )
    im_interval_min: int = threshold(
        15,
        statement="IM: a reading every 15 minutes from the injection until discharge."
        + _UNCONFIRMED,
        unit="min",
        source=CLINIC_POLICY,
        minimum=5,
        maximum=30,
    )
    sublingual_interval_min: int = threshold(
        15,
        statement="SL/oral: a reading every 15 minutes from the dose until discharge."
        + _UNCONFIRMED,
        unit="min",
        source=CLINIC_POLICY,
        minimum=5,
        maximum=30,
    )
    predose_reading_max_age_min: int = threshold(
        60,
        statement="The pre-dose reading must be taken within 60 minutes before the dose."
        + _UNCONFIRMED,
        unit="min",
        source=CLINIC_POLICY,
        minimum=5,
        maximum=240,
    )
    cadence_grace_min: int = threshold(
        5,
        statement="A reading overdue by up to 5 minutes is a caution; later, staff must act."
        + _UNCONFIRMED,
        unit="min",
        source=CLINIC_POLICY,
        minimum=0,
        maximum=15,
    )


__all__ = ["VitalsPolicy"]
