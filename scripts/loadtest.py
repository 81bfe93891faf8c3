"""Load test: N simulated users browse the dashboard for S seconds under gunicorn; exits 1 on any error or
when the p95 of the requests exceeds --p95-ms.

Each user opens the app (GET / and the Dash layout), then keeps rendering random pages through the page
callback: a page route drawn at random (path parameters too: member code, policy-area slug, commitment id)
with filters drawn at random from the options the database really has, as `make bench --random-filters`
draws them (scripts/bench.py, random_search). On /commitments the grid then asks for its first rows, as the
browser does. A think time separates clicks. The view cache is on (the production setting); responses are
compressed as for Chromium. Only loopback traffic. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench import (  # noqa: E402
    BENCH_TODAY,
    ERROR_MARKERS,
    GRID,
    RANDOM_ROUTES,
    choices,
    fetch,
    grid_body,
    percentile,
    random_path,
    random_search,
    router_body,
    seed,
    serve,
    specs,
)


def load_text(load: tuple[float, float, float] | None = None) -> str:
    """The machine's load average (1/5/15 min): other processes share the cores."""
    return "/".join(f"{x:.2f}" for x in (load or os.getloadavg()))


PAGE_ROUTES = tuple(route for route in RANDOM_ROUTES if route != GRID)


def user(base: str, deps: tuple[dict, dict], options, deadline: float, rng: random.Random, log: list) -> None:
    """One simulated person: load the app, then click through pages until the deadline.

    Appends (what, milliseconds or None on error, served from the cache, error text) to log.
    """
    router, grid = deps
    try:
        urllib.request.urlopen(base + "/", timeout=30).read()
        urllib.request.urlopen(base + "/_dash-layout", timeout=30).read()
    except (urllib.error.URLError, OSError) as exc:
        log.append(("GET /", None, False, str(exc)))
    endpoint = base + "/_dash-update-component"
    while time.monotonic() < deadline:
        route = rng.choice(PAGE_ROUTES)
        path, search = random_path(rng, route, options), random_search(rng, options)
        calls = [(path + search, router_body(router, path, search))]
        if path == "/commitments":
            calls.append((f"{GRID}{search}", grid_body(grid, search)))
        for what, body in calls:
            try:
                ms, hit, payload = fetch(endpoint, body)
                marker = next((m.decode() for m in ERROR_MARKERS if m in payload), None)
                log.append((what, ms, hit, f"{marker} banner" if marker else None))
            except (urllib.error.URLError, OSError, RuntimeError) as exc:
                log.append((what, None, False, str(exc)))
        time.sleep(rng.uniform(0.5, 2.0))  # a person reads before the next click


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--p95-ms", type=float, default=1000.0, help="fail when the p95 is above this")
    parser.add_argument("--seed", type=int, default=2011, help="seed of the users' random choices")
    parser.add_argument("--as-of-chance", type=float, default=0.1, help="share of requests with an as_of")
    parser.add_argument("--view-cache", choices=("true", "false"), default="true")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--server-log", default=None, help="append gunicorn's error log (stderr) to this file")
    args = parser.parse_args()
    db_path = ROOT / "bench" / "data" / f"scale{args.scale}.sqlite"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{db_path}"
    seed(url, args.scale)
    options = choices(url, args.as_of_chance)
    serve_args = argparse.Namespace(workers=args.workers, redis_url=args.redis_url, server_log=args.server_log)
    load_before = os.getloadavg()
    with serve(url, serve_args, view_cache=args.view_cache == "true") as (base, _process):
        deps = specs(base)
        log: list[tuple[str, float | None, bool, str | None]] = []
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=user, args=(base, deps, options, deadline, random.Random(f"{args.seed}:{i}"), log))
            for i in range(args.users)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    times = [ms for _, ms, _, error in log if ms is not None]
    errors = [f"{what}: {error}" for what, _, _, error in log if error]
    hits = sum(hit for _, _, hit, _ in log)
    p95 = percentile(times, 0.95) if times else float("inf")
    print(
        f"{args.users} users for {args.seconds} s on scale {args.scale} (today {BENCH_TODAY}, view cache "
        f"{'on' if args.view_cache == 'true' else 'off'}, random filters seed {args.seed}, "
        f"as_of in {args.as_of_chance:.0%}): "
        f"{len(times)} requests, "
        f"{len(times) / elapsed:.1f} requests/s, p50 {statistics.median(times) if times else float('nan'):.0f} ms, "
        f"p95 {p95:.0f} ms, p99 {percentile(times, 0.99) if times else float('nan'):.0f} ms, "
        f"max {max(times, default=float('nan')):.0f} ms, cache hits {hits / max(1, len(log)):.0%}, "
        f"{len(errors)} errors; load average {load_text(load_before)} before, {load_text()} after"
    )
    slow = sorted(((ms, what) for what, ms, _, _ in log if ms is not None), reverse=True)[:5]
    for ms, what in slow:
        print(f"  slowest: {ms:.0f} ms {what}")
    for error in errors[:20]:
        print("  error:", error)
    failed = bool(errors) or p95 > args.p95_ms
    if p95 > args.p95_ms:
        print(f"FAILED: p95 {p95:.0f} ms > {args.p95_ms:.0f} ms")
    if errors:
        print(f"FAILED: {len(errors)} errors")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
