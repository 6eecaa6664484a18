"""The clinic outcome report page (`/report`) and its self-contained HTML download
(`/report/export`). Staff only: a patient's request is refused (403) by the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.analytics.export import report_sections
from ketacare.services.outcome_report import INSTRUMENTS, clinic_outcome_report, export_html
from ketacare.web.deps import ClockDep, PageActor, SessionDep
from ketacare.web.templating import render

router = APIRouter(prefix="/report", include_in_schema=False)
Instrument = Annotated[str, Query(max_length=10)]


def _instrument(value: str) -> str:
    # An unknown value falls back to the default rather than failing the page.
    return value if value in INSTRUMENTS else INSTRUMENTS[0]


@router.get("")
def report_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    clock: ClockDep,
    instrument: Instrument = "GAD-7",
) -> Response:
    chosen = _instrument(instrument)
    report = clinic_outcome_report(session=session, actor=actor, clock=clock, instrument=chosen)
    context = {
        "report": report,
        "sections": report_sections(report.report) if report.report is not None else [],
        "instruments": INSTRUMENTS,
        "instrument": chosen,
    }
    return render(request, "report/report.html", context)


@router.get("/export")
def report_export(
    session: SessionDep, actor: PageActor, clock: ClockDep, instrument: Instrument = "GAD-7"
) -> Response:
    chosen = _instrument(instrument)
    report = clinic_outcome_report(session=session, actor=actor, clock=clock, instrument=chosen)
    name = f"outcome-report-{report.generated_at:%Y-%m-%d}-{chosen.lower()}.html"
    return HTMLResponse(
        export_html(report), headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
