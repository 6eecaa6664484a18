"""`ketacare patients list|show` and `ketacare screening show PATIENT` on a fresh database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketacare.cli.common import session_scope
from ketacare.cli.main import app
from ketacare.services import clinics, intake, patients, screening
from ketacare.services.actors import Actor
from ketacare.services.clock import SystemClock

runner = CliRunner()


@pytest.fixture
def clinic_with_a_screened_patient(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    clock = SystemClock()
    with session_scope() as session:
        clinic = clinics.create_clinic(session=session, clock=clock, name="Cove", slug="cove")
        actor = Actor.system("test", clinic.id)
        patient = patients.register_patient(
            session=session,
            actor=actor,
            clock=clock,
            registration=patients.Registration(
                given_name="Nora",
                family_name="Newman",
                date_of_birth=date(1988, 4, 2),
                sex="female",
                email="nora@example.org",
                weight_kg=70,
                height_cm=168,
                usual_escort_name="Sam Newman",
            ),
        )
        intake.record_intake(
            session=session,
            actor=actor,
            clock=clock,
            patient_id=patient.id,
            data={
                "diagnoses": ["gad"],
                "conditions": ["stroke_history"],
                "gad7": [2] * 7,
                "phq9": [1] * 8 + [0],
            },
        )
        screening.screen_patient(session=session, actor=actor, clock=clock, patient_id=patient.id)
        return patient.id


def test_patients_list_shows_the_clinics_patients(clinic_with_a_screened_patient: int) -> None:
    result = runner.invoke(app, ["patients", "list", "--clinic", "cove"])
    assert result.exit_code == 0, result.output
    assert "Newman, Nora" in result.output
    assert "1 of 1 patients" in result.output


def test_patients_show_prints_the_record_and_escort(clinic_with_a_screened_patient: int) -> None:
    result = runner.invoke(app, ["patients", "show", str(clinic_with_a_screened_patient)])
    assert result.exit_code == 0, result.output
    assert "Nora Newman" in result.output
    assert "weight 70 kg" in result.output and "Sam Newman" in result.output


def test_patients_show_for_an_unknown_patient_exits_with_an_error(
    clinic_with_a_screened_patient: int,
) -> None:
    result = runner.invoke(app, ["patients", "show", "9999"])
    assert result.exit_code == 2
    assert "patient 9999 was not found" in result.output


def test_screening_show_prints_the_verdict_and_every_finding(
    clinic_with_a_screened_patient: int,
) -> None:
    result = runner.invoke(app, ["screening", "show", str(clinic_with_a_screened_patient)])
    assert result.exit_code == 0, result.output
    assert "verdict not_eligible" in result.output
    assert "awaiting_review" in result.output
    assert "[block]" in result.output
