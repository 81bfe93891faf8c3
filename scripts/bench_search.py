"""Benchmark of search: what a user waits for after pressing Enter in the search box, cold (no view cache).

Each request is the commitments list's grid request for a random search (one or two words drawn, seeded, from
random commitments' own titles and texts, sometimes cut to a prefix) with random filters: the count, the
first page of 50 rows in relevance order, and the highlighted titles and snippets. Databases: the sample at
the scales asked for (seeded into a temporary SQLite file, or into --database-url when given) and OGP's real
sheet from ../shared/data/ogp. Prints p50 / p95 / max per database. Not a test.

    .venv/bin/python scripts/bench_search.py [--scales 1 10] [--requests 200] [--database-url URL]
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

from callbacks.commitments import grid_response  # noqa: E402
from dashboard.domain.scales import REGIONS  # noqa: E402
from dashboard.domain.search import words  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from dashboard.web.context import AppContext  # noqa: E402
from data_access.db import dispose_engines, get_engine, migrate  # noqa: E402
from data_access.models import ActionPlan, Commitment, Member  # noqa: E402
from data_access.ogp_sheet.upsert import import_ogp_sheet  # noqa: E402
from data_access.sample import seed_sample  # noqa: E402

REAL_SHEET = ROOT.parent / "shared" / "data" / "ogp" / "ogp_commitments_europe_americas.csv"
TODAY = "2026-03-15"
STOP = {"the", "and", "of", "to", "in", "for", "a", "de", "la", "el", "y", "en", "los", "las", "del", "et", "le"}


def queries(engine, rng: random.Random, n: int) -> list[str]:
    """n query strings: q of one or two words of real commitments (a third cut to a prefix), random filters."""
    with engine.connect() as conn:
        texts = [
            f"{t} {f or ''}"
            for t, f in conn.execute(select(Commitment.title, Commitment.full_text).order_by(Commitment.ogp_id))
        ]
        members = list(conn.scalars(select(Member.code).order_by(Member.code)))
        cycles = sorted({y for y in conn.scalars(select(ActionPlan.submission_year)) if y})
    out = []
    for _ in range(n):
        pool = [w for w in words(rng.choice(texts)) if len(w) > 3 and w not in STOP] or ["open"]
        chosen = rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2))))
        chosen = [w[: max(4, len(w) - rng.randrange(0, 4))] if rng.random() < 0.33 else w for w in chosen]
        pairs = [("q", " ".join(chosen))]
        if rng.random() < 0.3:
            pairs.append(("region", rng.choice(REGIONS)))
        if rng.random() < 0.2:
            pairs.append(("member", rng.choice(members)))
        if rng.random() < 0.2:
            pairs.append(("cycle", rng.choice(cycles)))
        out.append("?" + urlencode(pairs))
    return out


def run(label: str, url: str, n: int) -> None:
    engine = get_engine(url)
    ctx = AppContext(engine, Settings(secret_key="b" * 32, database_url=url, today=TODAY))
    grid_response(ctx, {"startRow": 0, "endRow": 50}, "?q=open")  # statuses of the day computed once, as in use
    times, found = [], []
    for search in queries(engine, random.Random(2011), n):
        started = time.perf_counter()
        response = grid_response(ctx, {"startRow": 0, "endRow": 50}, search)
        times.append((time.perf_counter() - started) * 1000)
        found.append(response["rowCount"])
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(
        f"| {label} | {engine.dialect.name} | {n} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} "
        f"| {statistics.median(found):.0f} |"
    )
    dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="an EMPTY database to seed instead of a temporary SQLite file")
    args = parser.parse_args()
    print("| data | engine | searches | p50 ms | p95 ms | max ms | median rows found |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for scale in args.scales:
            url = args.database_url or f"sqlite:///{folder}/scale{scale}.sqlite"
            migrate(url)
            seed_sample(get_engine(url), scale=scale, seed=2011)
            run(f"sample, scale {scale}", url, args.requests)
            if args.database_url:
                break  # one seeding per empty database
        url = f"sqlite:///{folder}/real.sqlite"
        migrate(url)
        import_ogp_sheet(get_engine(url), REAL_SHEET)
        run("OGP's real sheet", url, args.requests)


if __name__ == "__main__":
    main()
