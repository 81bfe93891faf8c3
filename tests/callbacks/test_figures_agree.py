"""Every count agrees with the list it links to: a crawl of the summary pages under random filter combinations.

Each count on /, /cycle, /countries/<code>, /themes/<slug>, /delays and /irm carries its exact integer in
`data-count` inside a link; the link's #fragment names the list it counts (no fragment: the element
#list-count), and that element of the linked page carries the same `data-count`. The filters are drawn at
random (seeded) from the options the data really has, on the sample and on OGP's real sheet.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.filters import MEMBER_TYPE_PARAMS, parse_filters
from dashboard.domain.policy_areas import POLICY_AREAS
from dashboard.domain.scales import COMPLETION, DELAY_STATUSES, REGIONS
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import get_engine
from data_access.models import ActionPlan, Member
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.sample import seed_sample
from tests.helpers import TEST_SECRET

TODAY = dt.date(2026, 3, 15)
COMBINATIONS = 200  # per dataset
CHUNKS = 10  # spread over pytest-xdist workers
PAGES = ("/", "/cycle", "/countries/{member}", "/themes/{area}", "/delays", "/irm")
LIST_COUNT = "list-count"


@dataclass
class Site:
    """One dataset served in-process, with every rendered URL kept (targets repeat across counts)."""

    ctx: AppContext
    members: list[str]
    cycles: list[int]
    rendered: dict[str, Any] = field(default_factory=dict)

    def render(self, url: str) -> Any:
        if url not in self.rendered:
            parts = urlsplit(url)
            filters, problems = parse_filters(parts.query, known_members=set(self.members))
            assert problems == [], f"{url}: {problems}"
            page = ROUTER.render(self.ctx, parts.path, filters)
            assert page is not None, f"no page at {url}"
            self.rendered[url] = page.children
        return self.rendered[url]


def _site(url: str) -> Site:
    engine = get_engine(url)
    with Session(engine) as session:
        members = sorted(session.scalars(select(Member.code)))
        cycles = sorted({y for y in session.scalars(select(ActionPlan.submission_year)) if y is not None})
    return Site(
        AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=url, today=TODAY.isoformat())), members, cycles
    )


@pytest.fixture(scope="module")
def sample_site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    path = tmp_path_factory.mktemp("agree-sample") / "ogp.sqlite"
    shutil.copy(sqlite_template, path)
    seed_sample(get_engine(f"sqlite:///{path}"), scale=1, seed=2011, today=TODAY)
    return _site(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def real_site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, real_sheet: Path) -> Site:
    path = tmp_path_factory.mktemp("agree-real") / "ogp.sqlite"
    shutil.copy(sqlite_template, path)
    import_ogp_sheet(get_engine(f"sqlite:///{path}"), real_sheet)
    return _site(f"sqlite:///{path}")


def random_query(rng: random.Random, site: Site) -> str:
    """A query string of filters drawn from the real options (each filter present or not, one or two values)."""

    def some(options: list[Any], chance: float) -> list[Any]:
        return rng.sample(options, k=min(len(options), rng.choice((1, 1, 2)))) if rng.random() < chance else []

    pairs: list[tuple[str, Any]] = []
    pairs += [("member", m) for m in some(site.members, 0.3)]
    pairs += [("region", r) for r in some(list(REGIONS), 0.3)]
    pairs += [("member_type", t) for t in some(list(MEMBER_TYPE_PARAMS), 0.15)]
    pairs += [("cycle", c) for c in some(site.cycles, 0.2)]
    pairs += [("policy_area", a) for a in some([a.slug for a in POLICY_AREAS], 0.2)]
    pairs += [("completion", c) for c in some(list(COMPLETION.values), 0.15)]
    pairs += [("starred", s) for s in some(["yes", "no"], 0.1)][:1]
    pairs += [("delay_status", s) for s in some(list(DELAY_STATUSES), 0.25)]
    if rng.random() < 0.1:
        pairs.append(("as_of", (TODAY - dt.timedelta(days=rng.randrange(30, 4000))).isoformat()))
    return urlencode(pairs)


def _walk(node: Any, href: str | None, counts: list[tuple[int, str | None, str]], targets: dict[str, int]) -> None:
    if isinstance(node, list | tuple):
        for child in node:
            _walk(child, href, counts, targets)
        return
    if node is None or isinstance(node, str | int | float):
        return
    href = getattr(node, "href", None) or href
    props = node.to_plotly_json()["props"]
    if "data-count" in props:
        element_id = props.get("id")
        if isinstance(element_id, str):
            targets[element_id] = props["data-count"]
        counts.append((props["data-count"], href, str(element_id)))
    _walk(getattr(node, "children", None), href, counts, targets)


def counts_and_targets(tree: Any) -> tuple[list[tuple[int, str | None, str]], dict[str, int]]:
    """(data-count elements with the link around them, id -> data-count of every element with both)."""
    counts: list[tuple[int, str | None, str]] = []
    targets: dict[str, int] = {}
    _walk(tree, None, counts, targets)
    return counts, targets


def crawl(site: Site, url: str) -> int:
    """Check every count of the page at url against the list it links to; the number of counts checked."""
    counts, _ = counts_and_targets(site.render(url))
    checked = 0
    for count, href, element in counts:
        if href is None:
            # Not a link: a list that counts point at (it has an id), or a zero the filters leave nothing to list for.
            assert element != "None" or count == 0, f"{url}: a count of {count} links nowhere"
            if element.startswith(("kpi-", "member-kpi-", "theme-kpi-")):
                assert count == 0, f"{url}: {element}={count} links nowhere"
            continue
        parts = urlsplit(href)
        _, targets = counts_and_targets(site.render(f"{parts.path}?{parts.query}" if parts.query else parts.path))
        anchor = parts.fragment or LIST_COUNT
        assert anchor in targets, f"{url}: {element}={count} links to {href}, which has no #{anchor}"
        assert targets[anchor] == count, f"{url}: {element}={count} but {href} lists {targets[anchor]}"
        checked += 1
    return checked


def _crawl_chunk(site: Site, seed: int, chunk: int) -> int:
    rng = random.Random(seed * 1000 + chunk)
    checked = 0
    for _ in range(COMBINATIONS // CHUNKS):
        query = random_query(rng, site)
        member = rng.choice(site.members)
        area = rng.choice([a.slug for a in POLICY_AREAS])
        for page in PAGES:
            path = page.format(member=member, area=area)
            checked += crawl(site, f"{path}?{query}" if query else path)
    return checked


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_agr001_every_count_on_the_sample_equals_its_list(sample_site: Site, chunk: int) -> None:
    assert _crawl_chunk(sample_site, 1, chunk) > 100


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_agr002_every_count_on_the_real_sheet_equals_its_list(real_site: Site, chunk: int) -> None:
    assert _crawl_chunk(real_site, 2, chunk) > 100


def test_agr003_the_crawler_sees_a_disagreement() -> None:
    """The check itself: a count that differs from its list, or links to a missing list, is reported."""
    from dash import dcc, html

    class Fake(Site):
        def render(self, url: str) -> Any:
            pages = {
                "/": html.Div(
                    [
                        dcc.Link(html.Span("3", **{"data-count": 3}), href="/list#a"),
                        dcc.Link(html.Span("4", **{"data-count": 4}), href="/list#b"),
                    ]
                ),
                "/list": html.Div([html.Div(id="a", **{"data-count": 3}), html.Div(id="b", **{"data-count": 5})]),
            }
            return pages[url]

    fake = Fake(ctx=None, members=[], cycles=[])  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="but /list#b lists 5"):
        crawl(fake, "/")
