"""Backups of a SQLite database and their restore, with SQLite's online backup API (safe while the app writes).

A backup is one self-contained SQLite file (rollback journal mode, so no -wal file belongs to it), written
beside its destination under a temporary name, verified (integrity check, Alembic version table, counts) and
only then renamed into place. PostgreSQL is backed up with its own tools: `NotSQLite` says which commands.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from data_access.db import alembic_config, get_engine, migrate, normalise_url, read_meta, session_scope
from data_access.models import AppMeta, CommitmentStatus, PlanStatus, StatusSnapshot
from data_access.problems import HELD_KINDS, count_held, plural
from data_access.sessions import revoke_all_sessions

# Seconds a copy waits for another connection's lock (the app's own busy_timeout is 15 s).
BUSY_TIMEOUT = 15.0
# Tables whose rows alone do not make a database worth keeping: the schema version, the data version
# stamps and the statuses derived from the data.
BOOKKEEPING_TABLES = frozenset(
    {"alembic_version", AppMeta.__tablename__, StatusSnapshot.__tablename__}
    | {PlanStatus.__tablename__, CommitmentStatus.__tablename__}
)


class BackupError(Exception):
    """A backup or restore was refused or failed; the destination is as it was."""


class NotSQLite(BackupError):
    """The database is not a SQLite file, so this module does not copy it (the message says what to use)."""


@dataclass(frozen=True)
class Contents:
    """What a backup file (or a restored database) holds."""

    path: Path
    size: int
    held: dict[str, int]
    data_version: int
    revision: str

    def holdings(self) -> str:
        """'3 members, 2 action plans, 5 commitments, 4 progress reports; data version 7'."""
        counts = ", ".join(plural(self.held.get(kind, 0), kind) for kind in HELD_KINDS)
        return f"{counts}; data version {self.data_version}"


def sqlite_path(url: str, file: Path | str = "FILE") -> Path:
    """The file of a SQLite URL; NotSQLite (saying how to back it up instead) for any other database."""
    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise NotSQLite(postgres_advice(parsed, file))
    if backend != "sqlite":
        raise NotSQLite(f"backup and restore copy SQLite databases only; back up {backend} with its own tools.")
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("the database is in memory: there is no file to back up or restore into.")
    return Path(parsed.database)


def postgres_advice(parsed: URL, file: Path | str) -> str:
    """The pg_dump and pg_restore commands for a PostgreSQL URL (the password is left to PGPASSWORD or ~/.pgpass)."""
    connection = [f"--host={parsed.host}"] if parsed.host else []
    connection += [f"--port={parsed.port}"] if parsed.port else []
    connection += [f"--username={parsed.username}"] if parsed.username else []
    options = " ".join(shlex.quote(option) for option in connection)
    database = shlex.quote(parsed.database or "DBNAME")
    quoted = shlex.quote(str(file))
    dump = " ".join(filter(None, ["pg_dump --format=custom", f"--file={quoted}", options, database]))
    load = " ".join(
        filter(None, ["pg_restore --clean --if-exists --no-owner", options, f"--dbname={database}", quoted])
    )
    return (
        "this command copies SQLite databases only. Back up PostgreSQL with pg_dump and restore with pg_restore "
        f"(password from PGPASSWORD or ~/.pgpass; see the README, Backups):\n  {dump}\n  {load}"
    )


def backup(url: str, out: Path, *, force: bool = False) -> Contents:
    """Copy the SQLite database of `url` to `out` in one consistent read, verify the copy, then rename it into place.

    Refuses an existing `out` unless force; never leaves a partial file at `out`.
    """
    source = sqlite_path(url, out)
    if not source.is_file():
        raise BackupError(f"there is no database at {source}.")
    if out.is_dir():
        raise BackupError(f"{out} is a folder; give the backup's file name.")
    if out.exists() and not force:
        raise BackupError(f"{out} exists; use --force to replace it.")
    if out.exists() and out.samefile(source):
        raise BackupError(f"{out} is the database itself.")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist.")
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(handle)
    partial = Path(name)
    try:
        try:
            with _connect(source, "rw") as src, _connect(partial, "rw") as copy:
                src.backup(copy)  # all pages in one step: one read transaction, one consistent snapshot
                copy.execute("PRAGMA journal_mode=DELETE")  # a single file, no -wal beside it
        except sqlite3.Error as exc:
            raise BackupError(f"could not copy {source}: {exc}") from exc
        _fsync(partial)
        contents = inspect_backup(partial)
        _place(partial, out, force=force)
    finally:
        partial.unlink(missing_ok=True)
    return replace(contents, path=out)


def inspect_backup(path: Path) -> Contents:
    """Verify a backup file (SQLite integrity check, Alembic version present) and say what it holds.

    Opens the file read-only; BackupError when it is not a valid backup of this app's database.
    """
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    if path.stat().st_size == 0:
        raise BackupError(f"{path} is empty.")
    try:
        with _connect(path, "ro") as conn:
            check = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            if check != ["ok"]:
                raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(map(str, check))}")
            if not _tables(conn) >= {"alembic_version", AppMeta.__tablename__}:
                raise BackupError(
                    f"{path} is a SQLite database but not one of this app (no alembic_version or app_meta table)."
                )
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None:
            raise BackupError(f"{path} has an empty alembic_version table: its schema version is unknown.")
        held, meta = _count(path, "ro")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc}).") from exc
    except SQLAlchemyError as exc:
        raise BackupError(f"{path} lacks this app's tables ({getattr(exc, 'orig', exc)}).") from exc
    return Contents(path, path.stat().st_size, held, int(meta.get("data_version", 0)), str(row[0]))


def restore(backup_file: Path, url: str, *, force: bool = False) -> Contents:
    """Copy a verified backup into the SQLite database of `url` with the backup API, then migrate it to the newest
    schema. Refuses (changing nothing) a file that is not a valid backup, a backup of a schema this code does not
    know, and a database that holds data unless force. Returns what the database then holds."""
    target = sqlite_path(url, backup_file)
    saved = inspect_backup(backup_file)
    _known_revision(saved.revision, url)
    if target.exists():
        if target.samefile(backup_file):
            raise BackupError(f"{backup_file} is the database itself.")
        held = _data_held(target)
        if held and not force:
            raise BackupError(f"the database at {target} holds data ({held}); use --force to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _connect(backup_file, "ro") as src, _connect(target, "rwc") as dst:
            src.backup(dst)  # one write transaction: readers of the old database see it whole until the commit
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy {backup_file} into {target}: {exc}") from exc
    migrate(url)
    with session_scope(get_engine(url)) as session:  # sessions opened before the backup must not come back
        revoke_all_sessions(session, "restored")
    held_now, meta = _count(target, "rw")
    revision = _revision(target)
    return Contents(target, target.stat().st_size, held_now, int(meta.get("data_version", 0)), revision)


@contextlib.contextmanager
def _connect(path: Path, mode: str) -> Iterator[sqlite3.Connection]:
    """A sqlite3 connection in mode ro (read only), rw (must exist) or rwc (created if missing), closed after."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT)
    try:
        yield conn
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _count(path: Path, mode: str) -> tuple[dict[str, int], dict[str, str]]:
    """(count_held, app_meta) of a SQLite file, read through SQLAlchemy without the app's pragmas (no WAL switch)."""
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True),
        poolclass=pool.NullPool,
    )
    try:
        with Session(engine) as session:
            held = count_held(session)
        return held, read_meta(engine)
    finally:
        engine.dispose()


