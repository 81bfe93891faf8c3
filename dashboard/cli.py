"""Command-line interface: `python -m dashboard --help` lists every command."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import sys
import time
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlencode

import click

from callbacks.briefing import briefing_pdf
from callbacks.periods import parse_period
from callbacks.urls import current_filters
from dashboard.factory import create_app
from dashboard.settings import ConfigurationError, Settings, instance_secret_key
from dashboard.web.context import AppContext
from dashboard.web.digests import MailNotConfigured, due_digests, send_digests
from dashboard.web.pdf import PdfUnavailable
from data_access import statuses
from data_access.accounts import (
    DIGESTS,
    AccountError,
    create_user,
    deactivate_user,
    reset_password,
    set_digest,
    set_role,
)
from data_access.backup import BackupError, NotSQLite, backup, restore
from data_access.db import get_engine, migrate
from data_access.ogp_sheet.export import export_ogp_sheet
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.problems import ImportFailed, report_lines
from data_access.progress_import import import_progress
from data_access.queries import overview_counts
from data_access.recording import audit_log
from data_access.sample import seed_sample
from data_access.sessions import MAX_TOKEN_DAYS, TokenError, create_token, list_tokens, revoke_token


def _engine(database_url: str | None):

    url = database_url or Settings.from_env().database_url
    migrate(url)
    return get_engine(url)


def _report_failure(exc: ImportFailed) -> NoReturn:
    """Print why an import was refused: the first problems by row, then how many more (see data_access.problems)."""
    click.echo(f"Error: {exc}", err=True)
    for line in exc.lines():
        click.echo(f"  {line}", err=True)
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

    started = time.perf_counter()
    try:
        summary = import_ogp_sheet(_engine(database_url), path, dry_run=dry_run)
    except ImportFailed as exc:
        _report_failure(exc)
    for line in report_lines(summary.warnings, kind="warnings", prefix="warning: "):
        click.echo(f"  {line}", err=True)
    click.echo(f"{summary.line()} ({time.perf_counter() - started:.2f} s)")
    if not dry_run:
        _prepare_statuses(_engine(database_url))


@cli.command("export-ogp")
@click.argument("path", type=click.Path(path_type=Path))
@database_option
def export_ogp(path: Path, database_url: str | None) -> None:
    """Export commitments to OGP's sheet format (CSV, or XLSX by extension)."""

    count = export_ogp_sheet(_engine(database_url), path)
    click.echo(f"Wrote {count} commitments to {path}.")


@cli.command("import-progress")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--recorded-by", default="import-progress", show_default=True, help="Name stored as the recorder.")
@database_option
def import_progress_command(path: Path, dry_run: bool, recorded_by: str, database_url: str | None) -> None:
    """Import progress reports from a CSV (see README: progress CSV format)."""

    try:
        summary = import_progress(_engine(database_url), path, dry_run=dry_run, recorded_by=recorded_by, today=_today())
    except ImportFailed as exc:
        _report_failure(exc)
    click.echo(summary.line())
    if not dry_run:
        _prepare_statuses(_engine(database_url))


