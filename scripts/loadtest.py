"""Load test: N simulated users browse the dashboard for S seconds under gunicorn; exits 1 on any error.

Each user opens a page (GET /, the Dash layout), then keeps rendering random pages with random filters
through the page callback, with a think time between clicks. Only loopback traffic. Not a test.
"""

from __future__ import annotations

import argparse
import json
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

from scripts.bench import BENCH_TODAY, percentile, seed, serve  # noqa: E402

PATHS = (
    "/",
    "/cycle",
    "/countries",
    "/countries/BRA",
    "/countries/KEN",
    "/themes",
    "/themes/open-data",
    "/commitments",
    "/delays",
    "/irm",
)
SEARCHES = (
    "",
    "?region=Europe",
    "?region=Americas&completion=Limited",
    "?member_type=local",
    "?cycle=2022",
    "?policy_area=open-data",
    "?starred=yes",
    "?delay_status=delayed",
    "?region=Mars",
)


def user(base: str, router: dict, deadline: float, rng: random.Random, results: list, errors: list) -> None:
    """One simulated person: load the app, then click through pages until the deadline."""
    try:
        urllib.request.urlopen(base + "/", timeout=30).read()
        urllib.request.urlopen(base + "/_dash-layout", timeout=30).read()
    except (urllib.error.URLError, OSError) as exc:
        errors.append(f"GET /: {exc}")
    while time.monotonic() < deadline:
        path, search = rng.choice(PATHS), rng.choice(SEARCHES)
        body = {
            **router,
            "inputs": [
                {"id": "url", "property": "pathname", "value": path},
                {"id": "url", "property": "search", "value": search},
            ],
            "changedPropIds": ["url.pathname"],
            "state": [],
        }
        request = urllib.request.Request(
            base + "/_dash-update-component",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = response.read()
            if b"db-error" in payload or b"internal error" in payload:
                errors.append(f"{path}{search}: error banner")
            results.append((time.perf_counter() - started) * 1000)
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{path}{search}: {exc}")
        time.sleep(rng.uniform(0.5, 2.0))  # a person reads before the next click


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    db_path = ROOT / "bench" / "data" / f"scale{args.scale}.sqlite"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{db_path}"
    seed(url, args.scale)
    serve_args = argparse.Namespace(workers=args.workers, redis_url=args.redis_url)
    with serve(url, serve_args, view_cache=True) as (base, _process):
        deps = json.loads(urllib.request.urlopen(base + "/_dash-dependencies").read())
        spec = next(d for d in deps if "page-content.children" in d["output"])
        router = {
            "output": spec["output"],
            "outputs": [
                {"id": o.split(".")[0], "property": o.split(".")[1]} for o in spec["output"].strip(".").split("...")
            ],
        }
        results: list[float] = []
        errors: list[str] = []
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=user, args=(base, router, deadline, random.Random(i), results, errors))
            for i in range(args.users)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    print(
        f"{args.users} users for {args.seconds} s on scale {args.scale} (today {BENCH_TODAY}): "
        f"{len(results)} page renders, {len(results) / elapsed:.1f}/s, "
        f"p50 {statistics.median(results):.0f} ms, p95 {percentile(results, 0.95):.0f} ms, "
        f"{len(errors)} errors"
    )
    for error in errors[:20]:
        print("  error:", error)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
