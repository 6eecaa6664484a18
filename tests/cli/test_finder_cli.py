"""`ketacare finder …` on a fresh database: import SAMHSA, import a file, export, search."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()


@pytest.fixture
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_import_samhsa_then_search_and_export(fresh_database: Path) -> None:
    result = runner.invoke(app, ["finder", "import-samhsa", "--ketamine-only"])
    assert result.exit_code == 0, result.output
    assert "104 added" in result.output
    found = runner.invoke(app, ["finder", "search", "84101", "--radius-miles", "30"])
    assert found.exit_code == 0, found.output
    assert "ZIP 84101" in found.output and "GeoNames" in found.output
    out = fresh_database / "export.csv"
    exported = runner.invoke(app, ["finder", "export", "--format", "csv", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    assert len(out.read_text().splitlines()) == 105


def test_import_reports_bad_rows_and_all_or_nothing_refuses_the_file(
    fresh_database: Path,
) -> None:
    path = fresh_database / "clinics.csv"
    path.write_text(
        "name,street1,city,state,zip,routes\n"
        "Calm,1 A St,Provo,UT,84601,iv\n"
        "Bad,2 B St,Provo,UT,846,iv\n"
    )
    strict = runner.invoke(app, ["finder", "import", str(path), "--all-or-nothing"])
    assert strict.exit_code == 1
    assert "row 3 (Bad): ZIP code must be five digits" in strict.output
    assert "nothing imported" in strict.output
    lenient = runner.invoke(app, ["finder", "import", str(path)])
    assert lenient.exit_code == 0, lenient.output
    assert "1 added" in lenient.output


def test_an_unreadable_file_is_refused_with_a_clear_message(fresh_database: Path) -> None:
    path = fresh_database / "wrong.csv"
    path.write_text("colour\nred\n")
    result = runner.invoke(app, ["finder", "import", str(path)])
    assert result.exit_code == 2
    assert "missing required column" in result.output
