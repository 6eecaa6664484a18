"""Plain sentences for a `SessionForecast`: one for the patient, one for the clinician.

The patient sentence uses natural frequencies ("about 6 in 10 patients like you"), which people
read more reliably than percentages; the clinician sentence gives the probabilities, the
definition of response and the basis.
"""

from __future__ import annotations

from ketacare.domain.forecast import FORECAST_INSTRUMENTS, INTERVAL_PCT, SessionForecast
from ketacare.domain.forecast_model import HORIZON_SESSIONS
from ketacare.domain.outcomes import OutcomesPolicy


def reference_session(forecast: SessionForecast) -> int:
    """The session the headline is about: 6 (a usual loading series) until it has passed."""
    return 6 if forecast.landmark < 6 else HORIZON_SESSIONS


def in_ten(probability: float) -> str:
    tenths = round(probability * 10)
    if tenths <= 0:
        return "Fewer than 1 in 10"
    if tenths >= 10:
        return "Nearly all"
    return f"About {tenths} in 10"


def interval_text(forecast: SessionForecast) -> str:
    low, high = forecast.interval_low, forecast.interval_high
    if low is None:
        return f"{INTERVAL_PCT}% interval beyond {HORIZON_SESSIONS}"
    upper = str(high) if high is not None else f"more than {HORIZON_SESSIONS}"
    return (
        f"{INTERVAL_PCT}% interval {low}–{upper}"
        if low != high
        else f"{INTERVAL_PCT}% interval {low}"
    )


def basis_text(forecast: SessionForecast) -> str:
    return f"Based on {forecast.basis}."


def patient_sentence(forecast: SessionForecast) -> str:
    """E.g. "About 6 in 10 patients like you respond by session 6; expected sessions to
    response: 5 (80% interval 3–9). Based on published figures." """
    if forecast.responded_at_session is not None:
        return (
            f"Your scores already show a response, reached at session "
            f"{forecast.responded_at_session}. {basis_text(forecast)}"
        )
    ref = reference_session(forecast)
    share = in_ten(forecast.by_session[ref - 1])
    head = f"{share} patients like you respond by session {ref}"
    if forecast.expected_sessions is None:
        tail = (
            f"fewer than half respond within {HORIZON_SESSIONS} sessions, so the number you "
            "may need is beyond what this forecast covers"
        )
    else:
        tail = (
            f"expected sessions to response: {forecast.expected_sessions} "
            f"({interval_text(forecast)})"
        )
    return f"{head}; {tail}. {basis_text(forecast)}"


def clinician_sentence(forecast: SessionForecast, outcomes: OutcomesPolicy) -> str:
    """Probabilities, the definition of response, the landmark and the basis."""
    name = FORECAST_INSTRUMENTS[forecast.instrument].name
    definition = (
        f"response = {name} at least {outcomes.response_min_improvement_pct:g}% below "
        "baseline (or remission)"
    )
    if forecast.responded_at_session is not None:
        return (
            f"Responded at session {forecast.responded_at_session} ({definition}). "
            f"{basis_text(forecast)}"
        )
    p = forecast.by_session
    since = (
        "before the first session"
        if forecast.landmark == 0
        else f"after session {forecast.landmark} ({forecast.improvement_pct:.0f}% improvement, "
        "no response yet)"
    )
    median = (
        f"median sessions to response {forecast.expected_sessions}"
        if forecast.expected_sessions is not None
        else f"median sessions to response beyond {HORIZON_SESSIONS}"
    )
    return (
        f"P(response by session 6) {p[5]:.0%}, by session {HORIZON_SESSIONS} {p[-1]:.0%}; "
        f"{median} ({interval_text(forecast)} of the predictive distribution); forecast "
        f"{since}; {definition}. {basis_text(forecast)}"
    )
