"""HTML routers (Jinja2 + htmx). Each concept module exposes `router`; register it here."""

from __future__ import annotations

from fastapi import FastAPI

from ketacare.web.pages import (  # the chair: board, flowsheet, schedule  # admin area
    admin,
    admin_listing,
    admin_policy,
    auth,
    board,
    care_queue,  # the clinician's care queue (/care-queue)
    check_in,  # the patient's one-time check-in link (/c/…)
    check_in_prefs,  # staff: a patient's check-in preferences (chart panel)
    check_ins_staff,  # staff: check-ins and outbox (/check-ins)
    controlled_substances,
    finder,
    home,
    invite,
    my_care,  # the signed-in patient's own pages
    patient_contact,
    schedule,
    session_forms,  # the flowsheet's posts (/sessions/{id}/…)
    sessions,
)
from ketacare.web.pages import forecast as forecast_pages  # chart fragment (htmx)
from ketacare.web.pages import intake as intake_pages
from ketacare.web.pages import patients as patient_pages
from ketacare.web.pages import plans as plan_pages
from ketacare.web.pages import report as report_pages  # the clinic outcome report (/report)
from ketacare.web.pages import screening as screening_pages


def include_routers(app: FastAPI) -> None:
    for module in (auth, home, admin, invite, finder):
        app.include_router(module.router)
    for module in (board, sessions, session_forms, schedule):  # the chair
        app.include_router(module.router)
    app.include_router(forecast_pages.router)  # before the patients area's own routes
    patients_area = (patient_pages, patient_contact, intake_pages, screening_pages, plan_pages)
    for module in patients_area:
        app.include_router(module.router)
    app.include_router(my_care.router)  # patient's own pages (/my…)
    app.include_router(check_in.router)  # one-time check-in links (/c/{token})
    app.include_router(care_queue.router)  # alerts and booster recommendations
    app.include_router(check_ins_staff.router)  # /check-ins (staff)
    app.include_router(check_in_prefs.router)  # /patients/{id}/check-in-preferences
    for module in (admin_policy, admin_listing, controlled_substances):  # admin area
        app.include_router(module.router)
    app.include_router(report_pages.router)  # the clinic outcome report
