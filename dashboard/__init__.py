"""OGP Implementation Monitor: app assembly, CLI and the OGP rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dash import Dash

    from dashboard.settings import Settings


def create_app(settings: Settings | None = None) -> Dash:
    """Build the Dash app (imported lazily so the CLI and data layer stay light)."""
    from dashboard.factory import build_app

    return build_app(settings)
