"""The layers keep their promises: the clinical core imports no framework and no outer layer."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "ketacare"
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _violations(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "ketacare":
                if not name.startswith("ketacare.domain"):
                    found.append(f"{path.relative_to(SRC)} imports {name}")
            elif top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY:
                found.append(f"{path.relative_to(SRC)} imports {name}")
    return found


def test_the_domain_imports_no_framework_and_no_outer_layer() -> None:
    assert _violations(SRC / "domain") == []


def test_the_purity_check_catches_a_framework_import(tmp_path: Path) -> None:
    bad = tmp_path / "domain"
    bad.mkdir()
    (bad / "leaky.py").write_text("import sqlalchemy\nfrom ketacare.services import audit\n")
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        assert _violations(bad) == [
            "domain/leaky.py imports sqlalchemy",
            "domain/leaky.py imports ketacare.services",
        ]
    finally:
        SRC = saved


def test_services_never_commit() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in (SRC / "services").rglob("*.py")
        if ".commit()" in p.read_text()
    ]
    assert offenders == []
