"""Command-line interface: `python -m dashboard --help` lists every command."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from dashboard.settings import Settings


def _engine(database_url: str | None):
    from data_access.db import get_engine, migrate

    url = database_url or Settings.from_env().database_url
    migrate(url)
    return get_engine(url)


def _report_failure(exc) -> None:
    click.echo(f"Error: {exc}", err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


database_option = click.option(
    "--database-url", envvar="DATABASE_URL", default=None, help="SQLAlchemy URL (default: $DATABASE_URL or SQLite)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """OGP Implementation Monitor: manage the database and serve the dashboard."""


@cli.command("init-db")
@database_option
def init_db(database_url: str | None) -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    _engine(database_url)
    click.echo("Database schema is up to date.")


@cli.command("import-ogp")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@database_option
def import_ogp(path: Path, dry_run: bool, database_url: str | None) -> None:
    """Import OGP's commitments sheet (CSV or XLSX, 171 columns)."""
    from data_access.ogp_sheet import import_ogp_sheet
    from data_access.problems import ImportFailed

    started = time.perf_counter()
    try:
        summary = import_ogp_sheet(_engine(database_url), path, dry_run=dry_run)
    except ImportFailed as exc:
        _report_failure(exc)
    for warning in summary.warnings:
        click.echo(f"  warning: {warning}", err=True)
    click.echo(f"{summary.line()} ({time.perf_counter() - started:.2f} s)")


@cli.command("export-ogp")
@click.argument("path", type=click.Path(path_type=Path))
@database_option
def export_ogp(path: Path, database_url: str | None) -> None:
    """Export commitments to OGP's sheet format (CSV, or XLSX by extension)."""
    from data_access.ogp_sheet import export_ogp_sheet

    count = export_ogp_sheet(_engine(database_url), path)
    click.echo(f"Wrote {count} commitments to {path}.")


@cli.command("import-progress")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--recorded-by", default="import-progress", show_default=True, help="Name stored as the recorder.")
@database_option
def import_progress_command(path: Path, dry_run: bool, recorded_by: str, database_url: str | None) -> None:
    """Import progress reports from a CSV (see README: progress CSV format)."""
    from data_access.problems import ImportFailed
    from data_access.progress_import import import_progress

    try:
        summary = import_progress(_engine(database_url), path, dry_run=dry_run, recorded_by=recorded_by)
    except ImportFailed as exc:
        _report_failure(exc)
    click.echo(summary.line())


@cli.command("seed-sample")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000), help="Multiply commitments.")
@click.option("--seed", default=2011, show_default=True, type=int, help="Random seed (same seed, same data).")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already holds data.")
@database_option
def seed_sample_command(scale: int, seed: int, if_empty: bool, database_url: str | None) -> None:
    """Fill an empty database with the deterministic sample dataset (labelled as sample data)."""
    from data_access.queries import overview_counts
    from data_access.sample import seed_sample

    engine = _engine(database_url)
    if if_empty and overview_counts(engine)["commitments"]:
        click.echo("The database already holds commitments; sample data not seeded.")
        return
    started = time.perf_counter()
    try:
        summary = seed_sample(engine, scale=scale, seed=seed)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{summary} ({time.perf_counter() - started:.2f} s)")


@cli.command("run")
@click.option("--debug", is_flag=True, help="Dash debug mode (never in production).")
def run(debug: bool) -> None:
    """Serve the dashboard with Dash's development server ($HOST:$PORT)."""
    from dashboard import create_app

    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, debug=debug or settings.debug)