def _revision(path: Path) -> str:
    with _connect(path, "ro") as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else ""


def _known_revision(revision: str, url: str) -> None:
    """Refuse a backup whose schema version is not among this code's migrations (a newer release made it)."""
    try:
        found = ScriptDirectory.from_config(alembic_config(url)).get_revision(revision)
    except CommandError as exc:
        found, reason = None, f" ({exc})"
    else:
        reason = ""
    if found is None:
        raise BackupError(
            f"the backup's schema version {revision!r} is unknown to this code{reason}: restore it with the release "
            "that made it."
        )


def _data_held(path: Path) -> str:
    """What a database holds besides bookkeeping, as text ('' when nothing: it may be replaced without --force)."""
    try:
        with _connect(path, "ro") as conn:
            rows = {
                table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in sorted(_tables(conn) - BOOKKEEPING_TABLES)
                if not table.startswith("sqlite_")
            }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc}); move it away first.") from exc
    return ", ".join(f"{plural(n, 'rows')} in {table}" for table, n in rows.items() if n)


def _place(partial: Path, out: Path, *, force: bool) -> None:
    """Rename the verified copy to `out` (replacing it only when force), then make the rename durable."""
    if force:
        os.replace(partial, out)
    else:
        try:
            os.link(partial, out)  # fails if out appeared meanwhile: never replaces a file without --force
        except FileExistsError:
            raise BackupError(f"{out} exists; use --force to replace it.") from None
        except OSError:  # a file system without hard links
            if out.exists():
                raise BackupError(f"{out} exists; use --force to replace it.") from None
            os.replace(partial, out)
    _fsync(out.parent)


def _fsync(path: Path) -> None:
    """Flush a file's (or a folder's) contents to disk, where the platform allows it."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
