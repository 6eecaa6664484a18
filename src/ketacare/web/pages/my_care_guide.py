"""'What to expect' for a patient, in plain words, per route — built from the route's session
shape and the clinic's policy (every number that is a clinic threshold is read from there), plus
the descriptive facts of the clinical reference (how common an effect is, how long it lasts),
each with its source for the small print.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.domain.discharge import ESCORT_INSTRUCTION, NO_DRIVING_INSTRUCTION
from ketacare.domain.policy import ClinicPolicy
from ketacare.domain.routes import ObservationAnchor, Route, session_shape
from ketacare.domain.sources import (
    KETALAR_LABEL_RECOVERY,
    RIVA_POSSE_2018,
    SPRAVATO_LABEL,
    SPRAVATO_REMS,
    Source,
)
from ketacare.services.my_care import ROUTE_NAMES

# Display-only citations for descriptive facts (not thresholds; no rule rests on them).
SEDATION_TIME_COURSE = Source(
    "jnj-sedation",
    "J&J Medical Connect: Spravato sedation and somnolence (MOAA/S time course)",
    "https://www.jnjmedicalconnect.com/products/spravato/medical-content/"
    "adverse-event-of-spravato-sedation-and-somnolence",
)
SPRAVATO_BP = Source(
    "spravato-bp",
    "Spravato label, important safety information (blood pressure rise and duration)",
    "https://www.usmedicine.com/2021online-dir/inc/html/33.html",
)
CONSENT_FORM_PRACTICE = Source(
    "ketamine-consent-practice",
    "A ketamine clinic's consent form (practice, not a guideline): experience length, "
    "dizziness and nausea",
    "https://docs.google.com/forms/d/e/1FAIpQLSfdRzE0O9H-jTCEdA6dC64LJSyhX0yNGJ_utYsgdyDmJqaIgw/"
    "viewform",
    confirmed=False,
)
GLUE_2018 = Source(
    "glue-2018",
    "Glue et al. J Psychopharmacol 2018;32(6):663–667 (common effects in anxiety patients)",
    "https://citclinics.com/science-research/ketamine-in-patients-with-gad-and-sad/",
)
SPRAVATO_COGNITION = Source(
    "spravato-label-5-7",
    "Spravato label 5.7: one dose impaired thinking 40 minutes later in healthy volunteers",
    "http://www.120ty.net/bencandy.php?aid=58243&fid=134&page=7",
)


@dataclass(frozen=True)
class Effect:
    name: str
    what: str
    how_long: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Guide:
    route: Route
    route_name: str
    onset: str
    session_length: str
    time_in_clinic_min: int
    effects: tuple[Effect, ...]
    driving: tuple[str, ...]
    monitoring: tuple[str, ...]
    warning_signs: str
    sources: tuple[Source, ...]


def _minutes(value: float) -> str:
    n = round(value)
    return f"{n} minute" if n == 1 else f"{n} minutes"


def _onset(route: Route, early: float, late: float, dosing_min: int) -> str:
    if route is Route.IV:
        return (
            f"You may start to feel it within about {_minutes(early)}, and it builds gently "
            f"through the {_minutes(dosing_min)} of the infusion."
        )
    if route is Route.IM:
        return (
            f"It works quickly: the effect is strongest about {_minutes(early)} after the "
            "injection."
        )
    if route is Route.ESKETAMINE_NASAL:
        return (
            f"The effect builds over about {round(early)}–{_minutes(late)} after the spray. "
            "Sleepiness, if it comes, usually starts about 15 minutes in and is strongest at "
            "30–45 minutes."
        )
    return (
        f"You hold the lozenge in your mouth for {_minutes(dosing_min)}; the effect is usually "
        f"strongest {round(early)}–{_minutes(late)} after you start."
    )


def _effects(route: Route) -> tuple[Effect, ...]:
    dissociation = Effect(
        "Feeling detached or dreamlike",
        "Things may look, sound or feel unusual, or you may feel outside yourself. This is "
        "expected and passes."
        + (
            " Most people on esketamine notice it (about 6 or 7 in 10)."
            if route is Route.ESKETAMINE_NASAL
            else ""
        ),
        "Mostly in the first hour; the unusual state usually lasts about 45–50 minutes, "
        "sometimes 1–2 hours.",
        (SPRAVATO_LABEL, CONSENT_FORM_PRACTICE),
    )
    sleepy = Effect(
        "Sleepiness",
        "You may feel drowsy or heavy. The nurse checks how alert you are.",
        "Usually gone 1 to 1½ hours after the dose.",
        (SEDATION_TIME_COURSE,),
    )
    pressure = Effect(
        "Higher blood pressure",
        "Your blood pressure usually rises for a while; the nurse measures it.",
        "Highest about 40 minutes after the dose"
        + (
            " and lasting about 4 hours."
            if route is Route.ESKETAMINE_NASAL
            else "; back to your usual level during the observation time."
        ),
        (SPRAVATO_BP,) if route is Route.ESKETAMINE_NASAL else (RIVA_POSSE_2018,),
    )
    queasy = Effect(
        "Nausea, dizziness, blurred vision",
        "Some people feel sick, dizzy or see less sharply. Not eating beforehand helps with "
        "nausea.",
        "Dizziness or nausea can last 2–6 hours.",
        (GLUE_2018, CONSENT_FORM_PRACTICE),
    )
    return (dissociation, sleepy, pressure, queasy)


def _monitoring(route: Route, policy: ClinicPolicy) -> tuple[str, ...]:
    v = policy.vitals
    before = (
        "Before the dose a nurse checks your blood pressure, heart rate and breathing. If your "
        f"blood pressure is above {v.predose_hold_systolic_mmhg}/{v.predose_hold_diastolic_mmhg}, "
        "the dose waits until a prescriber decides."
    )
    if route is Route.IV:
        during = (
            f"During the infusion your blood pressure and pulse are checked every "
            f"{_minutes(v.iv_interval_during_min)}, then every {_minutes(v.iv_interval_after_min)} "
            "until you go home."
        )
    elif route is Route.ESKETAMINE_NASAL:
        during = (
            f"Your blood pressure is checked again about {_minutes(v.esketamine_check_min)} after "
            "the dose and before you leave; a clip on your finger (pulse oximeter) watches your "
            "oxygen and breathing."
        )
    elif route is Route.IM:
        during = (
            f"After the injection your vital signs are checked every {_minutes(v.im_interval_min)}."
        )
    else:
        during = (
            f"After the dose your vital signs are checked every "
            f"{_minutes(v.sublingual_interval_min)}."
        )
    return (before, during, "You leave only when the nurse's discharge checklist is complete.")


def guide_for(route: Route, policy: ClinicPolicy, device_count: int | None = None) -> Guide:
    shape = session_shape(route, policy.dosing, device_count=device_count)
    early, late = shape.peak_effect_window_min
    anchor = (
        "counted from the first spray"
        if shape.observation_anchor is ObservationAnchor.DOSE_START
        else "after the dose ends"
    )
    dosing = (
        f"about {_minutes(shape.dosing_min)} for the dose, "
        if shape.dosing_min
        else "a few minutes for the dose, "
    )
    length = (
        f"Plan on about {_minutes(shape.chair_min)} at the clinic: about "
        f"{_minutes(shape.pre_dose_min)} of checks before the dose, {dosing}then at least "
        f"{_minutes(shape.minimum_observation_min)} of rest and observation {anchor}."
    )
    driving = (
        NO_DRIVING_INSTRUCTION,
        "Ketamine slows reactions and judgement for longer than it feels: in one study a single "
        "dose still affected thinking 40 minutes later, even in healthy people.",
        ESCORT_INSTRUCTION if policy.discharge.escort_required else "Arrange a ride home.",
    )
    effects = _effects(route)
    cited: dict[str, Source] = {}
    for s in (
        shape.peak_effect_source,
        shape.observation_source,
        SPRAVATO_REMS,
        KETALAR_LABEL_RECOVERY,
        SPRAVATO_COGNITION,
    ):
        cited.setdefault(s.key, s)
    for effect in effects:
        for s in effect.sources:
            cited.setdefault(s.key, s)
    return Guide(
        route,
        ROUTE_NAMES[route],
        _onset(route, early, late, shape.dosing_min),
        length,
        shape.chair_min,
        effects,
        driving,
        _monitoring(route, policy),
        "Tell the nurse at once if you have chest pain, shortness of breath, a sudden severe "
        "headache, changes in your vision, or feel very unwell.",
        tuple(cited.values()),
    )
