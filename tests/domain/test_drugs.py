"""Drug table, lookup and diazepam equivalents (clinical reference §3.4; Ashton table)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.domain.drugs import (
    DrugClass,
    diazepam_equivalent_mg_per_day,
    known_drugs,
    lookup_drug,
    normalise_drug_name,
    rems_medication_flags,
)
from ketacare.domain.errors import InvalidInput
from ketacare.domain.sources import ASHTON_BZD_EQUIVALENCE, WHO_2009_BZD_EQUIVALENCE

BENZODIAZEPINES = [d for d in known_drugs().values() if d.is_a(DrugClass.BENZODIAZEPINE)]


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("alprazolam", "alprazolam"),
        ("Xanax", "alprazolam"),
        ("  KLONOPIN ", "clonazepam"),
        ("Ativan", "lorazepam"),
        ("depakote", "valproate"),
        ("Sodium  Valproate", "valproate"),
        ("adrenaline", "epinephrine"),
        ("St John's Wort", "st john's wort"),
        ("rifampin", "rifampicin"),
    ],
)
def test_lookup_finds_generic_and_brand_names_case_and_space_insensitively(name, generic):
    assert lookup_drug(name).name == generic


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        ("theophylline", DrugClass.XANTHINE),
        ("aminophylline", DrugClass.XANTHINE),
        ("phenelzine", DrugClass.MAOI),
        ("tranylcypromine", DrugClass.MAOI),
        ("moclobemide", DrugClass.MAOI),
        ("lithium", DrugClass.MOOD_STABILISER),
        ("lithium", DrugClass.NMDA_ACTIVE),
        ("valproate", DrugClass.MOOD_STABILISER),
        ("lamotrigine", DrugClass.GLUTAMATE_MODULATOR),
        ("riluzole", DrugClass.GLUTAMATE_MODULATOR),
        ("memantine", DrugClass.NMDA_ACTIVE),
        ("acamprosate", DrugClass.NMDA_ACTIVE),
        ("zolpidem", DrugClass.Z_DRUG),
        ("eszopiclone", DrugClass.Z_DRUG),
        ("methylphenidate", DrugClass.PSYCHOSTIMULANT),
        ("modafinil", DrugClass.PSYCHOSTIMULANT),
        ("armodafinil", DrugClass.PSYCHOSTIMULANT),
        ("lisdexamfetamine", DrugClass.PSYCHOSTIMULANT),
        ("oxycodone", DrugClass.OPIOID),
        ("tramadol", DrugClass.OPIOID),
        ("gabapentin", DrugClass.OTHER_CNS_DEPRESSANT),
        ("pregabalin", DrugClass.OTHER_CNS_DEPRESSANT),
        ("phenobarbital", DrugClass.OTHER_CNS_DEPRESSANT),
        ("hydroxyzine", DrugClass.OTHER_CNS_DEPRESSANT),
        ("alcohol", DrugClass.OTHER_CNS_DEPRESSANT),
        ("pseudoephedrine", DrugClass.SYMPATHOMIMETIC),
        ("vasopressin", DrugClass.SYMPATHOMIMETIC),
        ("sertraline", DrugClass.ANTIDEPRESSANT),
        ("venlafaxine", DrugClass.ANTIDEPRESSANT),
        ("phenelzine", DrugClass.ANTIDEPRESSANT),
        ("buspirone", DrugClass.ANXIOLYTIC),
        ("quetiapine", DrugClass.ANTIPSYCHOTIC),
        ("cannabis", DrugClass.CANNABINOID),
        ("carbamazepine", DrugClass.CYP_INDUCER),
        ("clarithromycin", DrugClass.CYP_INHIBITOR),
    ],
)
def test_drugs_belong_to_their_interaction_class(name, drug_class):
    assert lookup_drug(name).is_a(drug_class)


def test_common_non_interacting_medicines_are_recordable_with_no_class():
    assert lookup_drug("metformin").classes == frozenset()


def test_an_unknown_drug_raises_a_clear_error_naming_the_field_with_suggestions():
    with pytest.raises(InvalidInput) as caught:
        lookup_drug("sertralin", field="medications[0].name")
    assert caught.value.field == "medications[0].name"
    assert "'sertralin'" in caught.value.message
    assert "'sertraline'" in caught.value.message


def test_an_unknown_drug_without_close_match_names_the_default_field():
    with pytest.raises(InvalidInput) as caught:
        lookup_drug("qqqqqq")
    assert caught.value.field == "drug_name"
    assert "Did you mean" not in caught.value.message


def test_an_empty_drug_name_is_refused():
    with pytest.raises(InvalidInput) as caught:
        lookup_drug("   ")
    assert caught.value.field == "drug_name"


# Ashton: oral dose ≈ 10 mg diazepam; WHO 2009 for midazolam.
@pytest.mark.parametrize(
    ("name", "dose_mg"),
    [
        ("alprazolam", 0.5),
        ("clonazepam", 0.5),
        ("lorazepam", 1),
        ("oxazepam", 20),
        ("temazepam", 20),
        ("chlordiazepoxide", 25),
        ("clobazam", 20),
        ("diazepam", 10),
        ("nitrazepam", 10),
        ("triazolam", 0.5),
        ("midazolam", 5),
        ("zolpidem", 20),
        ("zopiclone", 15),
    ],
)
def test_equivalent_doses_convert_to_10_mg_diazepam(name, dose_mg):
    assert diazepam_equivalent_mg_per_day(name, dose_mg) == pytest.approx(10.0)


def test_lorazepam_2_mg_a_day_is_20_mg_diazepam_equivalent():
    assert diazepam_equivalent_mg_per_day(lookup_drug("lorazepam"), 2) == pytest.approx(20.0)


def test_every_benzodiazepine_has_an_unconfirmed_equivalence_source():
    assert BENZODIAZEPINES
    for drug in BENZODIAZEPINES:
        assert drug.diazepam_10mg_equivalent_mg is not None, drug.name
        assert drug.equivalence_source in (ASHTON_BZD_EQUIVALENCE, WHO_2009_BZD_EQUIVALENCE)
        assert drug.equivalence_source is not None
        assert drug.equivalence_source.confirmed is False


def test_a_drug_without_equivalence_raises_naming_the_drug_field():
    with pytest.raises(InvalidInput) as caught:
        diazepam_equivalent_mg_per_day("sertraline", 50)
    assert caught.value.field == "drug"
    with pytest.raises(InvalidInput):
        diazepam_equivalent_mg_per_day("eszopiclone", 3)


@pytest.mark.parametrize("dose", [-1.0, math.nan, math.inf])
def test_a_negative_or_non_finite_dose_raises_naming_the_dose_field(dose):
    with pytest.raises(InvalidInput) as caught:
        diazepam_equivalent_mg_per_day("diazepam", dose)
    assert caught.value.field == "daily_dose_mg"


@given(st.sampled_from(BENZODIAZEPINES), st.floats(min_value=0, max_value=1000))
def test_diazepam_equivalent_is_proportional_to_the_dose(drug, dose):
    factor = drug.diazepam_10mg_equivalent_mg
    assert factor is not None
    eq = diazepam_equivalent_mg_per_day(drug, dose)
    assert eq >= 0
    assert eq == pytest.approx(dose * 10 / factor)
    assert diazepam_equivalent_mg_per_day(drug, dose * 2) == pytest.approx(2 * eq)


def test_rems_flags_answer_the_four_concomitant_medication_questions():
    flags = rems_medication_flags([lookup_drug("xanax"), lookup_drug("ritalin")])
    assert flags.benzodiazepine and flags.psychostimulant
    assert not flags.non_benzodiazepine_hypnotic and not flags.maoi
    flags = rems_medication_flags([lookup_drug("zolpidem"), lookup_drug("phenelzine")])
    assert flags.non_benzodiazepine_hypnotic and flags.maoi
    assert not flags.benzodiazepine and not flags.psychostimulant


def test_table_names_are_normalised_and_aliases_resolve_to_their_drug():
    for name, drug in known_drugs().items():
        assert name == normalise_drug_name(name) == drug.name
        for alias in drug.aliases:
            assert lookup_drug(alias) is drug
