"""Instruments: LOINC codes pinned, answer validation, totals, bands, safety findings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.errors import InvalidInput
from ketacare.domain.findings import RULES, Severity
from ketacare.domain.instruments import (
    DISSOCIATION,
    GAD7,
    INSTRUMENTS,
    MOAAS,
    PCL5,
    PHQ9,
    Instrument,
    score,
)
from ketacare.domain.outcomes import OutcomesPolicy
from ketacare.domain.thresholds import threshold_info

POLICY = OutcomesPolicy()


def rule_ids(scored: object) -> set[str]:
    return {f.rule_id for f in scored.findings}  # type: ignore[attr-defined]


# --- LOINC codes (interop-reference §3.1) -----------------------------------------------------


def test_gad7_item_codes_are_in_question_order_with_item6_annoyed_and_item7_afraid() -> None:
    assert [i.loinc for i in GAD7.items] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    assert GAD7.item(6).loinc == "69689-8" and "annoyed" in GAD7.item(6).text
    assert GAD7.item(7).loinc == "69736-7" and "afraid" in GAD7.item(7).text


def test_gad7_panel_and_total_codes() -> None:
    assert (GAD7.loinc_panel, GAD7.loinc_total) == ("69737-5", "70274-6")


def test_phq9_item_codes_are_in_question_order_with_item9_the_suicide_item() -> None:
    assert [i.loinc for i in PHQ9.items] == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert "dead" in PHQ9.item(9).text
    assert (PHQ9.loinc_panel, PHQ9.loinc_total) == ("44249-1", "44261-6")


@pytest.mark.parametrize("instrument", [GAD7, PHQ9])
def test_frequency_answers_carry_the_loinc_la_codes(instrument: Instrument) -> None:
    assert [(a.value, a.label, a.loinc) for a in instrument.answers] == [
        (0, "Not at all", "LA6568-5"),
        (1, "Several days", "LA6569-3"),
        (2, "More than half the days", "LA6570-1"),
        (3, "Nearly every day", "LA6571-9"),
    ]


def test_pcl5_has_panel_101697_1_and_no_confirmed_total_code() -> None:
    assert PCL5.loinc_panel == "101697-1"
    assert PCL5.loinc_total is None
    assert all(i.loinc is None for i in PCL5.items)


# --- Shape and ranges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "items", "item_max", "total_max"),
    [
        (GAD7, 7, 3, 21),
        (PHQ9, 9, 3, 27),
        (PCL5, 20, 4, 80),
        (MOAAS, 1, 5, 5),
        (DISSOCIATION, 6, 4, 24),
    ],
)
def test_each_instrument_has_the_published_item_count_and_ranges(
    instrument: Instrument, items: int, item_max: int, total_max: int
) -> None:
    assert len(instrument.items) == items
    assert [i.number for i in instrument.items] == list(range(1, items + 1))
    assert (instrument.item_min, instrument.item_max) == (0, item_max)
    assert (instrument.total_min, instrument.total_max) == (0, total_max)


def test_instruments_are_looked_up_by_code() -> None:
    assert INSTRUMENTS == {
        "gad7": GAD7,
        "phq9": PHQ9,
        "pcl5": PCL5,
        "moaas": MOAAS,
        "cadss6": DISSOCIATION,
    }


def test_cadss6_uses_original_items_1_2_6_7_15_22_with_unconfirmed_wording() -> None:
    originals = [i.text.rsplit(" ", 1)[-1] for i in DISSOCIATION.items]
    assert originals == ["1", "2", "6", "7", "15", "22"]
    assert DISSOCIATION.source.confirmed is False
    assert DISSOCIATION.bands == ()


def test_moaas_anchors_run_from_no_response_at_0_to_alert_at_5() -> None:
    assert "No response" in MOAAS.answer(0).label
    assert "alert" in MOAAS.answer(5).label
    assert MOAAS.higher_is_worse is False
    assert not MOAAS.outcome_measure and not DISSOCIATION.outcome_measure


# --- Bands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_cut_at_5_10_15(total: int, band: str) -> None:
    assert GAD7.band_for(total) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_cut_at_5_10_15_20(total: int, band: str) -> None:
    assert PHQ9.band_for(total) == band


def test_pcl5_and_cadss6_have_no_bands() -> None:
    assert PCL5.band_for(50) is None
    assert DISSOCIATION.band_for(12) is None


def test_a_total_outside_the_range_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        GAD7.band_for(22)
    assert err.value.field == "gad7.total"


# --- Scoring and validation -------------------------------------------------------------------


def test_a_sequence_and_a_mapping_of_answers_score_the_same() -> None:
    as_list = score(GAD7, [1, 2, 3, 0, 1, 2, 3], policy=POLICY)
    as_map = score(GAD7, {7: 3, 6: 2, 5: 1, 4: 0, 3: 3, 2: 2, 1: 1}, policy=POLICY)
    assert as_list.total == as_map.total == 12
    assert as_list.answers == as_map.answers == (1, 2, 3, 0, 1, 2, 3)
    assert as_list.band == "moderate"
    assert as_list.answer_to(6) == 2


def test_an_answer_out_of_range_names_the_item_and_what_is_allowed() -> None:
    with pytest.raises(InvalidInput) as err:
        score(GAD7, [0, 0, 0, 4, 0, 0, 0], policy=POLICY)
    assert err.value.message == "GAD-7 item 4 (Trouble relaxing) must be 0–3; got 4"
    assert err.value.field == "gad7.item4"


def test_a_missing_answer_names_the_item() -> None:
    with pytest.raises(InvalidInput) as err:
        score(GAD7, {1: 0, 2: 0, 3: 0, 5: 0, 6: 0, 7: 0}, policy=POLICY)
    assert err.value.field == "gad7.item4"
    assert "Trouble relaxing" in err.value.message and "not answered" in err.value.message


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([0, 0, 0, 0, 0, 0, -1], "gad7.item7"),
        ([0, 0, 0, 0, 0, 0, 1.0], "gad7.item7"),
        ([0, 0, 0, 0, 0, 0, True], "gad7.item7"),
        ([0, 0, 0, 0, 0, 0, "1"], "gad7.item7"),
        ([0, 0, 0, 0, 0, 0], "gad7.items"),
        ([0, 0, 0, 0, 0, 0, 0, 0], "gad7.items"),
        ({1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0}, "gad7.items"),
        ("0000000", "gad7.items"),
    ],
)
def test_malformed_answers_are_refused(answers: object, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        score(GAD7, answers, policy=POLICY)  # type: ignore[arg-type]
    assert err.value.field == field


@given(st.sampled_from(list(INSTRUMENTS.values())), st.data())
def test_any_valid_answers_score_within_the_instrument_range(
    instrument: Instrument, data: st.DataObject
) -> None:
    answers = data.draw(
        st.lists(
            st.integers(instrument.item_min, instrument.item_max),
            min_size=len(instrument.items),
            max_size=len(instrument.items),
        )
    )
    scored = score(instrument, answers, policy=POLICY)
    assert scored.total == sum(answers)
    assert instrument.total_min <= scored.total <= instrument.total_max
    assert (scored.band is None) == (instrument.bands == ())


# --- PHQ-9 item 9 -----------------------------------------------------------------------------


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_at_or_above_1_is_an_urgent_safety_finding(item9: int) -> None:
    scored = score(PHQ9, [0] * 8 + [item9], policy=POLICY)
    urgent = [f for f in scored.findings if f.severity is Severity.URGENT]
    assert [f.rule_id for f in urgent] == ["instruments.phq9_item9_positive"]
    assert "C-SSRS" in urgent[0].message and f"answered {item9}" in urgent[0].message


def test_phq9_item9_positive_escalates_even_when_the_total_is_minimal() -> None:
    scored = score(PHQ9, [0] * 8 + [1], policy=POLICY)
    assert scored.band == "minimal"
    assert "instruments.phq9_item9_positive" in rule_ids(scored)


def test_phq9_item9_at_0_is_never_reported_as_safe() -> None:
    scored = score(PHQ9, [3] * 8 + [0], policy=POLICY)
    assert rule_ids(scored) == {"instruments.phq9_item9_zero_not_safe"}
    note = scored.findings[0]
    assert note.severity is Severity.INFO
    assert "does not rule out suicide risk" in note.message


def test_the_item9_alert_level_cannot_be_raised_above_1() -> None:
    info = threshold_info(OutcomesPolicy, "phq9_item9_alert_at")
    assert (info.minimum, info.maximum) == (1, 1)


# --- PCL-5 ------------------------------------------------------------------------------------


def pcl5_with_total(total: int) -> list[int]:
    """Answers spread over items 1–20 that reach `total` without meeting the cluster rule
    (only items 1–5 and 8–20 in steps of 1, avoidance items 6–7 left at 0)."""
    answers = [0] * 20
    order = [0, 1, 2, 3, 4, *range(7, 20)]
    for i in range(total):
        answers[order[i % len(order)]] += 1
    return answers


@pytest.mark.parametrize(
    ("total", "cut_off", "provisional"),
    [(32, 33, False), (33, 33, True), (30, 31, False), (31, 31, True)],
)
def test_pcl5_total_at_or_above_the_cut_off_is_provisional_ptsd(
    total: int, cut_off: int, provisional: bool
) -> None:
    scored = score(
        PCL5, pcl5_with_total(total), policy=OutcomesPolicy(pcl5_provisional_ptsd_at=cut_off)
    )
    assert scored.total == total
    assert ("instruments.pcl5_provisional_ptsd_total" in rule_ids(scored)) is provisional
    assert "instruments.pcl5_provisional_ptsd_clusters" not in rule_ids(scored)


def cluster_minimum() -> list[int]:
    """Exactly B1, C1, D2, E2 items at 2 ('moderately'): total 12."""
    answers = [0] * 20
    for item in (1, 6, 8, 9, 15, 16):
        answers[item - 1] = 2
    return answers


def test_pcl5_cluster_rule_met_with_the_minimum_endorsed_items() -> None:
    scored = score(PCL5, cluster_minimum(), policy=POLICY)
    assert scored.total == 12
    assert rule_ids(scored) == {"instruments.pcl5_provisional_ptsd_clusters"}


@pytest.mark.parametrize("missing_item", [1, 6, 9, 16])
def test_pcl5_cluster_rule_fails_when_one_cluster_is_one_item_short(missing_item: int) -> None:
    answers = cluster_minimum()
    answers[missing_item - 1] = 1  # rated 1 "a little bit": not endorsed
    assert rule_ids(score(PCL5, answers, policy=POLICY)) == set()


# --- MOAA/S -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [0, 1, 2, 3, 4, 5])
def test_moaas_is_scored_without_findings_because_vitals_owns_sedation_alerts(rating: int) -> None:
    scored = score(MOAAS, [rating], policy=POLICY)
    assert scored.findings == ()
    assert scored.band == MOAAS.bands[rating].label


def test_every_instrument_rule_is_registered_with_its_source() -> None:
    for rule_id in (
        "instruments.phq9_item9_positive",
        "instruments.phq9_item9_zero_not_safe",
        "instruments.pcl5_provisional_ptsd_total",
        "instruments.pcl5_provisional_ptsd_clusters",
    ):
        assert RULES[rule_id].source.citation
