"""Autogenerate an Alembic revision from the models: `make migration m="what changed"`.

Upgrades a scratch SQLite database to every head, autogenerates against it with the next free
revision number (based on the newest head when there are several), names the file after its id,
and fixes the one import autogenerate gets wrong. Review the file before committing it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "migrations" / "versions"


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].strip():
        print('usage: make migration m="what changed"')
        return 2
    message = sys.argv[1].strip()
    numbers = [int(p.name[:4]) for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py")]
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:30]
    rev_id = f"{max(numbers, default=0) + 1:04d}_{slug}"
    newest = max(VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py")).stem
    with tempfile.TemporaryDirectory() as data_dir:
        env = {"KETACARE_DATA_DIR": data_dir, "PATH": str(Path(sys.executable).parent)}
        run = [sys.executable, "-m", "ketacare", "db", "upgrade"]
        subprocess.run(run, cwd=ROOT, env=env, check=True)
        alembic = [sys.executable, "-m", "alembic", "revision", "--autogenerate"]
        alembic += ["--head", newest, "--rev-id", rev_id, "-m", message]
        subprocess.run(alembic, cwd=ROOT, env=env, check=True)
    generated = next(VERSIONS.glob(f"{rev_id}_*.py"))
    target = VERSIONS / f"{rev_id}.py"
    text = generated.read_text().replace("astext_type=Text()", "astext_type=sa.Text()")
    target.write_text(text)
    generated.unlink()
    print(f"wrote {target.relative_to(ROOT)} (down_revision {newest}); review it before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
