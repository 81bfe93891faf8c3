"""Real-browser fixtures: Debian's headless Chromium driven by dash[testing]'s `dash_duo`, one sample DB per test."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers import TEST_SECRET

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW_SIZE = "1440,900"
SAMPLE_SEED = 2011
SERVER_START_TIMEOUT = 15
CHROME_ARGUMENTS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    f"--window-size={WINDOW_SIZE}",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with `browser` (so `-m "not browser"` skips them all), and put them
    in one xdist group: under `--dist loadgroup` one worker runs them one after another (one Chromium and one
    server port at a time) while the other workers run everything else."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_setup_options():
    """Chrome options for dash[testing]'s Browser (its hook): headless Debian Chromium, 1440x900."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in CHROME_ARGUMENTS:
        options.add_argument(argument)
    return options


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """On a failed browser test, add what the browser showed to the report: URL, visible text, console."""
    report = yield
    duo = getattr(item, "funcargs", {}).get("dash_duo")
    if report.failed and call.when == "call" and duo is not None:
        try:
            driver = duo.driver
            body = driver.find_element("tag name", "body").text
            console = "\n".join(entry["message"] for entry in duo.get_logs() or [])
            report.sections.append(
                (
                    "browser at failure",
                    f"URL: {driver.current_url}\n--- page text ---\n{body}\n--- console ---\n{console}",
                )
            )
        except Exception as error:  # the browser may be gone; the failure itself is what matters
            report.sections.append(("browser at failure", f"could not read the browser: {error!r}"))
    return report


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """Fail, never skip, when the browser is missing: CI must not pass without running these tests."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(
            f"browser tests need Debian's chromium and chromium-driver; missing: {', '.join(missing)} "
            "(`make test` installs them)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def sample_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file holding the sample dataset, seeded once per session and copied per test."""
    from data_access.db import dispose_engines, get_engine, migrate
    from data_access.sample import seed_sample

    path = tmp_path_factory.mktemp("browser-template") / "sample.sqlite"
    url = f"sqlite:///{path}"
    migrate(url)
    seed_sample(get_engine(url), scale=1, seed=SAMPLE_SEED)
    dispose_engines()
    # Fold the WAL into the main file so a plain file copy carries every row.
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def sample_db_url(tmp_path: Path, sample_db_template: Path) -> Iterator[str]:
    """URL of this test's own copy of the sample database."""
    path = tmp_path / "ogp.sqlite"
    shutil.copy(sample_db_template, path)
    yield f"sqlite:///{path}"
    from data_access.db import dispose_engines

    dispose_engines()


@pytest.fixture
def browser_settings(sample_db_url: str):
    """Settings of the app under test: this test's sample database, no Redis, no debug."""
    from dashboard.settings import Settings

    return Settings(secret_key=TEST_SECRET, database_url=sample_db_url)


@pytest.fixture
def dash_app(browser_settings):
    """The real dashboard, built by the app factory on this test's sample database."""
    from dashboard.factory import create_app

    return create_app(browser_settings)


@pytest.fixture
def browser_app(dash_duo, dash_app):
    """`dash_duo` with the real dashboard served on a free port and the browser on its home page."""
    # dash's default of 3 s for the first page is short on a busy 2-core CI machine.
    dash_duo.start_server(dash_app, start_timeout=SERVER_START_TIMEOUT)
    return dash_duo


@pytest.fixture
def assert_console_clean(dash_duo) -> Callable[[], None]:
    """A check that the browser console holds no SEVERE entry (failed request, JS error) so far."""

    def check() -> None:
        logs = dash_duo.get_logs()
        assert logs == [], "browser console errors:\n" + "\n".join(entry["message"] for entry in logs)

    return check
