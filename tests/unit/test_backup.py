"""`python -m dashboard backup` and `restore`: the online backup API, verified copies, refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dashboard.cli import cli
from data_access.db import alembic_config, bump_data_version, dispose_engines, get_engine, read_meta, session_scope
from data_access.models import Commitment, Member, ProgressReport
from data_access.problems import count_held
from tests.builders import build, report

# The newest migration: a restored database is brought up to it.
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
PLAN = {"submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}
MEMBERS: list[dict[str, Any]] = [
    {
        "code": "ALB",
        "name": "Albania",
        "region": "Europe",
        "plans": [
            {
                **PLAN,
                "ogp_id": "AP_ALB05",
                "commitments": [
                    {
                        "ogp_id": "AL0001",
                        "title": "Open the budget",
                        "reports": [
                            report(dt.date(2023, 1, 10), "government", "Limited"),
                            report(dt.date(2023, 10, 5), "irm_midterm", "Substantial"),
                        ],
                    },
                    {"ogp_id": "AL0002", "title": "Publish contracts"},
                ],
            }
        ],
    },
    {
        "code": "KEN",
        "name": "Kenya",
        "region": "Africa and the Middle East",
        "plans": [
            {
                **PLAN,
                "ogp_id": "AP_KEN04",
                "commitments": [
                    {
                        "ogp_id": "KE0001",
                        "title": "Beneficial ownership",
                        "reports": [report(dt.date(2023, 3, 1), "government", "Complete")],
                    }
                ],
            }
        ],
    },
]
AT_BACKUP = "2 members, 2 action plans, 3 commitments, 3 progress reports; data version 1"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db_file(sqlite_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A migrated SQLite file holding MEMBERS (two members, three commitments, three progress reports)."""
    path = tmp_path / "live" / "ogp.sqlite"
    path.parent.mkdir()
    shutil.copy(sqlite_template, path)
    build(get_engine(url_of(path)), MEMBERS)
    yield path
    dispose_engines()


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def snapshot(url: str) -> dict[str, Any]:
    """What a database holds, read back through SQLAlchemy: totals, commitments, progress reports, data version."""
    engine = get_engine(url)
    with Session(engine) as session:
        held = count_held(session)
        commitments = session.execute(select(Commitment.id, Commitment.ogp_id, Commitment.title)).all()
        reports = session.execute(
            select(ProgressReport.id, ProgressReport.commitment_id, ProgressReport.as_of, ProgressReport.completion)
        ).all()
        members = session.scalars(select(Member.code)).all()
    return {
        "held": held,
        "commitments": sorted(tuple(row) for row in commitments),
        "reports": sorted(tuple(row) for row in reports),
        "members": sorted(members),
        "data_version": read_meta(engine).get("data_version"),
    }


