"""What every callback needs: the database engine, the settings and today's date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_limiter import Limiter
from sqlalchemy import Engine

from dashboard.settings import Settings
from dashboard.web.cache import ViewCache


@dataclass(frozen=True)
class AppContext:
    """Shared, read-only state of one app instance (nothing user-specific lives here)."""

    engine: Engine
    settings: Settings
    cache: ViewCache | None = None  # rendered views; None renders every time (tests of render functions)
    limiter: Limiter | None = None  # throttling (sign-in, exports); None in tests of render functions

    def today(self) -> dt.date:
        """Today's date, or the fixed date set by OGP_TODAY (demos, tests)."""
        if self.settings.today:
            return dt.date.fromisoformat(self.settings.today)
        return dt.date.today()
