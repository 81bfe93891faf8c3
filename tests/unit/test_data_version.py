"""The data version that every write bumps (every cache key holds it) never loses an increment: 50 writers at
once raise it by exactly 50, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import threading

from data_access.db import bump_data_version, get_engine, read_meta, session_scope
from data_access.models import AppMeta

WRITERS = 50


def test_ver001_concurrent_writers_raise_the_data_version_by_exactly_their_number(db_url):
    engine = get_engine(db_url)
    before = int(read_meta(engine)["data_version"])
    start = threading.Barrier(min(WRITERS, 10))  # as many as the pool lets in at once start together
    errors: list[BaseException] = []
    returned: list[int] = []

    def write() -> None:
        try:
            with session_scope(engine) as session:
                session.get(AppMeta, "data_version")  # a writer that has read the row before bumping it
                with contextlib.suppress(threading.BrokenBarrierError):
                    start.wait(timeout=2)
                returned.append(bump_data_version(session))
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert int(read_meta(engine)["data_version"]) == before + WRITERS
    assert sorted(returned) == list(range(before + 1, before + WRITERS + 1))  # each writer saw its own number


def test_ver002_the_bump_and_the_caller_write_commit_or_roll_back_together(db_url):
    engine = get_engine(db_url)
    before = read_meta(engine)["data_version"]
    try:
        with session_scope(engine) as session:
            bump_data_version(session)
            raise RuntimeError("the write failed after the bump")
    except RuntimeError:
        pass
    assert read_meta(engine)["data_version"] == before
    with session_scope(engine) as session:
        assert bump_data_version(session) == int(before) + 1
    meta = read_meta(engine)
    assert meta["data_version"] == str(int(before) + 1) and meta["data_updated_at"]
