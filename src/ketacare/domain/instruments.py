"""Rating instruments: GAD-7, PHQ-9, PCL-5, MOAA/S and CADSS-6 — items, answers, scoring, bands.

Each instrument is a frozen `Instrument` with its items (number, short text, LOINC item code where
known), allowed answers (with LOINC answer codes for GAD-7/PHQ-9), severity bands and LOINC panel
and total codes (clinical-reference §4, interop-reference §3.1). `score(...)` sums validated
answers and returns findings: a positive PHQ-9 item 9 is escalated at once, and item 9 = 0 is
never reported as "safe".

Item texts are short paraphrases for display; the licensed/official wording belongs to the
questionnaire rendering, not to scoring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import Finding, Severity, rule
from ketacare.domain.instrument_model import Answer, Band, Instrument, Item
from ketacare.domain.sources import (
    BLEVINS_2015,
    CADSS6_RODRIGUES_2021,
    LOINC_PHQ9,
    MOAAS_SCALE,
    PHQ9_ITEM9_ASSESSMENT,
    PHQ9_ITEM9_ZERO_NOT_SAFE,
    SPITZER_2006,
)

if TYPE_CHECKING:
    from ketacare.domain.outcomes import OutcomesPolicy

__all__ = [
    "DISSOCIATION",
    "GAD7",
    "INSTRUMENTS",
    "MOAAS",
    "PCL5",
    "PHQ9",
    "Answer",
    "Band",
    "Instrument",
    "Item",
    "ScoredInstrument",
    "score",
]

# Frequency anchors shared by GAD-7 and PHQ-9, with the LOINC LA answer codes.
_FREQUENCY = (
    Answer(0, "Not at all", "LA6568-5"),
    Answer(1, "Several days", "LA6569-3"),
    Answer(2, "More than half the days", "LA6570-1"),
    Answer(3, "Nearly every day", "LA6571-9"),
)

GAD7 = Instrument(
    code="gad7",
    name="GAD-7",
    items=(
        Item(1, "Feeling nervous, anxious or on edge", "69725-0"),
        Item(2, "Not being able to stop or control worrying", "68509-9"),
        Item(3, "Worrying too much about different things", "69733-4"),
        Item(4, "Trouble relaxing", "69734-2"),
        Item(5, "Being so restless that it is hard to sit still", "69735-9"),
        # Items 6 and 7 are swapped in at least one public app; the tests pin this order.
        Item(6, "Becoming easily annoyed or irritable", "69689-8"),
        Item(7, "Feeling afraid as if something awful might happen", "69736-7"),
    ),
    answers=_FREQUENCY,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    source=SPITZER_2006,
    lookback="last 2 weeks",
)

PHQ9_SUICIDE_ITEM = 9

PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9",
    items=(
        Item(1, "Little interest or pleasure in doing things", "44250-9"),
        Item(2, "Feeling down, depressed or hopeless", "44255-8"),
        Item(3, "Trouble falling or staying asleep, or sleeping too much", "44259-0"),
        Item(4, "Feeling tired or having little energy", "44254-1"),
        Item(5, "Poor appetite or overeating", "44251-7"),
        Item(6, "Feeling bad about yourself, or that you are a failure", "44258-2"),
        Item(7, "Trouble concentrating on things", "44252-5"),
        Item(8, "Moving or speaking slowly, or being fidgety or restless", "44253-3"),
        Item(9, "Thoughts that you would be better off dead or of hurting yourself", "44260-8"),
    ),
    answers=_FREQUENCY,
    # LOINC 44261-6 starts "minimal" at 1 and LL382-3 calls 0–4 "None": 0 joins "minimal" here.
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    source=LOINC_PHQ9,
    lookback="last 2 weeks",
)

PCL5_CLUSTERS: tuple[tuple[str, range, int], ...] = (
    # (DSM-5 cluster, item numbers, items needed at ≥ 2 "moderately")
    ("B (intrusion)", range(1, 6), 1),
    ("C (avoidance)", range(6, 8), 1),
    ("D (cognition and mood)", range(8, 15), 2),
    ("E (arousal and reactivity)", range(15, 21), 2),
)
PCL5_ENDORSED_AT = 2

PCL5 = Instrument(
    code="pcl5",
    name="PCL-5",
    items=tuple(
        Item(n, text)
        for n, text in enumerate(
            (
                "Repeated, disturbing, unwanted memories of the stressful experience",
                "Repeated, disturbing dreams of the stressful experience",
                "Suddenly feeling or acting as if the experience were happening again",
                "Feeling very upset when reminded of the experience",
                "Strong physical reactions when reminded of the experience",
                "Avoiding memories, thoughts or feelings related to the experience",
                "Avoiding external reminders of the experience",
                "Trouble remembering important parts of the experience",
                "Strong negative beliefs about yourself, other people or the world",
                "Blaming yourself or someone else for the experience or what followed",
                "Strong negative feelings such as fear, horror, anger, guilt or shame",
                "Loss of interest in activities you used to enjoy",
                "Feeling distant or cut off from other people",
                "Trouble experiencing positive feelings",
                "Irritable behaviour, angry outbursts or acting aggressively",
                "Taking too many risks or doing things that could cause you harm",
                "Being 'superalert', watchful or on guard",
                "Feeling jumpy or easily startled",
                "Having difficulty concentrating",
                "Trouble falling or staying asleep",
            ),
            start=1,
        )
    ),
    answers=(
        Answer(0, "Not at all"),
        Answer(1, "A little bit"),
        Answer(2, "Moderately"),
        Answer(3, "Quite a bit"),
        Answer(4, "Extremely"),
    ),
    bands=(),  # no empirically derived severity bands (reference §4.3)
    loinc_panel="101697-1",
    loinc_total=None,  # PCL-5 total-score LOINC: UNCONFIRMED
    source=BLEVINS_2015,
    lookback="past month",
)

MOAAS = Instrument(
    code="moaas",
    name="MOAA/S",
    items=(Item(1, "Responsiveness (observer-rated)"),),
    answers=(
        Answer(0, "No response to painful trapezius squeeze"),
        Answer(1, "Responds only after painful trapezius squeeze"),
        Answer(2, "Responds only after mild prodding or shaking"),
        Answer(3, "Responds only after name called loudly and/or repeatedly"),
        Answer(4, "Lethargic response to name in normal tone"),
        Answer(5, "Responds readily to name spoken in normal tone (alert)"),
    ),
    bands=(
        Band(0, 0, "unresponsive"),
        Band(1, 1, "responds to pain"),
        Band(2, 2, "responds to prodding"),
        Band(3, 3, "responds to loud voice"),
        Band(4, 4, "lethargic"),
        Band(5, 5, "alert"),
    ),
    loinc_panel=None,
    loinc_total=None,
    source=MOAAS_SCALE,
    lookback="at the time of rating",
    outcome_measure=False,
    higher_is_worse=False,
)

CADSS6_ORIGINAL_ITEMS = (1, 2, 6, 7, 15, 22)

DISSOCIATION = Instrument(
    code="cadss6",
    name="CADSS-6",
    # Wording is not in the reference (UNCONFIRMED): neutral labels naming the original item.
    items=tuple(
        Item(n, f"CADSS original item {orig}")
        for n, orig in enumerate(CADSS6_ORIGINAL_ITEMS, start=1)
    ),
    answers=(
        Answer(0, "Not at all"),
        Answer(1, "Slightly"),
        Answer(2, "Moderately"),
        Answer(3, "Considerably"),
        Answer(4, "Extremely"),
    ),
    bands=(),  # no published bands for CADSS-6
    loinc_panel=None,
    loinc_total=None,
    source=CADSS6_RODRIGUES_2021,
    lookback="during and after the session",
    outcome_measure=False,
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (GAD7, PHQ9, PCL5, MOAAS, DISSOCIATION)}

PHQ9_ITEM9_POSITIVE = rule(
    "instruments.phq9_item9_positive",
    "A PHQ-9 item 9 answer at or above the alert level (default 1, 'Several days') requires a "
    "structured suicide risk assessment (e.g. C-SSRS) before the visit ends.",
    PHQ9_ITEM9_ASSESSMENT,
    params=("outcomes.phq9_item9_alert_at",),
)
PHQ9_ITEM9_ZERO = rule(
    "instruments.phq9_item9_zero_not_safe",
    "PHQ-9 item 9 answered 'Not at all' does not rule out suicide risk; it is never shown as safe.",
    PHQ9_ITEM9_ZERO_NOT_SAFE,
)
PCL5_PROVISIONAL_TOTAL = rule(
    "instruments.pcl5_provisional_ptsd_total",
    "A PCL-5 total at or above the cut-off (default 33; 31–33 published) suggests provisional "
    "PTSD.",
    BLEVINS_2015,
    params=("outcomes.pcl5_provisional_ptsd_at",),
)
PCL5_PROVISIONAL_CLUSTERS = rule(
    "instruments.pcl5_provisional_ptsd_clusters",
    "PCL-5 items rated ≥ 2 count as endorsed; ≥ 1 of items 1–5 (B), ≥ 1 of 6–7 (C), ≥ 2 of 8–14 "
    "(D) and ≥ 2 of 15–20 (E) suggest provisional PTSD by the DSM-5 rule.",
    BLEVINS_2015,
)


@dataclass(frozen=True)
class ScoredInstrument:
    """A scored questionnaire: answers in item order, total, band (None if the scale has none)."""

    instrument: Instrument = field(repr=False)
    answers: tuple[int, ...]
    total: int
    band: str | None
    findings: tuple[Finding, ...]

    def answer_to(self, item_number: int) -> int:
        self.instrument.item(item_number)
        return self.answers[item_number - 1]


def score(
    instrument: Instrument, answers: Mapping[int, int] | Sequence[int], *, policy: OutcomesPolicy
) -> ScoredInstrument:
    """Validate and score one completed questionnaire.

    `answers` is either a mapping of 1-based item number → points, or a sequence in item order.
    Every item must be answered with a whole number in the instrument's answer range; anything
    else raises InvalidInput naming the item (field "<code>.item<n>"). The PHQ-9 item 9 alert
    level and the PCL-5 cut-off come from `policy` (the clinic's OutcomesPolicy). MOAA/S and
    CADSS-6 are scored here without findings: in-session sedation alerts belong to
    `vitals.assess_reading`, which reads the clinic's MOAA/S alert levels.
    """
    ordered = _ordered_answers(instrument, answers)
    total = sum(ordered)
    findings: list[Finding] = []
    if instrument.code == PHQ9.code:
        findings += _phq9_item9(ordered[PHQ9_SUICIDE_ITEM - 1], policy.phq9_item9_alert_at)
    elif instrument.code == PCL5.code:
        findings += _pcl5(ordered, total, policy.pcl5_provisional_ptsd_at)
    return ScoredInstrument(instrument, ordered, total, instrument.band_for(total), tuple(findings))


def _ordered_answers(
    instrument: Instrument, answers: Mapping[int, int] | Sequence[int]
) -> tuple[int, ...]:
    count = len(instrument.items)
    if isinstance(answers, Mapping):
        for key in answers:
            if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= count:
                raise InvalidInput(
                    f"{instrument.name} has items 1–{count}; got item {key!r}",
                    field=f"{instrument.code}.items",
                )
        by_number = dict(answers)
    elif isinstance(answers, str | bytes):
        raise InvalidInput(
            f"{instrument.name} answers must be numbers, one per item",
            field=f"{instrument.code}.items",
        )
    else:
        if len(answers) != count:
            raise InvalidInput(
                f"{instrument.name} needs {count} answers, one per item; got {len(answers)}",
                field=f"{instrument.code}.items",
            )
        by_number = {n: a for n, a in enumerate(answers, start=1)}
    return tuple(
        _checked(instrument, item, by_number.get(item.number)) for item in instrument.items
    )


def _checked(instrument: Instrument, item: Item, value: object) -> int:
    name = f"{instrument.name} item {item.number} ({item.text})"
    allowed = f"{instrument.item_min}–{instrument.item_max}"
    field = f"{instrument.code}.item{item.number}"
    if value is None:
        raise InvalidInput(f"{name} is not answered; answer {allowed}", field=field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number {allowed}; got {value!r}", field=field)
    if not instrument.item_min <= value <= instrument.item_max:
        raise InvalidInput(f"{name} must be {allowed}; got {value}", field=field)
    return value


def _phq9_item9(item9: int, alert_at: int) -> list[Finding]:
    label = PHQ9.answer(item9).label
    if item9 >= alert_at:
        return [
            PHQ9_ITEM9_POSITIVE.finding(
                Severity.URGENT,
                f"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered "
                f"{item9} '{label}' (≥ {alert_at}): complete a structured suicide risk "
                f"assessment (e.g. C-SSRS) before the visit ends and tell the prescriber now.",
                item9=item9,
                alert_at=alert_at,
            )
        ]
    return [
        PHQ9_ITEM9_ZERO.finding(
            Severity.INFO,
            f"PHQ-9 item 9 answered {item9} '{label}': this does not rule out suicide risk (most "
            f"suicides in a VA cohort had answered 'Not at all'); keep asking.",
            item9=item9,
        )
    ]


def _pcl5(answers: tuple[int, ...], total: int, cut_off: int) -> list[Finding]:
    findings: list[Finding] = []
    if total >= cut_off:
        findings.append(
            PCL5_PROVISIONAL_TOTAL.finding(
                Severity.REVIEW,
                f"PCL-5 total {total} is at or above {cut_off}: provisional PTSD; confirm with a "
                f"clinical assessment.",
                total=total,
                cut_off=cut_off,
            )
        )
    endorsed = {
        name: sum(1 for n in items if answers[n - 1] >= PCL5_ENDORSED_AT)
        for name, items, _ in PCL5_CLUSTERS
    }
    if all(endorsed[name] >= need for name, _, need in PCL5_CLUSTERS):
        counts = ", ".join(
            f"{name.split()[0]} {endorsed[name]}/{need}" for name, _, need in PCL5_CLUSTERS
        )
        findings.append(
            PCL5_PROVISIONAL_CLUSTERS.finding(
                Severity.REVIEW,
                f"PCL-5 items endorsed (≥ {PCL5_ENDORSED_AT}) meet every DSM-5 cluster ({counts}): "
                f"provisional PTSD; confirm with a clinical assessment.",
                endorsed=endorsed,
            )
        )
    return findings
