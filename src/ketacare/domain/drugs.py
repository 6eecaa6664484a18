"""Interacting drugs: the classes that matter for ketamine, a lookup table, and dose equivalents.

`lookup_drug("Xanax")` answers the generic drug (alprazolam) with its classes; an unknown name
raises `InvalidInput` with close-match suggestions. `diazepam_equivalent_mg_per_day` converts a
benzodiazepine (or z-drug) daily dose to diazepam equivalents with the Ashton table, which the
clinical reference does not contain: its factors rest on a source declared `confirmed=False`.

The table (drug_table.py) covers the drugs a ketamine screening meets most often, including
common medicines that interact with nothing here, so they can be recorded without error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ketacare.domain.errors import InvalidInput
from ketacare.domain.sources import Source


class DrugClass(StrEnum):
    """Drug classes that change a ketamine decision (clinical reference §3.4, §3.3)."""

    BENZODIAZEPINE = "benzodiazepine"  # may blunt response (> 8 mg diazepam-eq/day); sedation
    Z_DRUG = "z_drug"  # non-benzodiazepine sedative hypnotic (REMS form flag)
    PSYCHOSTIMULANT = "psychostimulant"  # raises BP
    MAOI = "maoi"  # raises BP
    OPIOID = "opioid"  # respiratory depression, prolonged recovery
    OTHER_CNS_DEPRESSANT = "other_cns_depressant"  # gabapentinoids, barbiturates, alcohol…
    GLUTAMATE_MODULATOR = "glutamate_modulator"  # lamotrigine, riluzole
    NMDA_ACTIVE = "nmda_active"  # memantine, amantadine, acamprosate, riluzole, lithium…
    XANTHINE = "xanthine"  # theophylline / aminophylline: do not co-administer (Ketalar)
    SYMPATHOMIMETIC = "sympathomimetic"  # pressors incl. vasopressin: monitor vitals closely
    MOOD_STABILISER = "mood_stabiliser"  # lithium, valproate (bipolar switch risk)
    ANTIDEPRESSANT = "antidepressant"  # compatible; counts as a treatment trial
    ANXIOLYTIC = "anxiolytic"  # non-benzodiazepine anxiolytic (buspirone, pregabalin)
    ANTIPSYCHOTIC = "antipsychotic"
    CANNABINOID = "cannabinoid"  # cannabis products (clinic exclusion)
    CYP_INDUCER = "cyp_inducer"  # CYP3A4/2B6 inducer: lower ketamine exposure
    CYP_INHIBITOR = "cyp_inhibitor"  # CYP3A4/2B6 inhibitor: higher ketamine exposure


@dataclass(frozen=True)
class DrugInfo:
    """One drug: lowercase generic name, its classes, aliases, and its diazepam equivalent.

    `diazepam_10mg_equivalent_mg` is the oral dose approximately equivalent to 10 mg diazepam
    (None when the drug has no benzodiazepine-type equivalence). Where a table gives a range,
    the lower dose is used, which gives the higher (more cautious) diazepam-equivalent load.
    """

    name: str
    classes: frozenset[DrugClass]
    aliases: tuple[str, ...] = ()
    diazepam_10mg_equivalent_mg: float | None = None
    equivalence_source: Source | None = None

    def is_a(self, drug_class: DrugClass) -> bool:
        return drug_class in self.classes


@dataclass(frozen=True)
class RemsMedicationFlags:
    """The four concomitant-medication questions of the Spravato REMS Patient Monitoring Form."""

    benzodiazepine: bool
    non_benzodiazepine_hypnotic: bool
    psychostimulant: bool
    maoi: bool


def normalise_drug_name(name: str) -> str:
    """Lowercase, trimmed, single-spaced; the key the table is indexed by."""
    return re.sub(r"\s+", " ", name.strip().lower())


def lookup_drug(name: str, *, field: str = "drug_name") -> DrugInfo:
    """The drug for a generic or brand name (case-insensitive).

    Raises InvalidInput naming `field` when the name is empty or unknown; the message offers
    up to three close matches from the table.
    """
    from ketacare.domain.drug_table import DRUG_INDEX

    key = normalise_drug_name(name)
    if not key:
        raise InvalidInput(f"{field} must name a drug (generic or brand name)", field=field)
    found = DRUG_INDEX.get(key)
    if found is not None:
        return found
    close = difflib.get_close_matches(key, list(DRUG_INDEX), n=3, cutoff=0.75)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise InvalidInput(
        f"{field}: {name!r} is not a drug in the interaction table; enter the generic name "
        f"(e.g. 'sertraline') or a known brand name.{hint}",
        field=field,
    )


def known_drugs() -> Mapping[str, DrugInfo]:
    """Every drug in the table by its generic name."""
    from ketacare.domain.drug_table import DRUGS

    return DRUGS


def diazepam_equivalent_mg_per_day(drug: DrugInfo | str, daily_dose_mg: float) -> float:
    """The daily dose in mg of diazepam equivalent: dose × 10 / (dose equivalent to 10 mg).

    Raises InvalidInput (field "daily_dose_mg") for a negative or non-finite dose and
    (field "drug") for a drug without a diazepam equivalence (not a benzodiazepine or z-drug,
    or one the table does not rate, e.g. eszopiclone).
    """
    info = lookup_drug(drug, field="drug") if isinstance(drug, str) else drug
    if not daily_dose_mg >= 0 or daily_dose_mg == float("inf"):
        raise InvalidInput(
            f"daily_dose_mg must be a finite number ≥ 0 mg; got {daily_dose_mg}",
            field="daily_dose_mg",
        )
    factor = info.diazepam_10mg_equivalent_mg
    if factor is None:
        raise InvalidInput(
            f"{info.name} has no diazepam equivalence in the table (only benzodiazepines and "
            "z-drugs rated by the Ashton table have one)",
            field="drug",
        )
    return daily_dose_mg * 10.0 / factor


def rems_medication_flags(drugs: Iterable[DrugInfo]) -> RemsMedicationFlags:
    """Answers to the REMS form's concomitant-medication questions for the current drugs."""
    classes = {c for d in drugs for c in d.classes}
    return RemsMedicationFlags(
        benzodiazepine=DrugClass.BENZODIAZEPINE in classes,
        non_benzodiazepine_hypnotic=DrugClass.Z_DRUG in classes,
        psychostimulant=DrugClass.PSYCHOSTIMULANT in classes,
        maoi=DrugClass.MAOI in classes,
    )
