"""SAMHSA service codes: the reference table and the mapping to listing fields and signals.

Facts from SAMHSA's 2022 "Service Code Reference" (copied into `ketacare/data/samhsa/`). The
only ketamine code is `KIT` (Ketamine Infusion Therapy, an intravenous route); the 2022 reference
has no esketamine, intramuscular or sublingual ketamine code. Several descriptions in the
reference are copies of another code's text (KIT repeats individual psychotherapy's, EMDR
repeats ECT's…) and TMS's describes an opioid treatment: those are never shown.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ketacare.domain.routes import Route
from ketacare.finder.model import (
    ALL_SIGNAL_KINDS,
    Condition,
    Payment,
    Population,
    Signal,
    SignalBasis,
    SignalKind,
    SignalStatus,
    TherapyApproach,
    complete_signals,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "samhsa"
SERVICE_CODES_CSV = DATA_DIR / "service-codes-2022.csv"

ROUTE_CODES: dict[str, Route] = {"KIT": Route.IV}
TELEHEALTH_CODE = "TELE"
MENTAL_HEALTH_CODE = "MH"
PAYMENT_CODES: dict[str, Payment] = {
    "PI": Payment.INSURANCE,
    "MC": Payment.MEDICARE,
    "MD": Payment.MEDICAID,
    "MI": Payment.MILITARY_INSURANCE,
    "VAF": Payment.VA,
    "SI": Payment.STATE_INSURANCE,
    "SF": Payment.SELF_PAY,
    "SS": Payment.SLIDING_SCALE,
    "PA": Payment.PAYMENT_ASSISTANCE,
}
CONDITION_CODES: dict[str, Condition] = {
    "PTSD": Condition.PTSD,
    "TRMA": Condition.TRAUMA,
    "SA": Condition.SUBSTANCE_USE,
    "SUMH": Condition.CO_OCCURRING,
    "CO": Condition.CO_OCCURRING,
    "PED": Condition.EATING_DISORDERS,
    "SMI": Condition.SERIOUS_MENTAL_ILLNESS,
    "SED": Condition.SERIOUS_EMOTIONAL_DISTURBANCE,
    "PEFP": Condition.FIRST_EPISODE_PSYCHOSIS,
    "TBI": Condition.TRAUMATIC_BRAIN_INJURY,
    "ALZ": Condition.DEMENTIA,
}
POPULATION_CODES: dict[str, Population] = {
    "CHLD": Population.CHILDREN,
    "YAD": Population.YOUNG_ADULTS,
    "TAY": Population.YOUNG_ADULTS,
    "ADLT": Population.ADULTS,
    "SNR": Population.SENIORS,
    "SE": Population.SENIORS,
    "VET": Population.VETERANS,
    "ADM": Population.ACTIVE_MILITARY,
    "MF": Population.MILITARY_FAMILIES,
    "GL": Population.LGBTQ,
    "CJ": Population.JUSTICE_INVOLVED,
    "DV": Population.INTIMATE_PARTNER_VIOLENCE,
    "HV": Population.HIV,
}
THERAPY_CODES: dict[str, TherapyApproach] = {
    "CBT": TherapyApproach.CBT,
    "DBT": TherapyApproach.DBT,
    "IPT": TherapyApproach.INDIVIDUAL_PSYCHOTHERAPY,
    "GT": TherapyApproach.GROUP,
    "CFT": TherapyApproach.COUPLES_FAMILY,
    "EMDR": TherapyApproach.EMDR,
    "CRT": TherapyApproach.COGNITIVE_REMEDIATION,
    "IDD": TherapyApproach.INTEGRATED_MH_SUD,
    "AT": TherapyApproach.ACTIVITY,
}
# Talking therapies: any of these counts as therapy integration.
PSYCHOTHERAPIES: frozenset[TherapyApproach] = frozenset(
    {
        TherapyApproach.CBT,
        TherapyApproach.DBT,
        TherapyApproach.INDIVIDUAL_PSYCHOTHERAPY,
        TherapyApproach.GROUP,
        TherapyApproach.COUPLES_FAMILY,
        TherapyApproach.EMDR,
        TherapyApproach.COGNITIVE_REMEDIATION,
        TherapyApproach.INTEGRATED_MH_SUD,
        TherapyApproach.INTEGRATION_SESSIONS,
    }
)

# Descriptions shared by several codes belong to one of them (the text is about that code);
# the others copied it by mistake. TMS's text describes an opioid treatment.
_DESCRIPTION_OWNERS = frozenset({"IPT", "ECT", "CFT", "CIT", "ACT", "PED", "ORES"})
_WRONG_DESCRIPTIONS = frozenset({"KIT", "TMS"})


@dataclass(frozen=True)
class ServiceCode:
    code: str
    name: str
    category_code: str
    category_name: str
    description: str  # empty when the source's text is missing or known to be wrong


def load_service_codes(path: Path = SERVICE_CODES_CSV) -> dict[str, ServiceCode]:
    """The reference table by code, with untrustworthy descriptions blanked."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    holders: dict[str, list[str]] = {}
    for row in rows:
        text = row["service_description"].strip()
        if text:
            holders.setdefault(text, []).append(row["service_code"])
    codes: dict[str, ServiceCode] = {}
    for row in rows:
        code = row["service_code"].strip()
        text = row["service_description"].strip()
        shared = len(holders.get(text, ())) > 1
        if code in _WRONG_DESCRIPTIONS or (shared and code not in _DESCRIPTION_OWNERS):
            text = ""
        codes[code] = ServiceCode(
            code,
            row["service_name"].strip(),
            row["category_code"].strip(),
            row["category_name"].strip(),
            text,
        )
    return codes


