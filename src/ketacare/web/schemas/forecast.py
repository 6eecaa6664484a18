"""Response shape of the sessions-to-response forecast."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ketacare.services.forecast import PatientForecast
from ketacare.web.schemas.sessions import FindingRead


class SessionProbability(BaseModel):
    session: int = Field(description="session number N (1–12)")
    probability: float = Field(description="P(responded by session N), 0–1")


class ForecastRead(BaseModel):
    patient_id: int
    course_id: int
    route: str
    instrument: str = Field(description="the scale response is measured on (gad7 or phq9)")
    by_session: list[SessionProbability]
    landmark: int = Field(description="session the forecast is made from (0 = before the first)")
    improvement_pct: float | None
    responded_at_session: int | None
    expected_sessions: int | None = Field(
        description="median sessions to response; null when beyond 12"
    )
    interval_pct: int
    interval_low: int | None
    interval_high: int | None = Field(description="null when beyond 12")
    beyond_horizon: bool
    basis: str
    fitted: bool = Field(description="true: learnt from this clinic's completed courses")
    patient_sentence: str
    clinician_sentence: str
    findings: list[FindingRead]

    @classmethod
    def of(cls, result: PatientForecast) -> ForecastRead:
        from ketacare.domain.forecast import INTERVAL_PCT

        f = result.forecast
        return cls(
            patient_id=result.patient_id,
            course_id=result.course_id,
            route=result.route.value,
            instrument=f.instrument,
            by_session=[
                SessionProbability(session=i + 1, probability=round(p, 4))
                for i, p in enumerate(f.by_session)
            ],
            landmark=f.landmark,
            improvement_pct=f.improvement_pct,
            responded_at_session=f.responded_at_session,
            expected_sessions=f.expected_sessions,
            interval_pct=INTERVAL_PCT,
            interval_low=f.interval_low,
            interval_high=f.interval_high,
            beyond_horizon=f.beyond_horizon,
            basis=f.basis,
            fitted=f.fitted,
            patient_sentence=result.patient_sentence,
            clinician_sentence=result.clinician_sentence,
            findings=[FindingRead.of(x) for x in f.findings],
        )
