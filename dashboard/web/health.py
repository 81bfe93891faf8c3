"""`/healthz`: 200 when the database answers, 503 (with the reason) when it does not."""

from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dashboard.web.context import AppContext


def init_health(server: Flask, app_ctx: AppContext) -> None:
    """Register the health check used by load balancers and `make bench`."""

    @server.get("/healthz")
    def _healthz():
        try:
            with app_ctx.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            return jsonify(status="error", database="unreachable", detail=type(exc).__name__), 503
        return jsonify(status="ok", database="ok")