@cli.command("briefing")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file to write.")
@click.option("--member", multiple=True, help="Member code (repeat for several): one member's pack.")
@click.option("--region", default=None, help="Region name, e.g. Europe.")
@click.option("--policy-area", default=None, help="Policy-area slug, e.g. open-parliaments.")
@click.option("--since", default=None, help="'What changed' after this date (YYYY-MM-DD; default 90 days ago).")
@click.option("--until", default=None, help="'What changed' up to this date (YYYY-MM-DD; default today).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
@database_option
def briefing_command(
    out: Path,
    member: tuple[str, ...],
    region: str | None,
    policy_area: str | None,
    since: str | None,
    until: str | None,
    paper: str,
    database_url: str | None,
) -> None:
    """Write a briefing pack (PDF): scope, KPIs, charts, what changed, worst delays, what falls due next."""
    settings = Settings.from_env()
    settings = dataclasses.replace(settings, database_url=database_url or settings.database_url)
    ctx = AppContext(_engine(settings.database_url), settings)
    pairs = [("member", m) for m in member] + [
        (name, value)
        for name, value in (("region", region), ("policy_area", policy_area), ("since", since), ("until", until))
        if value
    ]
    filters, problems = current_filters(ctx, urlencode(pairs))
    period_problems = parse_period(filters, ctx.today()).problems
    if problems or period_problems:
        for problem in [*problems, *period_problems]:
            click.echo(f"Error: {problem}", err=True)
        sys.exit(2)
    started = time.perf_counter()
    try:
        pdf = briefing_pdf(ctx, filters, paper=paper)
    except PdfUnavailable as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    out.write_bytes(pdf)
    click.echo(f"Wrote {out} ({len(pdf):,} bytes, {time.perf_counter() - started:.1f} s).")


@cli.command("seed-sample")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000), help="Multiply commitments.")
@click.option("--seed", default=2011, show_default=True, type=int, help="Random seed (same seed, same data).")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already holds data.")
@database_option
def seed_sample_command(scale: int, seed: int, if_empty: bool, database_url: str | None) -> None:
    """Fill an empty database with the deterministic sample dataset (labelled as sample data)."""

    engine = _engine(database_url)
    if if_empty and overview_counts(engine)["commitments"]:
        click.echo("The database already holds commitments; sample data not seeded.")
        return
    started = time.perf_counter()
    try:
        summary = seed_sample(engine, scale=scale, seed=seed, today=_today())
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{summary} ({time.perf_counter() - started:.2f} s)")
    _prepare_statuses(engine)


def _today() -> dt.date:
    """Today, or the day OGP_TODAY sets (the day the dashboard's pages judge statuses on)."""
    settings = Settings.from_env()
    return dt.date.fromisoformat(settings.today) if settings.today else dt.date.today()


def _prepare_statuses(engine) -> None:
    """Compute today's statuses once after a change of data, so the first page view does not wait for them."""
    today = _today()
    started = time.perf_counter()
    statuses.ensure(engine, today)
    click.echo(f"Statuses of {today.isoformat()} computed ({time.perf_counter() - started:.2f} s).", err=True)


def _operator() -> str:
    """Who ran an account command, as the audit trail records it."""
    try:
        return f"cli:{getpass.getuser()}"[:80]
    except (KeyError, OSError):
        return "cli"


def _account_error(error: Exception | str) -> NoReturn:
    click.echo(f"Error: {error}", err=True)
    sys.exit(1)


@cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="viewer, support, irm or admin.")
@click.option("--member", "members", multiple=True, metavar="CODE", help="Member a support user works on (repeat).")
@click.option("--display-name", default=None, help="Name shown for the user.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
@database_option
def create_user_command(
    username: str,
    role: str,
    members: tuple[str, ...],
    display_name: str | None,
    password_stdin: bool,
    database_url: str | None,
) -> None:
    """Create a user; the password is asked twice (hidden) unless --password-stdin."""

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        create_user(
            _engine(database_url),
            username=username,
            password=password,
            role=role,
            members=members,
            display_name=display_name,
            by=_operator(),
        )
    except AccountError as exc:
        _account_error(exc)
    scope = f" for {', '.join(sorted(m.upper() for m in members))}" if members else ""
    click.echo(f"Created user '{username}' with role {role}{scope}.")


@cli.command("set-role")
@click.argument("username")
@click.argument("role")
@click.option("--member", "members", multiple=True, metavar="CODE", help="Replace the assigned members (repeat).")
@click.option("--clear-members", is_flag=True, help="Remove every assigned member.")
@database_option
def set_role_command(
    username: str, role: str, members: tuple[str, ...], clear_members: bool, database_url: str | None
) -> None:
    """Change a user's role; --member replaces the members a support user works on (kept when not given)."""

    if members and clear_members:
        _account_error(AccountError("Use either --member or --clear-members, not both."))
    assigned = () if clear_members else (members or None)
    try:
        set_role(_engine(database_url), username=username, role=role, members=assigned, by=_operator())
    except AccountError as exc:
        _account_error(exc)
    click.echo(f"User '{username}' now has role {role}.")


@cli.command("deactivate-user")
@click.argument("username")
@database_option
def deactivate_user_command(username: str, database_url: str | None) -> None:
    """Stop a user from signing in and end their open sessions at once (history and audit entries are kept)."""

    try:
        ended = deactivate_user(_engine(database_url), username=username, by=_operator())
    except AccountError as exc:
        _account_error(exc)
    click.echo(f"User '{username}' is deactivated; {ended} open session(s) ended.")


@cli.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input instead of a prompt.")
@database_option
def reset_password_command(username: str, password_stdin: bool, database_url: str | None) -> None:
    """Set a new password (at least 12 characters, not the username, not a common password) and end the
    user's open sessions."""

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        ended = reset_password(_engine(database_url), username=username, password=password, by=_operator())
    except AccountError as exc:
        _account_error(exc)
    click.echo(f"Password of '{username}' reset; {ended} open session(s) ended.")


@cli.command("set-digest")
@click.argument("username")
@click.argument("frequency", type=click.Choice(DIGESTS))
@click.option("--email", default=None, help="The address digests go to (kept when not given).")
@database_option
def set_digest_command(username: str, frequency: str, email: str | None, database_url: str | None) -> None:
    """Send USERNAME an e-mail digest of what they follow: daily, weekly, or off."""

    try:
        set_digest(_engine(database_url), username=username, frequency=frequency, email=email, by=_operator())
    except AccountError as exc:
        _account_error(exc)
    click.echo(f"Digest of '{username}': {frequency}.")


@cli.command("send-digests")
@click.option("--dry-run", is_flag=True, help="Print the digests that are due; send and mark nothing.")
@database_option
def send_digests_command(dry_run: bool, database_url: str | None) -> None:
    """Collect the inbox events and e-mail each user whose daily or weekly digest is due (SMTP_URL). Each event
    goes out once: rerunning sends nothing twice. Run it from cron (README)."""

    settings = Settings.from_env()
    if database_url:
        settings = dataclasses.replace(settings, database_url=database_url)
    engine, today = _engine(settings.database_url), _today()
    if dry_run:
        digests = due_digests(engine, settings, today)
        for digest in digests:
            click.echo(f"--- to {digest.email} ({digest.username}), {len(digest.event_ids)} event(s) ---")
            click.echo(digest.message.get_content())
        click.echo(f"{len(digests)} digest(s) due; nothing sent (--dry-run).")
        return
    try:
        sent, failed = send_digests(engine, settings, today)
    except (MailNotConfigured, OSError) as exc:  # OSError: the SMTP server cannot be reached
        _account_error(f"no digest sent: {exc}")
    for digest in sent:
        click.echo(f"Sent {len(digest.event_ids)} event(s) to {digest.username} <{digest.email}>.")
    for digest, why in failed:
        click.echo(f"Not sent to {digest.username} <{digest.email}>: {why} (kept for the next run).", err=True)
    click.echo(f"{len(sent)} digest(s) sent, {len(failed)} failed.")
    if failed:
        sys.exit(1)


@cli.command("create-token")
@click.argument("username")
@click.option("--label", required=True, help="What the token is for, e.g. 'Country dashboard sync' (listed).")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, MAX_TOKEN_DAYS), help="Validity.")
@database_option
def create_token_command(username: str, label: str, days: int, database_url: str | None) -> None:
    """Create an API token that reads the API as USERNAME (their role, their members). The token alone goes to
    standard output, once; it is not stored and cannot be shown again (its id names it afterwards)."""

    try:
        token, listed = create_token(_engine(database_url), username, label=label, days=days, by=_operator())
    except TokenError as exc:
        _account_error(exc)
    click.echo(
        f"Token {listed.token_id} for '{username}' ({listed.label}), valid until {listed.expires_at:%Y-%m-%d}. "
        "Send it as 'Authorization: Bearer <token>'; it is shown only now. "
        f"Revoke it with: python -m dashboard revoke-token {listed.token_id}",
        err=True,
    )
    click.echo(token)


@cli.command("list-tokens")
@click.argument("username", required=False)
@database_option
def list_tokens_command(username: str | None, database_url: str | None) -> None:
    """List API tokens (of USERNAME when given): id, user, state, created, expires, label."""

    tokens = list_tokens(_engine(database_url), username)
    if not tokens:
        click.echo("No API tokens." if username is None else f"No API tokens for '{username}'.")
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for token in tokens:
        click.echo(
            f"{token.token_id}  {token.username:<20} {token.state(now):<20} "
            f"created {token.created_at:%Y-%m-%d}  expires {token.expires_at:%Y-%m-%d}  {token.label}"
        )


