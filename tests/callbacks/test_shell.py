"""The frame: routing, URL <-> filter bar, drilldown links, data badge, database errors."""

import datetime as dt

import pytest
from dash import no_update

from callbacks.shell import FILTER_INPUTS, drill_href, render_page, sync_filters
from dashboard.factory import create_app
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access.db import get_engine
from layouts import ids
from tests.builders import build
from tests.helpers import TEST_SECRET, find, text_of


@pytest.fixture
def app_ctx(db_url):
    build(
        get_engine(db_url),
        [
            {
                "code": "ALB",
                "name": "Albania",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_ALB01",
                        "submission_year": 2022,
                        "start": dt.date(2022, 9, 1),
                        "end": dt.date(2024, 8, 31),
                        "commitments": [{"ogp_id": "AL0001", "title": "Open budgets", "completion": "Complete"}],
                    }
                ],
            }
        ],
    )
    return AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today="2023-06-01"))


def test_shl001_unknown_path_shows_a_message(app_ctx):
    page, trail, alerts, badge, _title = render_page(app_ctx, ROUTER, "/nowhere", "")
    assert "There is no page at '/nowhere'" in text_of(page)
    assert "Page not found" in str(trail)


def test_shl002_bad_filters_are_listed_and_the_page_still_renders(app_ctx):
    page, _, alerts, _, _title = render_page(app_ctx, ROUTER, "/", "?region=Mars&member=ZZZ")
    assert "Unknown region 'Mars'" in text_of(alerts)
    assert "Unknown member 'ZZZ'" in text_of(alerts)
    assert "Overview" in text_of(page)


def test_shl003_imported_data_badge_is_not_sample(app_ctx):
    _, _, _, badge, _title = render_page(app_ctx, ROUTER, "/", "")
    assert "OGP data" in text_of(badge)
    assert "Sample" not in text_of(badge)


def test_shl004_unreachable_database_gives_a_banner_not_a_crash():
    # A real PostgreSQL URL on a port where nothing listens: the driver fails to connect.
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app_ctx = AppContext(get_engine(url), Settings(secret_key=TEST_SECRET, database_url=url))
    page, trail, alerts, _, _title = render_page(app_ctx, ROUTER, "/", "")
    assert "database cannot be reached" in text_of(page)
    assert page.id == ids.DB_ERROR


def test_shl005_url_sets_the_filter_bar():
    out = sync_filters("?member=ALB&member_type=local&cycle=2022&starred=no", [None] * 8, ids.URL)
    assert out[0] is no_update
    assert out[1] == ["ALB"] and out[3] == ["local"] and out[4] == [2022] and out[7] == "no"


def test_shl006_filter_bar_writes_the_url_and_keeps_as_of():
    values = [["KEN"], ["Africa and the Middle East"], [], [2020], [], ["Complete"], "yes", []]
    out = sync_filters("?as_of=2024-01-01", values, ids.FILTER_MEMBER)
    assert out[0] == (
        "?member=KEN&region=Africa+and+the+Middle+East&cycle=2020&completion=Complete&starred=yes&as_of=2024-01-01"
    )
    assert all(v is no_update for v in out[1:])
    cleared = sync_filters("?member=KEN&as_of=2024-01-01", values, ids.FILTER_CLEAR)
    assert cleared[0] == "?as_of=2024-01-01" and cleared[1:] == ([], [], [], [], [], [], None, [])


def test_shl007_drilldown_accepts_only_local_paths():
    assert drill_href({"points": [{"customdata": ["/commitments?region=Europe", 3]}]}) == "/commitments?region=Europe"
    assert drill_href({"points": [{"customdata": "/countries/ALB"}]}) == "/countries/ALB"
    for forged in ("//evil.example/x", "javascript:alert(1)", "https://evil.example", None, 5):
        assert drill_href({"points": [{"customdata": [forged]}]}) is None
    assert drill_href(None) is None and drill_href({"points": []}) is None


def test_shl008_callbacks_are_wired(db_url):
    app = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url))
    outputs = " ".join(app.callback_map)
    assert f"{ids.PAGE}.children" in outputs
    assert f"{ids.URL}.search" in outputs and all(f"{i}.value" in outputs for i in FILTER_INPUTS)
    assert "export-download" in outputs


