"""What a burst of expensive requests does to everyone else: the latency of a cached page alone, during 16
parallel sign-in attempts (scrypt), and during 12 parallel XLSX downloads, under gunicorn (scale 1).

    .venv/bin/python scripts/burst.py [--workers 1] [--burst-sign-ins 16] [--burst-exports 12]

Prints the cached page's median and worst latency in each phase, and what the burst's requests were answered
(status codes, downloads served or refused as busy or throttled). Expensive work runs one at a time per
worker (data_access.accounts._HASHING, callbacks.exports._BUILDING) and is throttled per address
(dashboard.web.limits), so a burst queues behind itself instead of starving the pages.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench import fetch, router_body, seed, serve, specs  # noqa: E402

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PAGE_SAMPLES = 15


def _page_latency(base: str, router: dict, stop: threading.Event | None = None) -> list[float]:
    """Milliseconds of the cached overview, PAGE_SAMPLES times (or until stop is set, at least 3)."""
    body = router_body(router, "/", "")
    times = []
    while len(times) < PAGE_SAMPLES and not (stop is not None and stop.is_set() and len(times) >= 3):
        times.append(fetch(f"{base}/_dash-update-component", body)[0])
        time.sleep(0.05)
    return times


def _sign_in_attempt(base: str, number: int, results: Counter) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=60).read().decode()
    token = CSRF.search(page).group(1)
    form = urllib.parse.urlencode({"csrf": token, "username": f"guess{number}", "password": "wrong password x"})
    try:
        opener.open(f"{base}/login", data=form.encode(), timeout=120)
        results["200"] += 1
    except urllib.error.HTTPError as error:
        results[str(error.code)] += 1


def _export(base: str, export: dict, results: Counter) -> None:
    button = {"format": "xlsx", "table": "commitments", "type": "export-button"}
    outputs = [
        {"id": {"table": "commitments", "type": part.split('"type":"')[1].split('"')[0]}, "property": prop}
        for part, prop in (o.rsplit(".", 1) for o in export["output"].strip(".").split("..."))
    ]
    body = {
        "output": export["output"],
        "outputs": outputs,
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
        "state": [
            {"id": "url", "property": "pathname", "value": "/commitments"},
            {"id": "url", "property": "search", "value": ""},
        ],
    }
    try:
        _, _, payload = fetch(f"{base}/_dash-update-component", body)
    except urllib.error.HTTPError as error:
        results[f"HTTP {error.code}"] += 1
        return
    text = payload.decode()
    if '"content"' in text:
        results["file"] += 1
    elif "Another download" in text:
        results["busy"] += 1
    elif "Too many downloads" in text:
        results["throttled"] += 1
    else:
        results["other"] += 1


def _phase(name: str, base: str, router: dict, burst: list[threading.Thread]) -> None:
    stop = threading.Event()
    for thread in burst:
        thread.start()
    watcher = threading.Thread(target=lambda: ([t.join() for t in burst], stop.set()))
    watcher.start()
    times = _page_latency(base, router, stop)
    watcher.join()
    print(f"{name:<28} cached page: median {statistics.median(times):7.1f} ms, worst {max(times):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--burst-sign-ins", type=int, default=16)
    parser.add_argument("--burst-exports", type=int, default=12)
    args = parser.parse_args()
    db_path = ROOT / "bench" / "data" / "scale1.sqlite"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{db_path}"
    seed(url, 1)
    serve_args = argparse.Namespace(workers=args.workers, redis_url=None, server_log=None)
    with serve(url, serve_args, view_cache=True) as (base, _process):
        router, _grid = specs(base)
        deps = json.loads(urllib.request.urlopen(f"{base}/_dash-dependencies").read())
        export = next(d for d in deps if "export-download" in d["output"])
        _page_latency(base, router)  # warm: the overview is cached from here on
        _phase("alone", base, router, [])
        sign_ins: Counter = Counter()
        threads = [
            threading.Thread(target=_sign_in_attempt, args=(base, i, sign_ins)) for i in range(args.burst_sign_ins)
        ]
        _phase(f"{args.burst_sign_ins} parallel sign-ins", base, router, threads)
        print(f"{'':<28} sign-in answers: {dict(sign_ins)}")
        exports: Counter = Counter()
        threads = [threading.Thread(target=_export, args=(base, export, exports)) for _ in range(args.burst_exports)]
        _phase(f"{args.burst_exports} parallel XLSX exports", base, router, threads)
        print(f"{'':<28} export answers: {dict(exports)}")


if __name__ == "__main__":
    main()
