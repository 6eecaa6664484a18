"""The operator's CLI, run as a newcomer would: upgrade, demo, users create, docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ketacare.cli.main import app
from ketacare.db.models import Location, User

runner = CliRunner()


@pytest.fixture
def fresh_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    return tmp_path


def test_upgrade_then_demo_creates_the_demo_clinic_once(fresh_env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    # The smallest clinic the command accepts: what is checked here is the command (load once,
    # print the sign-ins, refuse a second load); tests/services/test_demo_clinic.py checks the
    # clinic itself and benchmarks/demo_load.py times the default 200 patients.
    first = runner.invoke(app, ["demo", "--patients", "5"])
    assert first.exit_code == 0, first.output
    assert "demo clinic loaded" in first.output
    assert "admin@harbor.example" in first.output
    again = runner.invoke(app, ["demo", "--patients", "5"])
    assert "already loaded" in again.output
    engine = create_engine(f"sqlite:///{fresh_env / 'ketacare.sqlite3'}")
    with Session(engine) as session:
        kinds = [loc.kind.value for loc in session.scalars(select(Location))]
        roles = sorted(u.role.value for u in session.scalars(select(User)))
    assert kinds.count("chair") == 6 and kinds.count("recovery_room") == 2
    assert roles == ["admin", "nurse", "nurse", "patient", "prescriber"]


def test_users_create_adds_a_staff_account_and_refuses_a_duplicate(fresh_env: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    assert runner.invoke(app, ["demo", "--patients", "5"]).exit_code == 0  # the clinic "harbor"
    args = [
        "users",
        "create",
        "--email",
        "new.nurse@harbor.example",
        "--full-name",
        "New Nurse",
        "--role",
        "nurse",
        "--clinic",
        "harbor",
    ]
    created = runner.invoke(app, args, input="a-long-password\na-long-password\n")
    assert created.exit_code == 0, created.output
    assert "created new.nurse@harbor.example (nurse)" in created.output
    again = runner.invoke(app, args, input="a-long-password\na-long-password\n")
    assert again.exit_code == 2
    assert "exists already" in again.output


def test_users_create_refuses_an_unknown_role_with_the_choices(fresh_env: Path) -> None:
    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "x@y.example",
            "--full-name",
            "X",
            "--role",
            "surgeon",
            "--clinic",
            "harbor",
        ],
    )
    assert result.exit_code == 2
    assert "surgeon" in result.output