def split_service_codes(info: str) -> tuple[str, ...]:
    """`service_code_info` ("SA MH * OP * …") → codes in order, without the `*` separators."""
    return tuple(token for token in info.split() if token != "*")


@dataclass(frozen=True)
class CodedFields:
    routes: frozenset[Route]
    conditions: frozenset[Condition]
    payment: frozenset[Payment]
    populations: frozenset[Population]
    therapy_approaches: frozenset[TherapyApproach]
    telehealth: bool | None
    is_ketamine_provider: bool
    signals: tuple[Signal, ...]


def fields_from_codes(codes: Iterable[str], names: Mapping[str, ServiceCode]) -> CodedFields:
    """Map SAMHSA service codes to listing fields; signals have basis `samhsa_survey`.

    A code the survey does not list means "not reported", so telehealth is True or None, never
    False, and signals the survey cannot speak to stay unknown.
    """
    present = frozenset(codes)
    therapies = frozenset(THERAPY_CODES[c] for c in present if c in THERAPY_CODES)
    routes = frozenset(ROUTE_CODES[c] for c in present if c in ROUTE_CODES)
    return CodedFields(
        routes=routes,
        conditions=frozenset(CONDITION_CODES[c] for c in present if c in CONDITION_CODES),
        payment=frozenset(PAYMENT_CODES[c] for c in present if c in PAYMENT_CODES),
        populations=frozenset(POPULATION_CODES[c] for c in present if c in POPULATION_CODES),
        therapy_approaches=therapies,
        telehealth=True if TELEHEALTH_CODE in present else None,
        is_ketamine_provider=bool(routes),
        signals=_survey_signals(present, therapies, names),
    )


def _survey_signals(
    present: frozenset[str], therapies: frozenset[TherapyApproach], names: Mapping[str, ServiceCode]
) -> tuple[Signal, ...]:
    basis = SignalBasis.SAMHSA_SURVEY
    talking = sorted(
        c for c in present if c in THERAPY_CODES and THERAPY_CODES[c] in PSYCHOTHERAPIES
    )
    signals: list[Signal] = []
    if talking:
        listed = ", ".join(names[c].name if c in names else c for c in talking)
        signals.append(
            Signal(
                SignalKind.THERAPY_INTEGRATION,
                SignalStatus.PRESENT,
                basis,
                f"Reported to SAMHSA: {listed}.",
            )
        )
        if MENTAL_HEALTH_CODE in present:
            signals.append(
                Signal(
                    SignalKind.NO_MENTAL_HEALTH_INTEGRATION,
                    SignalStatus.ABSENT,
                    basis,
                    "A mental health treatment facility that reports offering psychotherapy.",
                )
            )
    else:
        signals.append(
            Signal(
                SignalKind.THERAPY_INTEGRATION,
                SignalStatus.UNKNOWN,
                basis,
                "The facility reported no talking therapy to SAMHSA.",
            )
        )
    silent = "SAMHSA's survey does not ask about this; ask the facility."
    given = {s.kind for s in signals}
    signals += [
        Signal(kind, SignalStatus.UNKNOWN, basis, silent)
        for kind in ALL_SIGNAL_KINDS
        if kind not in given
    ]
    return complete_signals(signals, basis)


def _reverse(table: Mapping[str, object]) -> dict[object, str]:
    reverse: dict[object, str] = {}
    for code, value in table.items():
        reverse.setdefault(value, code)  # first code wins (SNR over SE, YAD over TAY…)
    return reverse


def codes_for_fields(
    *,
    routes: Iterable[Route],
    conditions: Iterable[Condition],
    payment: Iterable[Payment],
    populations: Iterable[Population],
    therapy_approaches: Iterable[TherapyApproach],
    telehealth: bool | None,
) -> tuple[str, ...]:
    """The SAMHSA codes that express these fields (for exports of non-SAMHSA listings)."""
    codes: list[str] = [MENTAL_HEALTH_CODE]
    for table, values in (
        (ROUTE_CODES, routes),
        (CONDITION_CODES, conditions),
        (PAYMENT_CODES, payment),
        (POPULATION_CODES, populations),
        (THERAPY_CODES, therapy_approaches),
    ):
        reverse = _reverse(table)
        codes += sorted(reverse[v] for v in values if v in reverse)
    if telehealth:
        codes.append(TELEHEALTH_CODE)
    return tuple(dict.fromkeys(codes))
