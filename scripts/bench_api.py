"""Benchmark of the read-only API: GET /api/v1/commitments with 100 rows a page, random filters and pages, in
process through Flask's test client (the whole request: routing, parsing, queries, JSON), on the sample at the
scales asked for. Prints p50 / p95 / max. Not a test.

    .venv/bin/python scripts/bench_api.py [--scales 10] [--requests 200] [--database-url EMPTY_DB_URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from dashboard.domain.scales import DELAY_STATUSES, REGIONS  # noqa: E402
from dashboard.factory import create_app  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from data_access.db import dispose_engines, get_engine, migrate  # noqa: E402
from data_access.models import ActionPlan, Member  # noqa: E402
from data_access.sample import seed_sample  # noqa: E402

TODAY = "2026-03-15"


def run(url: str, n: int, label: str) -> None:
    engine = get_engine(url)
    with engine.connect() as conn:
        members = list(conn.scalars(select(Member.code).order_by(Member.code)))
        cycles = sorted({y for y in conn.scalars(select(ActionPlan.submission_year)) if y})
    client = create_app(Settings(secret_key="b" * 32, database_url=url, today=TODAY)).server.test_client()
    assert client.get("/api/v1/commitments?per_page=100").status_code == 200  # the day's statuses, once
    rng = random.Random(2011)
    times, rows = [], []
    for i in range(n):
        pairs: list[tuple[str, object]] = [("per_page", 100)]
        if rng.random() < 0.4:
            pairs.append(("region", rng.choice(REGIONS)))
        if rng.random() < 0.2:
            pairs.append(("member", rng.choice(members)))
        if rng.random() < 0.3:
            pairs.append(("cycle", rng.choice(cycles)))
        if rng.random() < 0.3:
            pairs.append(("delay_status", rng.choice(DELAY_STATUSES)))
        pairs.append(("page", rng.choice((1, 1, 2, 3, 10))))
        started = time.perf_counter()
        # Many clients, one address each per 100 requests: the API's throttle (120 a minute per address) is
        # part of every request timed, and never what stops the benchmark.
        client_address = {"REMOTE_ADDR": f"10.0.{i // 100 // 250}.{i // 100 % 250 + 1}"}
        answer = client.get("/api/v1/commitments?" + urlencode(pairs), environ_base=client_address)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{answer.status_code}: {answer.get_data(as_text=True)[:300]}")
        rows.append(len(answer.get_json()["data"]))
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(
        f"| {label} | {engine.dialect.name} | {n} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} "
        f"| {statistics.mean(rows):.0f} |"
    )
    dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[10])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="an EMPTY database to seed instead of a temporary SQLite file")
    args = parser.parse_args()
    print("| data | engine | requests | p50 ms | p95 ms | max ms | mean rows |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for scale in args.scales:
            url = args.database_url or f"sqlite:///{folder}/scale{scale}.sqlite"
            migrate(url)
            seed_sample(get_engine(url), scale=scale, seed=2011)
            run(url, args.requests, f"sample, scale {scale}")
            if args.database_url:
                break


if __name__ == "__main__":
    main()
