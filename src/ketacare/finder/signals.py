"""What each signal means in plain words, and how a ketacare clinic's real use verifies them.

The guide texts are shown on the public listing page. They describe what a careful clinic does;
they are not clinical rules and do not decide anything about a patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.finder.model import (
    RED_FLAGS,
    Signal,
    SignalBasis,
    SignalKind,
    SignalStatus,
    complete_signals,
)


@dataclass(frozen=True)
class SignalGuide:
    kind: SignalKind
    title: str
    is_red_flag: bool
    meaning: str
    look_for: str
    worry_if: str


def _guide(kind: SignalKind, title: str, meaning: str, look_for: str, worry_if: str) -> SignalGuide:
    return SignalGuide(kind, title, kind in RED_FLAGS, meaning, look_for, worry_if)


SIGNAL_GUIDE: dict[SignalKind, SignalGuide] = {
    g.kind: g
    for g in (
        _guide(
            SignalKind.PRESCRIBER_OVERSIGHT,
            "A licensed prescriber oversees treatment on site",
            "A physician, nurse practitioner or physician assistant who can prescribe is "
            "responsible for your treatment and is present or immediately available while you "
            "are dosed.",
            "You meet the prescriber before your first dose; someone trained to manage your "
            "airway and blood pressure watches you during the session; your blood pressure and "
            "oxygen are checked before, during and after.",
            "Nobody medical meets you before the first dose; you are left alone during a "
            "session; nobody can tell you who is responsible if something goes wrong.",
        ),
        _guide(
            SignalKind.COMPREHENSIVE_SCREENING,
            "Comprehensive screening before the first dose",
            "Before treatment the clinic checks whether ketamine is safe and suitable for you: "
            "your diagnosis, medical history, blood pressure, medicines, history of psychosis "
            "or substance use, and how severe your symptoms are.",
            "Standard questionnaires (such as GAD-7 or PHQ-9), questions about your medicines "
            "and past treatments, a blood-pressure check, and a clear answer when ketamine is "
            "not right for you.",
            "You can book an infusion online without any assessment; nobody asks about your "
            "medicines, heart, pregnancy, psychosis or substance use.",
        ),
        _guide(
            SignalKind.FOLLOW_UP_TRACKING,
            "Follow-up and outcome tracking",
            "The clinic measures how you are doing over time and uses the results to decide "
            "whether to continue, space out or stop treatment.",
            "Symptom questionnaires repeated during and after the first series; check-ins "
            "between sessions; a plan that changes when the scores show you are not improving.",
            "Nobody asks how you are doing between sessions; more sessions are offered whatever "
            "your results; there is no plan for after the first series.",
        ),
        _guide(
            SignalKind.THERAPY_INTEGRATION,
            "Therapy or integration support",
            "Ketamine works best as part of mental-health care: psychotherapy, integration "
            "sessions, or close work with your own therapist or psychiatrist.",
            "Therapy or integration sessions offered on site or coordinated with your own "
            "clinician; the clinic shares updates with your care team if you agree.",
            "Ketamine is offered on its own, with no therapy, no integration and no contact "
            "with your other clinicians.",
        ),
        _guide(
            SignalKind.ONE_PROTOCOL_FOR_EVERYONE,
            "Red flag: one protocol for everyone",
            "Everybody gets the same dose and the same number of sessions, whatever their "
            "weight, response, side effects or condition.",
            "A careful clinic adjusts the dose and schedule to your weight, your response and "
            "your side effects, and explains why.",
            "The dose and number of sessions are fixed before anyone has met you.",
        ),
        _guide(
            SignalKind.NO_MENTAL_HEALTH_INTEGRATION,
            "Red flag: no mental-health integration",
            "The clinic treats ketamine as a stand-alone procedure, with no mental-health "
            "professional involved in your care.",
            "A psychiatrist, psychologist or therapist is part of the team or works with the "
            "clinic; your diagnosis is confirmed by a mental-health professional.",
            "Nobody on the team is a mental-health professional and the clinic does not ask "
            "who else is treating you.",
        ),
        _guide(
            SignalKind.PACKAGES_SOLD_UPFRONT,
            "Red flag: packages sold upfront",
            "You are asked to pay for a whole series of sessions before anyone knows whether "
            "ketamine helps you.",
            "Pay per session, or a refund for sessions you do not use if treatment is stopped "
            "because it is not working or not safe.",
            "Pressure to buy a 6-session package at the first visit; no refunds; discounts for "
            "buying more sessions in advance.",
        ),
    )
}

BASIS_EXPLANATION: dict[SignalBasis, str] = {
    SignalBasis.SELF_REPORTED: "Self-reported: the facility says so; nobody has checked it.",
    SignalBasis.VERIFIED: (
        "Verified: shown by the clinic's own records in ketacare (for example screening "
        "questionnaires completed, check-ins sent and outcomes recorded)."
    ),
    SignalBasis.SAMHSA_SURVEY: (
        "From the SAMHSA 2022 survey: what the facility reported to the U.S. government's "
        "national directory of mental health treatment facilities (self-reported)."
    ),
}

STATUS_WORDS: dict[SignalStatus, str] = {
    SignalStatus.PRESENT: "Yes",
    SignalStatus.ABSENT: "No",
    SignalStatus.UNKNOWN: "Not known",
}


@dataclass(frozen=True)
class VerificationFacts:
    """What a clinic's real use of ketacare shows (the service layer computes these).

    Each fact is True when the clinic's records show it (e.g. `screening_in_use`: screening
    assessments completed before first doses), False when the records show it is not done, and
    None when ketacare cannot tell (then a self-reported value, if any, is kept).
    """

    prescriber_signoff_recorded: bool | None = None
    screening_in_use: bool | None = None
    checkins_active: bool | None = None
    outcome_tracking_active: bool | None = None
    integration_sessions_recorded: bool | None = None
    individualized_plans: bool | None = None


def verified_signals(
    facts: VerificationFacts, self_reported: tuple[Signal, ...] = ()
) -> tuple[Signal, ...]:
    """The full signal set for a ketacare clinic's listing.

    Facts ketacare can see become `verified` signals; every other signal keeps the clinic's own
    self-reported value (or unknown). Packages sold upfront is never verifiable here: ketacare
    does not see billing.
    """
    verified: list[Signal] = []
    if facts.prescriber_signoff_recorded is not None:
        verified.append(
            _verified(
                SignalKind.PRESCRIBER_OVERSIGHT,
                facts.prescriber_signoff_recorded,
                "Sessions are signed off by a licensed prescriber in ketacare.",
            )
        )
    if facts.screening_in_use is not None:
        verified.append(
            _verified(
                SignalKind.COMPREHENSIVE_SCREENING,
                facts.screening_in_use,
                "Patients complete screening in ketacare before a first dose.",
            )
        )
    follow_up = _both(facts.checkins_active, facts.outcome_tracking_active)
    if follow_up is not None:
        verified.append(
            _verified(
                SignalKind.FOLLOW_UP_TRACKING,
                follow_up,
                "Check-ins are sent and outcome scores recorded in ketacare.",
            )
        )
    if facts.integration_sessions_recorded is not None:
        recorded = facts.integration_sessions_recorded
        verified.append(
            _verified(
                SignalKind.THERAPY_INTEGRATION,
                recorded,
                "Integration sessions are recorded in ketacare.",
            )
        )
        if recorded:
            verified.append(
                _verified(
                    SignalKind.NO_MENTAL_HEALTH_INTEGRATION,
                    False,
                    "Integration sessions are recorded in ketacare.",
                )
            )
    if facts.individualized_plans is not None:
        verified.append(
            _verified(
                SignalKind.ONE_PROTOCOL_FOR_EVERYONE,
                not facts.individualized_plans,
                "Treatment plans in ketacare are set per patient.",
            )
        )
    kinds = {signal.kind for signal in verified}
    kept = [s for s in self_reported if s.kind not in kinds and s.basis != SignalBasis.VERIFIED]
    return complete_signals([*verified, *kept])


def _verified(kind: SignalKind, present: bool, note: str) -> Signal:
    status = SignalStatus.PRESENT if present else SignalStatus.ABSENT
    return Signal(kind, status, SignalBasis.VERIFIED, note)


def _both(a: bool | None, b: bool | None) -> bool | None:
    if a is None or b is None:
        return None
    return a and b
