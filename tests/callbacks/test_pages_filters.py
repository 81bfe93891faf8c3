"""Every page renders under every kind of filter on the sample data, including filters that match nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.domain.filters import parse_filters
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import dispose_engines, get_engine, migrate
from data_access.sample import seed_sample
from tests.helpers import TEST_SECRET

TODAY = dt.date(2026, 3, 15)
PATHS = (
    "/",
    "/cycle",
    "/countries",
    "/countries/BRA",
    "/countries/ARBA",
    "/themes",
    "/themes/open-data",
    "/themes/anti-corruption-and-integrity",
    "/commitments",
    "/delays",
    "/irm",
)
SEARCHES = (
    "",
    "?region=Europe",
    "?starred=yes",
    "?starred=no&completion=Complete",
    "?delay_status=delayed",
    "?delay_status=at+risk&region=Americas",
    "?member_type=local",
    "?member_type=other&starred=yes",  # matches nothing
    "?cycle=2011",
    "?policy_area=open-data&completion=Not+Started",
    "?as_of=2024-01-01",
    "?member=XKX&completion=Withdrawn",  # matches nothing
)


@pytest.fixture(scope="module")
def app_ctx(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'sample.sqlite'}"
    migrate(url)
    seed_sample(get_engine(url), scale=1, seed=2011, today=TODAY)
    yield AppContext(get_engine(url), Settings(secret_key=TEST_SECRET, database_url=url, today=TODAY.isoformat()))
    dispose_engines()


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("path", PATHS)
def test_pgf001_every_page_renders_under_every_filter(app_ctx, path, search):
    filters, problems = parse_filters(search, known_members={"XKX", "BRA", "ARBA"})
    assert problems == []
    page = ROUTER.render(app_ctx, path, filters)  # any exception fails the test
    assert page is not None and page.children is not None
