"""SQLite's durability setting: FULL unless SQLITE_SYNCHRONOUS says otherwise, and refused when it is not a level."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from data_access.db import dispose_engines, get_engine, sqlite_synchronous


def test_dbs001_a_saved_row_is_on_disk_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SQLITE_SYNCHRONOUS", raising=False)
    assert sqlite_synchronous() == "FULL"
    engine = get_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        dispose_engines()


def test_dbs002_the_level_is_set_from_the_environment_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "normal")
    engine = get_engine(f"sqlite:///{tmp_path / 'normal.sqlite'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        dispose_engines()
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA"):
        sqlite_synchronous()
