"""Benchmark: seed the sample at several scales, serve with gunicorn, and time every page's callbacks.

Two modes, both in one run: fixed (each callback with no filter, the same request over and over) and, with
`--random-filters N`, random (each callback N times with filter combinations drawn at random, seeded, from
the options the seeded database really has). Prints markdown tables and writes them to bench/RESULTS.md
(see README, "Benchmark and load test"). Not a test.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.graph_objects as go  # noqa: E402
import psutil  # noqa: E402
from plotly.utils import PlotlyJSONEncoder  # noqa: E402
from sqlalchemy import event  # noqa: E402

from dashboard.domain.filters import MEMBER_TYPE_PARAMS, Filters, parse_filters  # noqa: E402
from dashboard.domain.scales import COMPLETION, DELAY_STATUSES, REGIONS  # noqa: E402

BENCH_TODAY = "2026-03-15"  # fixed so every run replays the same mid-cycle state
ROUTES = (
    "/",
    "/cycle",
    "/countries",
    "/countries/BRA",
    "/themes",
    "/themes/open-data",
    "/commitments",
    "/commitments/{commitment}",
    "/delays",
    "/irm",
)
GRID = "grid rows /commitments"
# Random mode: every page route (path parameters drawn too) and the grid's rows callback.
RANDOM_ROUTES = (
    "/",
    "/cycle",
    "/countries",
    "/countries/<code>",
    "/themes",
    "/themes/<slug>",
    "/commitments",
    "/commitments/<id>",
    "/delays",
    "/irm",
    GRID,
)
ERROR_MARKERS = (b"db-error", b"internal error")  # the banners a failed render returns (with status 200)
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends: the server compresses as for a browser
TARGET_P95, TARGET_P95_X8, TARGET_FLOOR_RATIO, TARGET_GROWTH = 150, 400, 3, 3


@dataclass
class Case:
    """One callback request to time: a name (page), the JSON body and how to compute its floor."""

    name: str
    body: dict
    route: str | None = None  # a router render: its floor is measured in-process
    search: str = ""
    cold: dict[str, float] = field(default_factory=dict)
    cached: dict[str, float] = field(default_factory=dict)
    floor_ms: float | None = None


@dataclass
class RandomCase:
    """One callback under random filters: N requests for one client, 2N others for the concurrent clients."""

    name: str
    single: list[Case]
    concurrent: list[Case]
    cold: dict[str, float] = field(default_factory=dict)
    cached: dict[str, float] = field(default_factory=dict)
    floors: list[float] = field(default_factory=list)

    @property
    def floor_ms(self) -> float | None:
        return statistics.median(self.floors) if self.floors else None


@dataclass
class Choices:
    """The filter and path options the seeded database really has."""

    members: list[str]
    cycles: list[int]
    areas: list[str]
    commitments: list[str]
    today: dt.date
    as_of_chance: float = 0.1  # share of requests that replay a past day (as_of)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def decode(payload: bytes, encoding: str | None) -> bytes:
    """The body of a response compressed with `encoding` (Content-Encoding), decompressed."""
    if encoding == "gzip":
        return gzip.decompress(payload)
    if encoding == "deflate":
        return zlib.decompress(payload)
    if encoding == "br":
        import brotli

        return brotli.decompress(payload)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(payload)
    return payload


def fetch(url: str, body: dict) -> tuple[float, bool, bytes]:
    """(milliseconds, served from the view cache, decoded body) of one callback request (loopback)."""
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Accept-Encoding": ACCEPT_ENCODING}
    request = urllib.request.Request(url, data=data, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"{response.status} for {body.get('output')}")
        hit = response.headers.get("X-View-Cache") == "hit"
        encoding = response.headers.get("Content-Encoding")
    return elapsed, hit, decode(payload, encoding)


def post(url: str, body: dict) -> float:
    """Milliseconds for one callback request (loopback: essentially server time)."""
    return fetch(url, body)[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def seed(url: str, scale: int) -> tuple[float, float]:
    """Seed the sample when the database is empty, then make today's statuses current (as the CLI does).

    (seconds seeding, seconds computing the statuses); 0.0 for what was already done.
    """
    from data_access import statuses
    from data_access.db import dispose_engines, get_engine, migrate
    from data_access.queries import overview_counts
    from data_access.sample import seed_sample

    migrate(url)
    engine = get_engine(url)
    seeded = 0.0
    if not overview_counts(engine)["commitments"]:
        started = time.perf_counter()
        seed_sample(engine, scale=scale, seed=2011, today=dt.date.fromisoformat(BENCH_TODAY))
        seeded = time.perf_counter() - started
    started = time.perf_counter()
    statuses.ensure(engine, dt.date.fromisoformat(BENCH_TODAY))
    computed = time.perf_counter() - started
    dispose_engines()
    return seeded, computed


def sample_commitment(url: str) -> str:
    from sqlalchemy import text

    from data_access.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(
            text(
                "SELECT c.ogp_id FROM commitment c JOIN progress_report p ON p.commitment_id = c.id "
                "GROUP BY c.ogp_id HAVING COUNT(*) >= 3 ORDER BY c.ogp_id LIMIT 1"
            )
        ).scalar_one()


def choices(url: str, as_of_chance: float = 0.1) -> Choices:
    """Member codes, submission-year cycles, policy-area slugs and commitment ids of the database."""
    from sqlalchemy import select

    from data_access.db import get_engine
    from data_access.models import Commitment
    from data_access.queries import filter_options

    engine = get_engine(url)
    options = filter_options(engine)
    with engine.connect() as conn:
        commitments = sorted(conn.scalars(select(Commitment.ogp_id)).all())
    return Choices(
        members=sorted(code for code, _name in options["members"]),
        cycles=list(options["cycles"]),
        areas=[slug for slug, _name in options["policy_areas"]],
        commitments=commitments,
        today=dt.date.fromisoformat(BENCH_TODAY),
        as_of_chance=as_of_chance,
    )


def random_search(rng: random.Random, options: Choices) -> str:
    """A query string of filters drawn from the real options: each filter present or not, one or two values.

    The same draw as tests/callbacks/test_figures_agree.py (random_query): members, cycles and policy areas
    from the database; regions, member types, completion values, starred and delay statuses from the
    domain; sometimes an as_of date (a replay) up to ~11 years back.
    """

    def some(values: list[Any], chance: float) -> list[Any]:
        return rng.sample(values, k=min(len(values), rng.choice((1, 1, 2)))) if rng.random() < chance else []

    pairs: list[tuple[str, Any]] = []
    pairs += [("member", m) for m in some(options.members, 0.3)]
    pairs += [("region", r) for r in some(list(REGIONS), 0.3)]
    pairs += [("member_type", t) for t in some(list(MEMBER_TYPE_PARAMS), 0.15)]
    pairs += [("cycle", c) for c in some(options.cycles, 0.2)]
    pairs += [("policy_area", a) for a in some(options.areas, 0.2)]
    pairs += [("completion", c) for c in some(list(COMPLETION.values), 0.15)]
    pairs += [("starred", s) for s in some(["yes", "no"], 0.1)][:1]
    pairs += [("delay_status", s) for s in some(list(DELAY_STATUSES), 0.25)]
    if rng.random() < options.as_of_chance:
        pairs.append(("as_of", (options.today - dt.timedelta(days=rng.randrange(30, 4000))).isoformat()))
    return "?" + urlencode(pairs) if pairs else ""


def random_path(rng: random.Random, route: str, options: Choices) -> str:
    """The route with its path parameter (member code, policy-area slug, commitment id) drawn at random."""
    if route.endswith("<code>"):
        return route.replace("<code>", rng.choice(options.members))
    if route.endswith("<slug>"):
        return route.replace("<slug>", rng.choice(options.areas))
    if route.endswith("<id>"):
        return route.replace("<id>", rng.choice(options.commitments))
    return route


def specs(base: str) -> tuple[dict, dict]:
    """The router callback's and the grid rows callback's dependency specs, from the running app."""
    deps = json.loads(urllib.request.urlopen(f"{base}/_dash-dependencies").read())
    router = next(d for d in deps if "page-content.children" in d["output"])
    grid = next(d for d in deps if "getRowsResponse" in d["output"])
    return router, grid


def router_body(router: dict, path: str, search: str) -> dict:
    """The router callback's request body for a URL, as the browser sends it."""
    return {
        "output": router["output"],
        "outputs": [
            {"id": o.split(".")[0], "property": o.split(".")[1]} for o in router["output"].strip(".").split("...")
        ],
        "inputs": [
            {"id": "url", "property": "pathname", "value": path},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname"],
        "state": [],
    }


def grid_request(start: int = 0, end: int = 50) -> dict:
    return {"startRow": start, "endRow": end, "sortModel": [], "filterModel": {}}


def grid_body(grid: dict, search: str, request: dict | None = None) -> dict:
    """The grid's first getRowsRequest on /commitments<search>, with the grid id the page gives it."""
    filters, _ = parse_filters(search)
    view = hashlib.sha1(filters.to_query().encode()).hexdigest()[:12]
    grid_id = {"type": "commitments-grid", "view": view}
    return {
        "output": grid["output"],
        "outputs": {"id": grid_id, "property": "getRowsResponse"},
        "inputs": [{"id": grid_id, "property": "getRowsRequest", "value": request or grid_request()}],
        "changedPropIds": [json.dumps(grid_id, separators=(",", ":"), sort_keys=True) + ".getRowsRequest"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }


def build_cases(base: str, commitment: str) -> list[Case]:
    router, grid = specs(base)
    cases = []
    for route in ROUTES:
        path = route.format(commitment=commitment)
        cases.append(Case(path, router_body(router, path, ""), route=path))
    cases.append(Case(GRID, grid_body(grid, "")))
    return cases


def random_case(rng: random.Random, route: str, options: Choices, router: dict, grid: dict) -> Case:
    search = random_search(rng, options)
    if route == GRID:
        return Case(f"{GRID}{search}", grid_body(grid, search), search=search)
    path = random_path(rng, route, options)
    return Case(path + search, router_body(router, path, search), route=path, search=search)


def build_random_cases(base: str, options: Choices, n: int, seed_: int) -> list[RandomCase]:
    """N requests per route for one client and 2N others for the concurrent clients, seeded per route."""
    router, grid = specs(base)
    cases = []
    for route in RANDOM_ROUTES:
        rng = random.Random(f"{seed_}:{route}")
        single = [random_case(rng, route, options, router, grid) for _ in range(n)]
        concurrent = [random_case(rng, route, options, router, grid) for _ in range(2 * n)]
        cases.append(RandomCase(route, single, concurrent))
    return cases


class QueryClock:
    """Time spent by the database driver running each query to completion, fetching every row into Python.

    SQL execute alone (before/after_cursor_execute) misses most of the work on SQLite, whose rows are
    computed while they are fetched. So: before/after_cursor_execute time the driver's execute, and
    after_cursor_execute swaps the execution context's DBAPI cursor for a proxy that times every fetchone,
    fetchmany, fetchall and iteration the result makes on it (SQLAlchemy builds the CursorResult from
    `context.cursor` right after that event). The sum is driver time only: the rows' conversion into
    DataFrames or ORM objects and the app's code between fetches are not counted, on any driver.
    """

    def __init__(self, engine):
        self.engine = engine
        self.seconds = 0.0

    def __enter__(self) -> QueryClock:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.seconds += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
        if context is not None and not isinstance(context.cursor, _TimedCursor):
            context.cursor = _TimedCursor(context.cursor, self)


class _TimedCursor:
    """A DBAPI cursor whose fetches add their time to a QueryClock; everything else is the cursor's own."""

    def __init__(self, cursor, clock: QueryClock):
        self._cursor, self._clock = cursor, clock

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def _timed(self, method, *args):
        started = time.perf_counter()
        try:
            return method(*args)
        finally:
            self._clock.seconds += time.perf_counter() - started

    def fetchone(self):
        return self._timed(self._cursor.fetchone)

    def fetchmany(self, *args):
        return self._timed(self._cursor.fetchmany, *args)

    def fetchall(self):
        return self._timed(self._cursor.fetchall)

    def __iter__(self):
        return self

    def __next__(self):
        return self._timed(self._cursor.__next__)


def app_context(url: str):
    """(the AppContext callbacks receive, with today fixed at BENCH_TODAY; the database's member codes)."""
    from dashboard.settings import Settings
    from dashboard.web.context import AppContext
    from data_access.db import get_engine
    from data_access.queries import member_codes

    engine = get_engine(url)
    return AppContext(engine, Settings(database_url=url, today=BENCH_TODAY)), set(member_codes(engine))


class Floors:
    """In-process floor of a callback: its queries run to completion with every row fetched (QueryClock)
    plus encoding its figures as plain JSON; best of `repeat` runs, so caches are as warm as the server's."""

    def __init__(self, url: str):
        self.ctx, self.members = app_context(url)
        self.engine = self.ctx.engine
        self.clock = QueryClock(self.engine)

    def __enter__(self) -> Floors:
        self.clock.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.clock.__exit__(*exc)

    def of(self, case: Case, repeat: int = 3) -> float:
        """Milliseconds."""
        from callbacks.commitments import grid_response
        from dashboard.pages import ROUTER

        filters, _ = parse_filters(case.search, known_members=self.members) if case.search else (Filters(), [])
        best = None
        for _ in range(repeat):
            self.clock.seconds = 0.0
            if case.route is None:  # the grid's rows: queries only, the rows are JSON already
                request = case.body["inputs"][0]["value"]
                grid_response(self.ctx, request, case.search)
                total = self.clock.seconds
            else:
                page = ROUTER.render(self.ctx, case.route, filters)
                children = page.children if page is not None else None
                figures = [c.figure for c in _walk(children) if isinstance(getattr(c, "figure", None), go.Figure)]
                started = time.perf_counter()
                for figure in figures:
                    json.dumps(figure.to_plotly_json(), cls=PlotlyJSONEncoder)
                total = self.clock.seconds + time.perf_counter() - started
            best = total if best is None else min(best, total)
        return best * 1000


def floors(url: str, cases: list[Case]) -> None:
    with Floors(url) as floor:
        for case in cases:
            case.floor_ms = floor.of(case)


def random_floors(url: str, cases: list[RandomCase]) -> None:
    """The floor of each single-client request (best of 2: the first run may replay a new day's statuses)."""
    with Floors(url) as floor:
        for case in cases:
            case.floors = [floor.of(request, repeat=2) for request in case.single]


def _walk(node):
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif item is not None and not isinstance(item, str | int | float):
            yield item
            stack.append(getattr(item, "children", None))


# Runs in each new document before the app's scripts: records when the overview is fully drawn (KPIs in,
# at least 4 Plotly figures drawn, no Dash loading state), in ms since navigation start.
DRAWN_PROBE = """
(() => {
  const drawn = () => document.querySelector('#kpi-commitments') !== null &&
    document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4 &&
    document.querySelector('._dash-loading') === null;
  const timer = setInterval(() => {
    if (document.readyState !== 'loading' && drawn()) { window.__drawnAt = performance.now(); clearInterval(timer); }
  }, 5);
})();
"""


def first_page_ms(base: str, visits: int = 3) -> list[float]:
    """Time until / is fully drawn in headless Chromium, on first visits: the browser's cache and cookies are
    emptied before each; measured in the page (performance.now() since navigation start). One per visit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.support.ui import WebDriverWait

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--window-size=1440,900",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options)
    try:
        driver.get("about:blank")  # start the browser process; nothing of the app is fetched
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DRAWN_PROBE})
        times = []
        for _ in range(visits):
            driver.get("about:blank")
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})
            driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
            driver.get(base + "/")
            times.append(
                WebDriverWait(driver, 60, poll_frequency=0.05).until(
                    lambda d: d.execute_script("return window.__drawnAt || false")
                )
            )
        return times
    finally:
        driver.quit()


@contextlib.contextmanager
def serve(url: str, args, *, view_cache: bool):
    """Gunicorn serving the app on url; yields (base URL, process)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "OGP_TODAY": BENCH_TODAY,
        "VIEW_CACHE": "true" if view_cache else "false",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "app:server",
        "--workers",
        str(args.workers),
        "--threads",
        "4",
        "--access-logfile",
        "/dev/null",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    log_path = getattr(args, "server_log", None)
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if log_path:
            log.close()


class MemoryPeak:
    """Samples the RSS of a gunicorn master's workers in the background; .mb is the highest seen."""

    def __init__(self, process: subprocess.Popen):
        self.rss = 0
        self._parent = psutil.Process(process.pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for child in self._parent.children():
                with contextlib.suppress(psutil.Error):
                    self.rss = max(self.rss, child.memory_info().rss)
            time.sleep(0.1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.rss / 2**20


def measure(base: str, case_bodies: list[Case], requests: int, clients: int) -> dict[str, dict[str, float]]:
    """p50/p95 single client, p95 and req/s with `clients` concurrent clients, per case name."""
    endpoint = base + "/_dash-update-component"
    stats = {}
    for case in case_bodies:
        for _ in range(2):
            post(endpoint, case.body)  # warm each worker's first render (and the cache, when on)
        single = [post(endpoint, case.body) for _ in range(requests)]
        bodies = [case.body] * (requests * 2)
        started = time.perf_counter()
        with cf.ThreadPoolExecutor(clients) as pool:
            concurrent = list(pool.map(lambda body: post(endpoint, body), bodies))
        stats[case.name] = {
            "p50": statistics.median(single),
            "p95": percentile(single, 0.95),
            "p95c": percentile(concurrent, 0.95),
            "rps": len(concurrent) / (time.perf_counter() - started),
        }
    return stats


def measure_random(base: str, cases: list[RandomCase], clients: int) -> dict[str, dict[str, float]]:
    """Per route: p50/p95 of its N random requests one after another, p95 and req/s of its 2N others from
    `clients` clients at once, the share answered from the view cache and the p50 of replays (as_of)."""
    endpoint = base + "/_dash-update-component"
    stats = {}
    for _ in range(2):  # warm each worker's first render with a request of no filter
        post(endpoint, cases[0].single[0].body)
    failed = []

    def timed(request: Case) -> tuple[float, bool]:
        ms, hit, payload = fetch(endpoint, request.body)
        if any(marker in payload for marker in ERROR_MARKERS):
            failed.append(request.name)
        return ms, hit

    for case in cases:
        failed.clear()
        single = [timed(request) for request in case.single]
        started = time.perf_counter()
        with cf.ThreadPoolExecutor(clients) as pool:
            concurrent = list(pool.map(timed, case.concurrent))
        rps = len(concurrent) / (time.perf_counter() - started)
        every = single + concurrent
        replays = [ms for (ms, _), request in zip(single, case.single, strict=True) if "as_of=" in request.search]
        stats[case.name] = {
            "p50": statistics.median(ms for ms, _ in single),
            "p95": percentile([ms for ms, _ in single], 0.95),
            "p95c": percentile([ms for ms, _ in concurrent], 0.95),
            "rps": rps,
            "hits": sum(hit for _, hit in every) / len(every),
            "replays": len(replays),
            "replay_p50": statistics.median(replays) if replays else float("nan"),
            "errors": len(failed),
        }
    return stats


def run_scale(scale: int, args) -> tuple[list[Case], list[RandomCase], dict]:
    db_path = ROOT / "bench" / "data" / f"scale{scale}.sqlite"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    url = args.database_url.format(scale=scale) if args.database_url else f"sqlite:///{db_path}"
    seeded, computed = seed(url, scale)
    requests = args.requests if scale <= 10 else max(5, args.requests // 3)
    options = choices(url, args.as_of_chance)
    peaks = []
    cases: list[Case] = []
    randoms: list[RandomCase] = []
    cold: dict = {}
    cold_random: dict = {}
    with serve(url, args, view_cache=False) as (base, process):
        memory = MemoryPeak(process)
        if args.fixed:
            cases = build_cases(base, sample_commitment(url))
            cold = measure(base, cases, requests, args.clients)
        if args.random_filters:
            randoms = build_random_cases(base, options, args.random_filters, args.seed)
            cold_random = measure_random(base, randoms, args.clients)
        peaks.append(memory.stop())
    with serve(url, args, view_cache=True) as (base, process):
        memory = MemoryPeak(process)
        cached = measure(base, cases, requests, args.clients) if cases else {}
        cached_random = measure_random(base, randoms, args.clients) if randoms else {}
        drawn = first_page_ms(base) if args.browser else []
        peaks.append(memory.stop())
    for case in cases:
        case.cold, case.cached = cold[case.name], cached[case.name]
    for case in randoms:
        case.cold, case.cached = cold_random[case.name], cached_random[case.name]
    floors(url, cases)
    random_floors(url, randoms)
    return (
        cases,
        randoms,
        {
            "seed_s": seeded,
            "statuses_s": computed,
            "first_page_ms": drawn,
            "peak_rss_mb": max(peaks),
            "requests": requests,
            "load": os.getloadavg(),
        },
    )


def profile(url: str, routes: list[str], repeat: int, top: int) -> str:
    """cProfile of each route's router render in-process (cold: no view cache), after one warm-up render:
    the `top` functions by cumulative time, in ms per render."""
    import cProfile
    import io
    import pstats

    from dashboard.pages import ROUTER

    ctx, members = app_context(url)
    out = io.StringIO()
    for route in routes:
        path, _, search = route.partition("?")
        filters, _ = parse_filters(search, known_members=members)
        ROUTER.render(ctx, path, filters)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(repeat):
            ROUTER.render(ctx, path, filters)
        profiler.disable()
        wall = (time.perf_counter() - started) * 1000 / repeat
        stats = pstats.Stats(profiler)
        rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)  # type: ignore[attr-defined]
        out.write(f"\n### {route}: {wall:.0f} ms per render under cProfile ({repeat} renders)\n\n")
        out.write("| cumulative ms | own ms | calls | function |\n|---|---|---|---|\n")
        for (file, line, name), (_cc, calls, own, cumulative, _callers) in rows[:top]:
            where = file.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
            out.write(
                f"| {cumulative * 1000 / repeat:.1f} | {own * 1000 / repeat:.1f} | {calls // repeat} | "
                f"`{where}:{line}({name})` |\n"
            )
    return out.getvalue()


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def misses(cold: dict, ratio: float | None) -> list[str]:
    """The scale-10 cold-path targets a callback misses."""
    found = []
    if cold["p95"] > TARGET_P95:
        found.append(f"cold p95 +{cold['p95'] - TARGET_P95:.0f} ms over {TARGET_P95}")
    if cold["p95c"] > TARGET_P95_X8:
        found.append(f"cold x8 p95 +{cold['p95c'] - TARGET_P95_X8:.0f} ms over {TARGET_P95_X8}")
    if ratio and ratio > TARGET_FLOOR_RATIO:
        found.append(f"{ratio:.1f}x floor > {TARGET_FLOOR_RATIO}x")
    return found


def _load(extra: dict) -> str:
    return "/".join(f"{x:.2f}" for x in extra["load"])


def fixed_table(results: dict) -> list[str]:
    lines = [
        "## Fixed requests (no filter)",
        "",
        "| scale | callback | cold p50 | cold p95 | cold p95 x8 | cold req/s x8 | cached p95 | cached p95 x8 "
        "| cached req/s x8 | floor | cold p50 / floor | scale-10 targets missed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, (cases, _randoms, _extra) in results.items():
        for case in cases:
            cold, cached = case.cold, case.cached
            ratio = cold["p50"] / case.floor_ms if case.floor_ms else None
            found = misses(cold, ratio) if scale == 10 else []
            if scale == 10 and cached["rps"] < 200:
                found.append(f"cached {cached['rps']:.0f} req/s < 200")
            verdict = "; ".join(found) if found else ("none" if scale == 10 else "")
            floor = f"{case.floor_ms:.1f}" if case.floor_ms is not None else "n/a"
            lines.append(
                f"| {scale} | {case.name} | {cold['p50']:.0f} | {cold['p95']:.0f} | {cold['p95c']:.0f} | "
                f"{cold['rps']:.0f} | {cached['p95']:.0f} | {cached['p95c']:.0f} | {cached['rps']:.0f} | {floor} | "
                f"{f'{ratio:.1f}' if ratio else 'n/a'} | {verdict} |"
            )
    return lines


def random_table(results: dict, args) -> list[str]:
    lines = [
        f"## Random filters ({args.random_filters} requests per callback one after another, "
        f"{2 * args.random_filters} others from {args.clients} clients; seed {args.seed}; "
        f"as_of in {args.as_of_chance:.0%})",
        "",
        "Each request's filters are drawn from the database's real options (as in the figures-agree test); the "
        "path parameter of /countries/<code>, /themes/<slug> and /commitments/<id> is drawn too. Floor p50: the "
        "median of the single-client requests' floors. Replays: requests with an as_of date (their statuses of "
        "that day are computed on first use), with their cold p50.",
        "",
        "| scale | callback | cold p50 | cold p95 | cold p95 x8 | cold req/s x8 | floor p50 | cold p50 / floor "
        "| cached p50 | cached p95 | cached hit rate | replays (cold p50) | error banners cold/cached "
        "| scale-10 targets missed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, (_cases, randoms, _extra) in results.items():
        for case in randoms:
            cold, cached = case.cold, case.cached
            floor = case.floor_ms
            ratio = cold["p50"] / floor if floor else None
            found = misses(cold, ratio) if scale == 10 else []
            verdict = "; ".join(found) if found else ("none" if scale == 10 else "")
            replays = f"{cold['replays']} ({cold['replay_p50']:.0f})" if cold["replays"] else "0"
            lines.append(
                f"| {scale} | {case.name} | {cold['p50']:.0f} | {cold['p95']:.0f} | {cold['p95c']:.0f} | "
                f"{cold['rps']:.1f} | {floor:.1f} | {f'{ratio:.1f}' if ratio else 'n/a'} | {cached['p50']:.0f} | "
                f"{cached['p95']:.0f} | {cached['hits']:.0%} | {replays} | {cold['errors']}/{cached['errors']} | "
                f"{verdict} |"
            )
    return lines


def growth(results: dict, mode: str) -> list[str]:
    top = max(results)
    lines = ["", f"Growth of cold p95 from scale 1 to {top}, {mode} (target at most {TARGET_GROWTH}x):", ""]
    index = 0 if mode == "fixed" else 1
    small = {c.name.split("/commitments/")[0]: c for c in results[1][index]}
    for case in results[top][index]:
        key = case.name.split("/commitments/")[0]
        if key in small:
            ratio = case.cold["p95"] / small[key].cold["p95"]
            lines.append(f"- {case.name}: {ratio:.2f}x{'' if ratio <= TARGET_GROWTH else ' (missed)'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--requests", type=int, default=30, help="requests per callback, single client")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--random-filters",
        type=int,
        default=0,
        metavar="N",
        help="also time every callback N times with random filters (and 2N times from the concurrent clients)",
    )
    parser.add_argument("--no-fixed", dest="fixed", action="store_false", help="skip the fixed (no filter) mode")
    parser.add_argument("--seed", type=int, default=2011, help="seed of the random filters")
    parser.add_argument("--as-of-chance", type=float, default=0.1, help="share of random requests with an as_of")
    parser.add_argument("--database-url", default=None, help="template with {scale}, default SQLite in bench/data")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--server-log", default=None, help="append gunicorn's error log (stderr) to this file")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument(
        "--profile",
        default=None,
        metavar="ROUTES",
        help="instead of timing: cProfile these comma-separated URLs (path?query) rendered in-process per scale",
    )
    parser.add_argument("--profile-repeat", type=int, default=5)
    parser.add_argument("--profile-top", type=int, default=30)
    args = parser.parse_args()
    if not args.fixed and not args.random_filters:
        parser.error("--no-fixed needs --random-filters N")

    scales = [int(s) for s in args.scales.split(",")]
    if args.profile:
        for scale in scales:
            url = args.database_url.format(scale=scale) if args.database_url else None
            url = url or f"sqlite:///{ROOT / 'bench' / 'data' / f'scale{scale}.sqlite'}"
            (ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
            seed(url, scale)
            print(f"## Profile, scale {scale} (load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())})")
            print(profile(url, args.profile.split(","), args.profile_repeat, args.profile_top))
        return
    started_load = os.getloadavg()
    results = {}
    for scale in scales:
        print(f"scale {scale}: seeding and serving... (load average {os.getloadavg()[0]:.2f})", flush=True)
        results[scale] = run_scale(scale, args)

    lines = [
        f"# Benchmark ({dt.datetime.now().strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {machine()}. Load average (1/5/15 min) at the start: "
        + "/".join(f"{x:.2f}" for x in started_load)
        + "; at the end of each scale: see the last table.",
        f"Server: gunicorn, {args.workers} workers x 4 threads; cache: {'Redis' if args.redis_url else 'in-process'}; "
        f"database: {'as given' if args.database_url else 'SQLite'}; today fixed at {BENCH_TODAY}; requests "
        f"accept `{ACCEPT_ENCODING}` like Chromium.",
        "Cold = view cache off (every request renders); cached = the production setting (repeat views hit the "
        "cache). Times in ms, loopback round trip, measured by `make bench`.",
        "Floor = in-process, the callback's queries run to completion with every row fetched into Python (driver "
        "time: execute plus every fetch) + encoding its figures as plain JSON; best of 3 (fixed) or 2 (random).",
        "",
    ]
    if args.fixed:
        lines += [
            "Fixed: N requests per callback after 2 warm-ups, one client; x8: 2N requests from "
            f"{args.clients} clients.",
            "",
            *fixed_table(results),
            "",
        ]
    if args.random_filters:
        lines += [*random_table(results, args), ""]
    lines += [
        "| scale | requests per callback | seed (s) | statuses (s) | first page fully drawn, empty browser cache "
        "(ms; 1st = server cold) | peak RSS per worker (MB) | load average at the end |",
        "|---|---|---|---|---|---|---|",
    ]
    for scale, (_, _, extra) in results.items():
        drawn = ", ".join(f"{ms:.0f}" for ms in extra["first_page_ms"]) or "not measured"
        lines.append(
            f"| {scale} | {extra['requests']} | {extra['seed_s']:.1f} | {extra['statuses_s']:.1f} | {drawn} | "
            f"{extra['peak_rss_mb']:.0f} | {_load(extra)} |"
        )
    if 1 in results and max(results) > 1:
        if args.fixed:
            lines += growth(results, "fixed")
        if args.random_filters:
            lines += growth(results, "random filters")
    report = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
