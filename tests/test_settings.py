from __future__ import annotations

from pathlib import Path

import pytest

from ketacare.config import SettingsError, get_settings


def test_the_default_database_is_a_sqlite_file_in_a_data_directory_created_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    data_dir = tmp_path / "not-yet"
    settings = get_settings(data_dir=data_dir)
    assert settings.database_url == f"sqlite:///{data_dir / 'ketacare.sqlite3'}"
    assert data_dir.is_dir()


def test_development_generates_a_secret_once_and_keeps_it(tmp_path: Path) -> None:
    first = get_settings(data_dir=tmp_path)
    second = get_settings(data_dir=tmp_path)
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "short-but-real"])
def test_production_refuses_a_missing_or_placeholder_secret(tmp_path: Path, secret: str) -> None:
    with pytest.raises(SettingsError, match="KETACARE_SECRET_KEY"):
        get_settings(data_dir=tmp_path, environment="production", secret_key=secret)


def test_production_accepts_a_real_secret(tmp_path: Path) -> None:
    secret = "k" * 48
    assert (
        get_settings(data_dir=tmp_path, environment="production", secret_key=secret).secret_key
        == secret
    )


def test_postgresql_is_chosen_by_url(tmp_path: Path) -> None:
    settings = get_settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://u@127.0.0.1:5432/db"
    )
    assert not settings.is_sqlite
