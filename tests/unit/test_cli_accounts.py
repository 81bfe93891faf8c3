"""Account and audit commands of `python -m dashboard`: create-user, set-role, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from data_access.accounts import authenticate, load_actor
from data_access.db import get_engine
from data_access.recording import add_delay_note
from data_access.sessions import session_actor
from tests.builders import build

PASSWORD = "correct horse battery"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def engine(db_url):
    engine = get_engine(db_url)
    plan = {"ogp_id": "AP_ALB05", "submission_year": 2022, "start": dt.date(2022, 9, 1), "end": dt.date(2024, 8, 31)}
    build(
        engine,
        [
            {
                "code": "ALB",
                "name": "Albania",
                "region": "Europe",
                "plans": [{**plan, "commitments": [{"ogp_id": "AL0001", "title": "Open the budget"}]}],
            },
            {"code": "KEN", "name": "Kenya", "region": "Africa and the Middle East"},
        ],
    )
    return engine


def invoke(runner: CliRunner, db_url: str, *args: str, stdin: str | None = None):
    return runner.invoke(cli, [*args, "--database-url", db_url], input=stdin)


def test_cli001_help_lists_the_account_commands(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("create-user", "set-role", "audit"):
        assert command in result.output


def test_cli002_create_user_reads_the_password_from_stdin(runner, db_url, engine):
    result = invoke(
        runner,
        db_url,
        "create-user",
        "sofia",
        "--role",
        "support",
        "--member",
        "alb",
        "--display-name",
        "Sofia R.",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created user 'sofia' with role support for ALB." in result.output
    actor = authenticate(engine, "sofia", PASSWORD)
    assert actor is not None and actor.role == "support" and actor.members == frozenset({"ALB"})


def test_cli003_create_user_prompts_twice_and_refuses_a_mismatch(runner, db_url, engine):
    mismatch = invoke(runner, db_url, "create-user", "ines", "--role", "irm", stdin=f"{PASSWORD}\nsomething else\n")
    assert load_actor(engine, "ines") is None
    assert mismatch.exit_code != 0
    ok = invoke(runner, db_url, "create-user", "ines", "--role", "irm", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    assert PASSWORD not in ok.output  # the prompt hides what is typed
    assert authenticate(engine, "ines", PASSWORD).role == "irm"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sofia", "--role", "viewer"), "A user named 'sofia' already exists."),
        (("nadia", "--role", "superuser"), "Unknown role 'superuser'"),
        (("nadia", "--role", "support", "--member", "XYZ"), "Unknown member code(s): XYZ."),
    ],
)
def test_cli004_account_errors_are_clear_and_exit_1(runner, db_url, engine, args, message):
    first = invoke(runner, db_url, "create-user", "sofia", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    assert first.exit_code == 0
    result = invoke(runner, db_url, "create-user", *args, "--password-stdin", stdin=PASSWORD)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert "Traceback" not in result.output


def test_cli005_short_password_is_refused(runner, db_url, engine):
    result = invoke(runner, db_url, "create-user", "nadia", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    assert load_actor(engine, "nadia") is None


def test_cli006_set_role_changes_role_and_members(runner, db_url, engine):
    invoke(runner, db_url, "create-user", "kamau", "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    result = invoke(runner, db_url, "set-role", "kamau", "support", "--member", "KEN", "--member", "ALB")
    assert result.exit_code == 0, result.output
    assert "User 'kamau' now has role support." in result.output
    assert load_actor(engine, "kamau").members == frozenset({"ALB", "KEN"})
    kept = invoke(runner, db_url, "set-role", "kamau", "irm")
    assert kept.exit_code == 0 and load_actor(engine, "kamau").members == frozenset({"ALB", "KEN"})
    cleared = invoke(runner, db_url, "set-role", "kamau", "viewer", "--clear-members")
    assert cleared.exit_code == 0
    assert load_actor(engine, "kamau") == load_actor(engine, "kamau").__class__("kamau", "viewer", frozenset())
    missing = invoke(runner, db_url, "set-role", "nobody", "viewer")
    assert missing.exit_code == 1 and "Error: No user named 'nobody'." in missing.output


def test_cli007_audit_prints_the_trail_as_aligned_text(runner, db_url, engine):
    invoke(
        runner,
        db_url,
        "create-user",
        "sofia",
        "--role",
        "support",
        "--member",
        "ALB",
        "--password-stdin",
        stdin=PASSWORD,
    )
    sofia = load_actor(engine, "sofia")
    add_delay_note(engine, sofia, ogp_id="AL0001", expected_version=1, note="Ministry reorganised")
    today = dt.datetime.now(dt.UTC).date().isoformat()

    result = invoke(runner, db_url, "audit", "--since", today)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["when", "(UTC)", "who", "action", "entity", "field", "old", "->", "new"]
    note = next(line for line in lines if "add-delay-note" in line)
    assert "sofia" in note and "commitment AL0001" in note and "(none) -> Ministry reorganised" in note
    created = next(line for line in lines if "create-user" in line and "role" in line)
    assert "user sofia" in created and "(none) -> support" in created
    # Columns line up: every row's action starts where the header's does.
    column = lines[0].index("action")
    assert all(line[column:].split()[0] in {"action", "create-user", "add-delay-note"} for line in lines)

    only = invoke(runner, db_url, "audit", "--since", today, "--commitment", "al0001")
    assert [line.split() for line in only.output.splitlines()[1:]] == [note.split()]
    future = invoke(runner, db_url, "audit", "--since", "2999-01-01")
    assert future.exit_code == 0 and "No changes recorded since 2999-01-01" in future.output


@pytest.mark.parametrize("since", ["yesterday", "2024-13-40", ""])
def test_cli008_audit_with_a_bad_date_exits_1(runner, db_url, engine, since):
    result = invoke(runner, db_url, "audit", "--since", since)
    assert result.exit_code == 1
    assert "Error:" in result.output and "is not a date" in result.output


def test_cli009_api_tokens_are_created_listed_and_revoked(runner, db_url, engine):
    """create-token prints the token alone on stdout (scripts capture it) and its id on stderr; list-tokens
    names it by that id with its label; revoke-token stops it; each step is in the audit trail."""
    assert (
        invoke(
            runner, db_url, "create-user", "api-bot", "--role", "viewer", "--password-stdin", stdin=PASSWORD + "\n"
        ).exit_code
        == 0
    )
    created = invoke(runner, db_url, "create-token", "api-bot", "--label", "  Nightly   sync ", "--days", "30")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("ogp_") and "\n" not in token and len(token) > 40
    token_id = created.stderr.split()[1]
    assert f"revoke-token {token_id}" in created.stderr
    assert session_actor(engine, token, kind="api").username == "api-bot"
    assert session_actor(engine, token) is None  # a token is no browser session
    listed = invoke(runner, db_url, "list-tokens").stdout.splitlines()
    assert len(listed) == 1 and listed[0].startswith(f"{token_id}  api-bot") and "active" in listed[0]
    assert listed[0].endswith("Nightly sync")  # spaces folded
    expires = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    assert f"expires {expires:%Y-%m-%d}" in listed[0]

    revoked = invoke(runner, db_url, "revoke-token", token_id.upper())
    assert revoked.exit_code == 0 and "is revoked" in revoked.stdout
    assert session_actor(engine, token, kind="api") is None
    assert "revoked" in invoke(runner, db_url, "list-tokens", "api-bot").stdout
    trail = invoke(runner, db_url, "audit", "--since", "2000-01-01").stdout
    assert "token-created" in trail and "token-revoked" in trail and token not in trail


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("create-token", "nobody", "--label", "x"), "No active user named 'nobody'."),
        (("create-token", "api-bot", "--label", "   "), "A token needs a label"),
        (("create-token", "api-bot", "--label", "x", "--days", "0"), "Invalid value for '--days'"),
        (("revoke-token", "12345"), "A token id is 12 hexadecimal digits"),
        (("revoke-token", "0123456789ab"), "No API token with id 0123456789ab."),
    ],
)
def test_cli010_token_commands_refuse_in_words(runner, db_url, engine, args, said):
    assert (
        invoke(
            runner, db_url, "create-user", "api-bot", "--role", "viewer", "--password-stdin", stdin=PASSWORD + "\n"
        ).exit_code
        == 0
    )
    result = invoke(runner, db_url, *args)
    assert result.exit_code != 0 and said in result.output
    assert "Traceback" not in result.output
    assert "No API tokens." in invoke(runner, db_url, "list-tokens").stdout
