"""Benchmark: seed the sample at several scales, serve with gunicorn, and time every page's callbacks.

Prints one markdown table and writes it to bench/RESULTS.md (see README, "Benchmark"). Not a test.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.graph_objects as go  # noqa: E402
import psutil  # noqa: E402
from plotly.utils import PlotlyJSONEncoder  # noqa: E402
from sqlalchemy import event  # noqa: E402

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


@dataclass
class Case:
    """One callback request to time: a name (page), the JSON body and how to compute its floor."""

    name: str
    body: dict
    route: str | None = None  # a router render: its floor is measured in-process
    cold: dict[str, float] = field(default_factory=dict)
    cached: dict[str, float] = field(default_factory=dict)
    floor_ms: float | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict) -> float:
    """Milliseconds for one callback request (loopback: essentially server time)."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status} for {body.get('output')}")
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def seed(url: str, scale: int) -> float:
    from data_access.db import dispose_engines, get_engine, migrate
    from data_access.queries import overview_counts
    from data_access.sample import seed_sample

    migrate(url)
    engine = get_engine(url)
    if overview_counts(engine)["commitments"]:
        return 0.0
    started = time.perf_counter()
    seed_sample(engine, scale=scale, seed=2011, today=dt.date.fromisoformat(BENCH_TODAY))
    dispose_engines()
    return time.perf_counter() - started


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


def build_cases(base: str, commitment: str) -> list[Case]:
    deps = json.loads(urllib.request.urlopen(f"{base}/_dash-dependencies").read())
    router = next(d for d in deps if "page-content.children" in d["output"])
    grid = next(d for d in deps if "getRowsResponse" in d["output"])
    cases = []
    for route in ROUTES:
        path = route.format(commitment=commitment)
        body = {
            "output": router["output"],
            "outputs": [
                {"id": o.split(".")[0], "property": o.split(".")[1]} for o in router["output"].strip(".").split("...")
            ],
            "inputs": [
                {"id": "url", "property": "pathname", "value": path},
                {"id": "url", "property": "search", "value": ""},
            ],
            "changedPropIds": ["url.pathname"],
            "state": [],
        }
        cases.append(Case(path, body, route=path))
    view = hashlib.sha1(b"").hexdigest()[:12]
    grid_id = {"type": "commitments-grid", "view": view}
    cases.append(
        Case(
            GRID,
            {
                "output": grid["output"],
                "outputs": {"id": grid_id, "property": "getRowsResponse"},
                "inputs": [
                    {
                        "id": grid_id,
                        "property": "getRowsRequest",
                        "value": {"startRow": 0, "endRow": 50, "sortModel": [], "filterModel": {}},
                    }
                ],
                "changedPropIds": [json.dumps(grid_id, separators=(",", ":"), sort_keys=True) + ".getRowsRequest"],
                "state": [{"id": "url", "property": "search", "value": ""}],
            },
        )
    )
    return cases


def floors(url: str, cases: list[Case]) -> None:
    """In-process floor of each router render: its SQL time plus encoding its figures as plain JSON."""
    from dashboard.domain.filters import Filters
    from dashboard.pages import ROUTER
    from dashboard.settings import Settings
    from dashboard.web.context import AppContext
    from data_access.db import get_engine

    engine = get_engine(url)
    app_ctx = AppContext(engine, Settings(database_url=url, today=BENCH_TODAY))
    sql_time = [0.0]

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        sql_time[0] += time.perf_counter() - conn.info.pop("started", time.perf_counter())

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    for case in cases:
        if case.route is None:
            continue
        best = None
        for _ in range(3):
            sql_time[0] = 0.0
            page = ROUTER.render(app_ctx, case.route, Filters())
            figures = [c.figure for c in _walk(page.children) if isinstance(getattr(c, "figure", None), go.Figure)]
            started = time.perf_counter()
            for figure in figures:
                json.dumps(figure.to_plotly_json(), cls=PlotlyJSONEncoder)
            total = sql_time[0] + time.perf_counter() - started
            best = total if best is None else min(best, total)
        case.floor_ms = best * 1000
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)


def _walk(node):
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif item is not None and not isinstance(item, str | int | float):
            yield item
            stack.append(getattr(item, "children", None))


