"""`ketacare report` writes a self-contained HTML report; `simulate-policy` compares boosters."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()


def test_report_writes_one_self_contained_html_file_with_charts_and_definitions(
    tmp_path: Path,
) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--synthetic", "300", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.count("<svg") >= 4
    assert html.count("Definition.") == 7
    assert "Kaplan" in html or "relapse" in html.lower()
    # Self-contained: nothing is fetched from anywhere.
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_report_refuses_an_unknown_instrument(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "--instrument", "HAM-A", "--out", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2
    assert "GAD-7 or PHQ-9" in result.output


def test_simulate_policy_prints_each_policy_and_writes_the_chart(tmp_path: Path) -> None:
    chart = tmp_path / "policy.svg"
    result = runner.invoke(
        app, ["simulate-policy", "--patients", "600", "--seed", "2", "--chart", str(chart)]
    )
    assert result.exit_code == 0, result.output
    for name in ("every 2 weeks", "every 3 weeks", "every 4 weeks", "symptom"):
        assert name in result.output
    assert chart.read_text().lstrip().startswith(("<?xml", "<svg"))
