"""Forecast API: "how many sessions will I need?" for a patient's current course."""

from __future__ import annotations

from fastapi import APIRouter

from ketacare.services import forecast
from ketacare.web.deps import ApiActor, ClockDep, SessionDep
from ketacare.web.schemas.forecast import ForecastRead

router = APIRouter(prefix="/patients/{patient_id}/forecast", tags=["forecast"])


@router.get("", response_model=ForecastRead)
def read_forecast(
    patient_id: int, session: SessionDep, actor: ApiActor, clock: ClockDep
) -> ForecastRead:
    """P(response by session N) for N = 1–12, the median sessions to response with its 80%
    interval, the basis (published figures or this clinic's completed courses) and the reasons.
    Staff of the patient's clinic or the patient; anyone else gets 404."""
    result = forecast.patient_forecast(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    return ForecastRead.of(result)
