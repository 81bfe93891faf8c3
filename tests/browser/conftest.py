"""Real-browser fixtures: Debian's headless Chromium driven by dash[testing]'s `dash_duo`, one sample DB per test.

One Chromium serves the whole session (`dash_duo` below replaces dash's own fixture, which starts a browser per
test): between tests its cookies and storage are cleared, extra tabs closed, the window reset and the console
drained, so a test starts as in a new browser, except that the scripts it has already loaded come from its
cache, as they would for a returning reader. Each test still gets its own server and its own database.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from pathlib import Path

import pytest
from dash.testing.composite import DashComposite
from selenium.common.exceptions import WebDriverException

from tests.helpers import TEST_SECRET

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1440, 900)
WINDOW_SIZE = f"{WINDOW[0]},{WINDOW[1]}"
ORIGINS = ("http://localhost:8050", "http://127.0.0.1:8050")  # where dash[testing]'s threaded server serves
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


class SharedChromium(DashComposite):
    """dash[testing]'s DashComposite on a Chromium shared by the session's tests (see the module's docstring)."""

    def __init__(self, server, driver, download_path: str) -> None:
        self._shared_driver = driver
        super().__init__(server, browser="chrome", options=[pytest_setup_options()], download_path=download_path)
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_path})

    def get_webdriver(self):
        return self._shared_driver

    def __exit__(self, exc_type, exc_val, traceback) -> None:
        """Leave the browser as a new one for the next test instead of quitting it."""
        driver = self.driver
        for handle in driver.window_handles[1:]:
            driver.switch_to.window(handle)
            driver.close()
        driver.switch_to.window(driver.window_handles[0])
        driver.execute_script("try { window.sessionStorage.clear(); } catch (error) {}")  # this tab's, this origin's
        driver.get("about:blank")
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        for origin in ORIGINS:
            driver.execute_cdp_cmd(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "local_storage,indexeddb"}
            )
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # a test may emulate a phone
        driver.set_window_size(*WINDOW)
        driver.get_log("browser")  # drained: the next test's console starts empty


@pytest.fixture(scope="session")
def chromium_driver():
    """The session's one Chromium (selenium WebDriver), started as dash[testing] starts its own."""
    from dash.testing.browser import Browser

    holder = {"browser": Browser("chrome", options=[pytest_setup_options()])}
    yield holder
    with suppress(WebDriverException):  # already gone
        holder["browser"].driver.quit()


@pytest.fixture
def dash_duo(dash_thread_server, chromium_driver, tmp_path: Path) -> Iterator[DashComposite]:
    """dash[testing]'s `dash_duo` on the shared Chromium (a new one when a test left it unusable)."""
    from dash.testing.browser import Browser

    try:
        chromium_driver["browser"].driver.window_handles  # noqa: B018  # raises when the browser is gone
    except WebDriverException:
        chromium_driver["browser"] = Browser("chrome", options=[pytest_setup_options()])
    download = tmp_path / "download"
    download.mkdir()
    with SharedChromium(dash_thread_server, chromium_driver["browser"].driver, str(download)) as duo:
        yield duo


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
