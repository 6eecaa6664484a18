"""Forecast fragment for the patient chart (loaded with htmx): a sentence, a chart, a table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ketacare.charts.forecast import forecast_chart
from ketacare.domain.forecast import INTERVAL_PCT
from ketacare.services import forecast
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.templating import render

router = APIRouter(prefix="/patients", include_in_schema=False)


@router.get("/{patient_id}/forecast")
def forecast_fragment(
    request: Request, patient_id: int, session: SessionDep, actor: PageActor, clock: ClockDep
) -> Response:
    result = forecast.patient_forecast(
        session=session, actor=actor, clock=clock, patient_id=patient_id
    )
    f = result.forecast
    return render(
        request,
        "care/_forecast.html",
        {
            "result": result,
            "f": f,
            "interval_pct": INTERVAL_PCT,
            "rows": [(i + 1, p) for i, p in enumerate(f.by_session)],
            "chart": forecast_chart(
                f.by_session, landmark=f.landmark, expected=f.expected_sessions
            ),
        },
    )