def test_shl009_forged_callback_requests_get_a_clear_400(db_url):
    client = create_app(Settings(secret_key=TEST_SECRET, database_url=db_url)).server.test_client()
    for body in (b"not json", b"{}", b"[1, 2]", b'{"output": "nope.children", "outputs": {}, "inputs": []}'):
        response = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert response.status_code == 400
        assert b"Traceback" not in response.data


def test_shl006_printed_pages_write_out_the_active_filters(app_ctx):
    _, _, notes, _, _title = render_page(
        app_ctx, ROUTER, "/", "?region=Europe&policy_area=anti-corruption-strategies&cycle=2022"
    )
    printed = find(notes, lambda n: "print-only" in (getattr(n, "className", "") or ""))
    assert len(printed) == 1
    written = " ".join(text_of(printed[0]).split())
    assert written.startswith("OGP data")  # where the figures come from (the navbar's badge is not printed)
    assert written.endswith(
        "Filters: Region: Europe · Action-plan cycle: 2022 · Policy area: Anti-Corruption Strategies"
    )
    _, _, notes, _, _title = render_page(app_ctx, ROUTER, "/", "")
    assert "Filters: none" in text_of(find(notes, lambda n: "print-only" in (getattr(n, "className", "") or "")))


def test_shl008_a_bar_that_only_mirrors_the_link_keeps_the_link_and_its_warnings():
    """A link with values the bar cannot show (an unknown region, a bad cycle): setting the bar from it must not
    write a cleaned link back, which would drop the values and their warnings from the page."""
    search = "?member=ALB&region=Atlantis&cycle=abc"
    mirrored = sync_filters(search, [None] * 8, ids.URL)[1:]
    echo = sync_filters(search, list(mirrored), ids.FILTER_MEMBER)
    assert echo[0] is no_update
    changed = sync_filters(search, [["ALB", "KEN"], *mirrored[1:]], ids.FILTER_MEMBER)
    assert changed[0] == "?member=ALB&member=KEN"  # a real change writes a clean link


def test_shl009_an_unknown_member_stays_in_the_link_and_out_of_the_bar():
    """The bar cannot show a member the data does not have (a dropdown drops such a value, which would rewrite the
    link); with the database's members known, the bar leaves it out and the link keeps it, and its warning."""
    search = "?member=ZZZ&member=ALB"
    bar = sync_filters(search, [None] * 8, ids.URL, {"ALB", "KEN"})
    assert bar[1] == ["ALB"]
    assert sync_filters(search, list(bar[1:]), ids.FILTER_MEMBER, {"ALB", "KEN"})[0] is no_update


def test_shl050_each_filter_value_is_a_chip_that_removes_only_itself():
    from callbacks.shell import chips_of

    chips = chips_of(
        "/countries/ALB",
        "?region=Europe&region=Americas&member_type=local&policy_area=open-data&starred=yes&as_of=2024-03-01&sort=x",
    )
    shown = [(c.children[1].children, c.children[2], c.href) for c in chips]
    assert shown == [
        (
            "Region: ",
            "Europe",
            "/countries/ALB?region=Americas&member_type=local&policy_area=open-data&starred=yes"
            "&as_of=2024-03-01&sort=x",
        ),
        (
            "Region: ",
            "Americas",
            "/countries/ALB?region=Europe&member_type=local&policy_area=open-data&starred=yes&as_of=2024-03-01&sort=x",
        ),
        (
            "National / local: ",
            "local",
            "/countries/ALB?region=Europe&region=Americas&policy_area=open-data&starred=yes&as_of=2024-03-01&sort=x",
        ),
        (
            "Policy area: ",
            "Open Data",
            "/countries/ALB?region=Europe&region=Americas&member_type=local&starred=yes&as_of=2024-03-01&sort=x",
        ),
        (
            "Starred: ",
            "yes",
            "/countries/ALB?region=Europe&region=Americas&member_type=local&policy_area=open-data"
            "&as_of=2024-03-01&sort=x",
        ),
        (
            "As of: ",
            "2024-03-01",
            "/countries/ALB?region=Europe&region=Americas&member_type=local&policy_area=open-data&starred=yes&sort=x",
        ),
    ]
    assert all(c.children[0].children == "Remove the filter " for c in chips)  # read first by screen readers
    # No filter, a forged value or a foreign path: no chip, or chips that stay on this site.
    assert chips_of("/", "") == [] and chips_of(None, None) == [] and chips_of(["/"], {"a": 1}) == []
    assert [c.href for c in chips_of("//evil.example/x", "?region=Europe")] == ["/"]