@cli.command("revoke-token")
@click.argument("token_id")
@database_option
def revoke_token_command(token_id: str, database_url: str | None) -> None:
    """Revoke an API token by its id (from create-token or list-tokens); it stops working at once."""

    try:
        token = revoke_token(_engine(database_url), token_id, by=_operator())
    except TokenError as exc:
        _account_error(exc)
    click.echo(f"Token {token.token_id} of '{token.username}' ({token.label}) is revoked.")


def _parse_since(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"'{value[:40]}' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM).") from None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def audit_lines(entries) -> list[str]:
    """The audit trail as aligned text: when (UTC), who, action, entity, field, old -> new."""
    rows = [
        (
            f"{entry.at:%Y-%m-%d %H:%M:%S}",
            entry.username,
            entry.action,
            f"{entry.entity} {entry.entity_id}",
            entry.field or "",
            f"{_shown(entry.old_value)} -> {_shown(entry.new_value)}",
        )
        for entry in entries.itertuples(index=False)
    ]
    header = ("when (UTC)", "who", "action", "entity", "field", "old -> new")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in [header, *rows]
    ]


def _shown(value) -> str:
    if value is None or value != value:  # None or NaN
        return "(none)"
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:59] + "…"


@cli.command("audit")
@click.option("--since", required=True, help="Changes from this date or time on (YYYY-MM-DD, UTC).")
@click.option("--commitment", default=None, metavar="ID", help="Only this commitment (e.g. AL0002).")
@database_option
def audit_command(since: str, commitment: str | None, database_url: str | None) -> None:
    """Print the audit trail: who changed what, when, old -> new."""

    try:
        start = _parse_since(since)
    except click.BadParameter as exc:
        _account_error(exc.message)
    filters = {"entity": "commitment", "entity_id": commitment.strip().upper()} if commitment else {}
    entries = audit_log(_engine(database_url), since=start, **filters)
    if entries.empty:
        click.echo(f"No changes recorded since {start:%Y-%m-%d %H:%M}.")
        return
    for line in audit_lines(entries):
        click.echo(line.rstrip())


def _backup_failure(exc: BackupError) -> NoReturn:
    """Exit 2 when the database is not SQLite (the message names pg_dump), 1 when the copy was refused or failed."""
    click.echo(f"Error: {exc}", err=True)
    sys.exit(2 if isinstance(exc, NotSQLite) else 1)


@cli.command("backup")
@click.option("--out", required=True, type=click.Path(path_type=Path), metavar="FILE", help="File to write.")
@click.option("--force", is_flag=True, help="Replace FILE when it exists.")
@database_option
def backup_command(out: Path, force: bool, database_url: str | None) -> None:
    """Copy the SQLite database to FILE while the app runs (SQLite's online backup API) and verify the copy."""

    try:
        saved = backup(database_url or Settings.from_env().database_url, out, force=force)
    except BackupError as exc:
        _backup_failure(exc)
    click.echo(f"Backed up to {saved.path} ({saved.size:,} bytes): {saved.holdings()}.")


@cli.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@database_option
def restore_command(file: Path, force: bool, database_url: str | None) -> None:
    """Copy a backup made by `backup` into the SQLite database, then upgrade its schema (Alembic migrations)."""

    url = database_url or Settings.from_env().database_url
    try:
        restored = restore(file, url, force=force)
    except BackupError as exc:
        _backup_failure(exc)
    click.echo(f"Restored {file} into {restored.path}: now holding {restored.holdings()}.")
    _prepare_statuses(get_engine(url))


@cli.command("run")
@click.option("--debug", is_flag=True, help="Dash debug mode (never in production).")
def run(debug: bool) -> None:
    """Serve the dashboard with Dash's development server ($HOST:$PORT)."""

    settings = Settings.from_env()
    if not settings.secret_key:  # a local server: its own random key, made once in instance/ and reused
        settings = dataclasses.replace(settings, secret_key=instance_secret_key())
    try:
        app = create_app(dataclasses.replace(settings, debug=debug or settings.debug))
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error
    app.run(host=settings.host, port=settings.port, debug=debug or settings.debug)