def revision(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def change_everything(url: str) -> None:
    """Delete a progress report and a commitment, rename another, add a member: nothing as it was at backup time."""
    with session_scope(get_engine(url)) as session:
        session.execute(delete(ProgressReport).where(ProgressReport.as_of == dt.date(2023, 3, 1)))
        session.execute(delete(Commitment).where(Commitment.ogp_id == "AL0002"))
        session.execute(update(Commitment).where(Commitment.ogp_id == "AL0001").values(title="Renamed"))
        bump_data_version(session)
    build(get_engine(url), [{"code": "MEX", "name": "Mexico", "region": "Americas"}])


def run(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_bkp001_restore_gives_back_the_data_at_backup_time(runner, db_file, tmp_path):
    url = url_of(db_file)
    at_backup = snapshot(url)
    assert at_backup["held"] == {"members": 2, "action plans": 2, "commitments": 3, "progress reports": 3}
    out = tmp_path / "backups" / "ogp-1.sqlite"
    out.parent.mkdir()

    saved = run(runner, "backup", "--out", str(out), "--database-url", url)
    assert saved.exit_code == 0, saved.output
    assert saved.output == f"Backed up to {out} ({out.stat().st_size:,} bytes): {AT_BACKUP}.\n"
    assert leftovers(out.parent) == [] and sorted(p.name for p in out.parent.iterdir()) == ["ogp-1.sqlite"]
    assert out.stat().st_mode & 0o777 == 0o600  # the backup holds password hashes: its owner reads it only

    change_everything(url)
    changed = snapshot(url)
    assert changed["held"] == {"members": 3, "action plans": 2, "commitments": 2, "progress reports": 2}

    fresh = tmp_path / "elsewhere" / "restored.sqlite"
    into_new = run(runner, "restore", str(out), "--database-url", url_of(fresh))
    assert into_new.exit_code == 0, into_new.output
    assert f"Restored {out} into {fresh}: now holding {AT_BACKUP}." in into_new.output
    assert snapshot(url_of(fresh)) == at_backup
    assert revision(fresh) == HEAD

    refused = run(runner, "restore", str(out), "--database-url", url)
    assert refused.exit_code == 1
    assert "holds data" in refused.output and "--force" in refused.output
    assert snapshot(url) == changed

    forced = run(runner, "restore", str(out), "--database-url", url, "--force")
    assert forced.exit_code == 0, forced.output
    assert snapshot(url) == at_backup
    assert revision(db_file) == HEAD


def test_bkp002_a_backup_during_an_open_write_transaction_holds_the_committed_data(runner, db_file, tmp_path):
    url = url_of(db_file)
    at_start = snapshot(url)
    writer = sqlite3.connect(db_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the write lock, as an import in progress holds it
        writer.execute("DELETE FROM progress_report")
        writer.execute("UPDATE commitment SET title = 'uncommitted'")
        writer.execute("UPDATE app_meta SET value = '99' WHERE key = 'data_version'")
        out = tmp_path / "during-write.sqlite"
        started = time.perf_counter()
        saved = run(runner, "backup", "--out", str(out), "--database-url", url)
        elapsed = time.perf_counter() - started
        assert saved.exit_code == 0, saved.output
        assert elapsed < 5, f"the backup waited for the writer ({elapsed:.1f} s)"
        writer.execute("COMMIT")
    finally:
        writer.close()
    with closing(sqlite3.connect(out)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file, no -wal
    assert snapshot(url)["held"]["progress reports"] == 0  # the writer's change is in the database now...
    assert snapshot(url_of(out)) == at_start  # ...and not in the backup, which holds the last committed state


def test_bkp003_an_existing_backup_file_is_kept_unless_force(runner, db_file, tmp_path):
    out = tmp_path / "ogp.sqlite.bak"
    out.write_text("an older backup, to keep")
    refused = run(runner, "backup", "--out", str(out), "--database-url", url_of(db_file))
    assert refused.exit_code == 1
    assert f"Error: {out} exists; use --force to replace it." in refused.output
    assert out.read_text() == "an older backup, to keep"
    assert leftovers(tmp_path) == []

    forced = run(runner, "backup", "--out", str(out), "--database-url", url_of(db_file), "--force")
    assert forced.exit_code == 0, forced.output
    assert AT_BACKUP in forced.output
    assert snapshot(url_of(out))["held"]["commitments"] == 3
    assert leftovers(tmp_path) == []


def _text_file(path: Path, _backup: Path) -> None:
    path.write_text("member,commitment\nALB,AL0001\n" * 50)


def _truncated(path: Path, backup: Path) -> None:
    data = backup.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _scrambled(path: Path, backup: Path) -> None:
    data = bytearray(backup.read_bytes())
    page = 4096
    for offset in range(page, len(data), page):  # every page after the first: headers and cells garbled
        data[offset : offset + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


def _index_emptied(path: Path, backup: Path) -> None:
    """A file SQLite opens and reads, but whose index on member.region lost its entries (set its cell count to 0)."""
    with closing(sqlite3.connect(backup)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_member_region'").fetchone()[0]
    data = bytearray(backup.read_bytes())
    page = (root - 1) * page_size
    assert data[page] == 0x0A  # a leaf page of an index
    data[page + 3 : page + 5] = b"\x00\x00"
    path.write_bytes(bytes(data))


def _other_sqlite(path: Path, _backup: Path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('not a backup of this app')")


def _newer_schema(path: Path, backup: Path) -> None:
    shutil.copy(backup, path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_a_newer_release'")


def _empty(path: Path, _backup: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_text_file, "is not a readable SQLite database"),
        (_truncated, "is not a readable SQLite database (database disk image is malformed)"),
        (_scrambled, "is not a readable SQLite database (database disk image is malformed)"),
        (_index_emptied, "wrong # of entries in index ix_member_region"),
        (_other_sqlite, "not one of this app (no alembic_version or app_meta table)"),
        (_newer_schema, "schema version '9999_from_a_newer_release' is unknown"),
        (_empty, "is empty"),
        (None, "is not a file"),
    ],
    ids=["text", "truncated", "scrambled", "index-emptied", "other-sqlite", "newer-schema", "empty", "missing"],
)
def test_bkp004_restore_refuses_what_is_not_a_valid_backup_and_changes_nothing(
    runner, db_file, tmp_path, make, message
):
    url = url_of(db_file)
    good = tmp_path / "good.sqlite"
    assert run(runner, "backup", "--out", str(good), "--database-url", url).exit_code == 0
    change_everything(url)
    before = snapshot(url)
    bad = tmp_path / "bad.sqlite"
    if make is not None:
        make(bad, good)

    refused = run(runner, "restore", str(bad), "--database-url", url, "--force")  # --force does not skip the checks
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: ") and message in refused.output
    assert snapshot(url) == before
    fresh = tmp_path / "never-created.sqlite"
    assert run(runner, "restore", str(bad), "--database-url", url_of(fresh)).exit_code == 1
    assert not fresh.exists()


def test_bkp005_postgresql_is_backed_up_with_pg_dump(runner, tmp_path):
    # Nothing listens at db.invalid: the commands must answer without connecting.
    url = "postgresql://ogp@db.invalid:5432/ogp_prod"
    out = tmp_path / "ogp.dump"
    saved = run(runner, "backup", "--out", str(out), "--database-url", url)
    assert saved.exit_code == 2
    assert f"pg_dump --format=custom --file={out} --host=db.invalid --port=5432 --username=ogp ogp_prod" in saved.output
    assert not out.exists()
    restored = run(runner, "restore", str(out), "--database-url", url)
    assert restored.exit_code == 2
    assert (
        "pg_restore --clean --if-exists --no-owner --host=db.invalid --port=5432 --username=ogp "
        f"--dbname=ogp_prod {out}" in restored.output
    )


def test_bkp006_a_backup_of_an_older_schema_is_migrated_on_restore(runner, tmp_path):
    old = tmp_path / "old.sqlite"
    command.upgrade(alembic_config(url_of(old)), "0002")
    with closing(sqlite3.connect(old)) as conn, conn:
        conn.execute(
            "INSERT INTO member (code, name, member_type, region, status, origin) "
            "VALUES ('ALB', 'Albania', 'National', 'Europe', 'Active', 'ogp')"
        )
        conn.execute("INSERT INTO app_meta (key, value) VALUES ('data_version', '4')")
    out = tmp_path / "old-backup.sqlite"
    saved = run(runner, "backup", "--out", str(out), "--database-url", url_of(old))
    assert saved.exit_code == 0, saved.output
    assert revision(out) == "0002"

    target = tmp_path / "new.sqlite"
    restored = run(runner, "restore", str(out), "--database-url", url_of(target))
    assert restored.exit_code == 0, restored.output
    assert "now holding 1 member, 0 action plans, 0 commitments, 0 progress reports; data version 4." in restored.output
    assert revision(target) == HEAD
    assert snapshot(url_of(target))["members"] == ["ALB"]
    dispose_engines()


def test_bkp007_help_lists_backup_and_restore(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "backup" in result.output and "restore" in result.output