def first_page_ms(base: str) -> float:
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
        driver.get(base + "/healthz")  # warm the browser process, not the page
        times = []
        for _ in range(3):
            driver.get("about:blank")
            started = time.perf_counter()
            driver.get(base + "/")
            WebDriverWait(driver, 60).until(
                lambda d: d.execute_script(
                    "return document.querySelector('#kpi-commitments') !== null && "
                    "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4 && "
                    "document.querySelector('._dash-loading') === null"
                )
            )
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)
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
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def run_scale(scale: int, args) -> tuple[list[Case], dict]:
    db_path = ROOT / "bench" / "data" / f"scale{scale}.sqlite"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    url = args.database_url.format(scale=scale) if args.database_url else f"sqlite:///{db_path}"
    seeded = seed(url, scale)
    requests = args.requests if scale <= 10 else max(5, args.requests // 3)
    peaks = []
    with serve(url, args, view_cache=False) as (base, process):
        memory = MemoryPeak(process)
        cases = build_cases(base, sample_commitment(url))
        cold = measure(base, cases, requests, args.clients)
        peaks.append(memory.stop())
    with serve(url, args, view_cache=True) as (base, process):
        memory = MemoryPeak(process)
        cached = measure(base, cases, requests, args.clients)
        drawn = first_page_ms(base) if args.browser else float("nan")
        peaks.append(memory.stop())
    for case in cases:
        case.cold, case.cached = cold[case.name], cached[case.name]
    floors(url, cases)
    return cases, {"seed_s": seeded, "first_page_ms": drawn, "peak_rss_mb": max(peaks), "requests": requests}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--requests", type=int, default=30, help="requests per callback, single client")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None, help="template with {scale}, default SQLite in bench/data")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    scales = [int(s) for s in args.scales.split(",")]
    results = {}
    for scale in scales:
        print(f"scale {scale}: seeding and serving...", flush=True)
        results[scale] = run_scale(scale, args)

    lines = [
        f"# Benchmark ({dt.datetime.now().strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {machine()}.",
        f"Server: gunicorn, {args.workers} workers x 4 threads; cache: {'Redis' if args.redis_url else 'in-process'}; "
        f"database: {'as given' if args.database_url else 'SQLite'}; today fixed at {BENCH_TODAY}.",
        "Cold = view cache off (every request renders); cached = the production setting (repeat views hit the "
        "cache). Single client: N requests per callback after 2 warm-ups; x8: 2N requests from "
        f"{args.clients} clients. Times in ms, loopback round trip, measured by `make bench`.",
        "Floor = the callback's SQL time + encoding its figures as plain JSON, measured in-process.",
        "",
        "| scale | callback | cold p50 | cold p95 | cold p95 x8 | cold req/s x8 | cached p95 | cached p95 x8 "
        "| cached req/s x8 | floor | cold p50 / floor | scale-10 targets missed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, (cases, _extra) in results.items():
        for case in cases:
            cold, cached = case.cold, case.cached
            ratio = cold["p50"] / case.floor_ms if case.floor_ms else None
            misses = []
            if scale == 10:
                if cold["p95"] > 150:
                    misses.append(f"cold p95 +{cold['p95'] - 150:.0f} ms over 150")
                if cold["p95c"] > 400:
                    misses.append(f"cold x8 p95 +{cold['p95c'] - 400:.0f} ms over 400")
                if cached["p95"] > 150:
                    misses.append(f"cached p95 +{cached['p95'] - 150:.0f} ms over 150")
                if cached["p95c"] > 400:
                    misses.append(f"cached x8 p95 +{cached['p95c'] - 400:.0f} ms over 400")
                if cached["rps"] < 200:
                    misses.append(f"cached {cached['rps']:.0f} req/s < 200")
                if ratio and ratio > 3:
                    misses.append(f"{ratio:.1f}x floor > 3x")
            verdict = "; ".join(misses) if misses else ("none" if scale == 10 else "")
            floor = f"{case.floor_ms:.0f}" if case.floor_ms is not None else "n/a"
            lines.append(
                f"| {scale} | {case.name} | {cold['p50']:.0f} | {cold['p95']:.0f} | {cold['p95c']:.0f} | "
                f"{cold['rps']:.0f} | {cached['p95']:.0f} | {cached['p95c']:.0f} | {cached['rps']:.0f} | {floor} | "
                f"{f'{ratio:.1f}' if ratio else 'n/a'} | {verdict} |"
            )
    lines += [
        "",
        "| scale | requests per callback | seed (s) | first page fully drawn (ms) | peak RSS per worker (MB) |",
        "|---|---|---|---|---|",
    ]
    for scale, (_, extra) in results.items():
        lines.append(
            f"| {scale} | {extra['requests']} | {extra['seed_s']:.1f} | {extra['first_page_ms']:.0f} | "
            f"{extra['peak_rss_mb']:.0f} |"
        )
    if 1 in results and max(results) > 1:
        top = max(results)
        lines += ["", f"Growth of cold p95 from scale 1 to {top} (target at most 3x):", ""]
        small = {c.name.split("/commitments/")[0]: c for c in results[1][0]}
        for case in results[top][0]:
            key = case.name.split("/commitments/")[0]
            if key in small:
                growth = case.cold["p95"] / small[key].cold["p95"]
                lines.append(f"- {case.name}: {growth:.2f}x{'' if growth <= 3 else ' (missed)'}")
    report = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
