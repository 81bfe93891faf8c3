"""Whether the database can serve the dashboard: it answers, within a time limit, from the app's own table."""

from __future__ import annotations

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from data_access.models import AppMeta, Commitment


def database_status(engine: Engine, *, timeout_s: int) -> str:
    """'ok', 'timeout' (locked or too slow) or 'unreachable' (refused, missing tables, ...)."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                milliseconds = timeout_s * 1000
                conn.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
                conn.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
            conn.execute(select(AppMeta.key).limit(1)).all()
            conn.execute(select(Commitment.id).limit(1)).all()  # the table pages read most, locks included
    except OperationalError as error:
        message = str(getattr(error, "orig", error)).lower()
        return "timeout" if "timeout" in message or "locked" in message or "canceling" in message else "unreachable"
    except SQLAlchemyError:
        return "unreachable"
    return "ok"
