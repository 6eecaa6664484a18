"""The clinic outcome report page on the clinic's own records: figures with definitions and
inline SVG charts, the HTML download, staff only, and never another clinic's data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Clinic, Patient
from ketacare.services import demo
from ketacare.services.actors import Actor
from ketacare.services.clock import FixedClock
from ketacare.services.outcome_report import clinic_outcome_report
from tests.web.test_pages_foundation import sign_in

DEMO_NURSE = next(p for p in demo.DEMO_STAFF if p.role == "nurse")


@pytest.fixture
def harbor(db: Session, clock: FixedClock, cast) -> Clinic:  # type: ignore[no-untyped-def]
    """A small demo clinic beside the cast's clinics A and B (same database)."""
    clinic = demo.load_demo(session=db, clock=FixedClock(clock.now()), patients=16, seed=5)
    db.commit()
    return clinic


def test_the_report_page_shows_every_figure_with_its_definition_and_chart(
    client, harbor: Clinic, db: Session
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, DEMO_NURSE.email, DEMO_NURSE.password)
    page = client.get("/report")
    assert page.status_code == 200, page.text
    html = page.text
    for title in (
        "GAD-7 response and remission by session count",
        "— by route",
        "— by comorbidity",
        "Sessions to first GAD-7 response",
        "Time to GAD-7 relapse after loading",
        "Adverse events per 100 sessions",
    ):
        assert title in html, title
    assert html.count("<svg") >= 5
    assert html.count("Definition.") == 7
    assert "CADSS-6 above 4" in html  # the adverse events' definition states the clinic's flags
    assert "/static/css/report.css" in html
    patients = db.scalar(
        select(func.count()).select_from(Patient).where(Patient.clinic_id == harbor.id)
    )
    assert f"of {patients}," in html
    audited = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "report.outcomes", AuditEvent.clinic_id == harbor.id)
    )
    assert audited == 1


def test_the_download_is_one_self_contained_html_file(client, harbor: Clinic) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, DEMO_NURSE.email, DEMO_NURSE.password)
    response = client.get("/report/export?instrument=PHQ-9")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.count("<svg") >= 5
    assert "PHQ-9" in response.text
    assert "<script" not in response.text and 'src="http' not in response.text


def test_a_patient_cannot_read_the_clinic_report(client, cast, harbor: Clinic) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, demo.DEMO_PATIENT.email, demo.DEMO_PATIENT.password)
    assert client.get("/report").status_code in (403, 404)
    assert client.get("/report/export").status_code in (403, 404)
    client.post("/signout")
    sign_in(client, "alice@a.example")
    assert client.get("/report").status_code in (403, 404)


def test_another_clinics_records_never_enter_the_report(
    client, cast, harbor: Clinic, db: Session, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "nurse@a.example")
    page = client.get("/report")
    assert page.status_code == 200
    assert "No figures yet" in page.text
    assert "Harbor" not in page.text
    mine = clinic_outcome_report(session=db, actor=Actor.for_user(cast.nurse_a), clock=clock)
    assert (mine.patients, mine.sessions, mine.scores, mine.report) == (2, 0, 0, None)
    theirs = clinic_outcome_report(
        session=db, actor=Actor.system("test", harbor.id), clock=clock, clinic_id=harbor.id
    )
    harbor_patients = db.scalar(
        select(func.count()).select_from(Patient).where(Patient.clinic_id == harbor.id)
    )
    assert theirs.patients == harbor_patients == 16
    assert theirs.report is not None and theirs.sessions > 0
