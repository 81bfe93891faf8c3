"""Themes pages called as functions on a database with known commitments and policy areas."""

import datetime as dt

import pytest

from callbacks.shell import render_page
from callbacks.themes import area_table, render_theme, render_themes, themes_export
from dashboard.domain.filters import Filters
from dashboard.pages import ROUTER
from dashboard.settings import Settings
from dashboard.web.context import AppContext
from data_access import queries
from data_access.db import get_engine
from data_access.sample import seed_sample
from layouts import ids
from layouts import themes as layout
from tests.builders import build
from tests.callbacks.test_countries import MEMBERS, find, hrefs_of, text_of
from tests.helpers import TEST_SECRET

REGIONS = ["Africa and the Middle East", "Americas", "Asia and the Pacific", "Europe"]
FISCAL = (
    "policy_area=fiscal-openness&policy_area=publication-of-budget-fiscal-information"
    "&policy_area=public-participation-in-budget-fiscal-policy&policy_area=oversight-of-budget-fiscal-policies"
    "&policy_area=stimulus-and-economic-recovery&policy_area=tax&policy_area=debt"
)


@pytest.fixture
def app_ctx(db_url):
    build(get_engine(db_url), MEMBERS)
    return AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today="2023-06-01"))


def heatmap(page):
    return find(page.children, ids.drill_chart(layout.THEMES_HEATMAP)).figure.data[0]


def test_thm001_parent_groups_count_each_commitment_once(app_ctx):
    table = area_table(app_ctx, Filters(), groups=True).set_index("policy_area")
    # AL0001, AL0002 (tagged with the group and Audits), AM0001 (two sub-areas): three commitments.
    assert list(table.index) == ["anti-corruption-and-integrity", "fiscal-openness"]
    anti, fiscal = table.loc["anti-corruption-and-integrity"], table.loc["fiscal-openness"]
    assert (anti["commitments"], anti["assessed"], anti["high_completion"], anti["starred"]) == (3, 3, 2, 1)
    assert (anti["ambition_rated"], anti["ambitious"]) == (3, 2)
    assert (fiscal["commitments"], fiscal["assessed"], fiscal["high_completion"], fiscal["starred"]) == (3, 2, 1, 1)
    assert (fiscal["ambition_rated"], fiscal["ambitious"], fiscal["ambitious_share"]) == (2, 1, 50.0)


def test_thm002_heatmap_cells_and_their_drilldown_links(app_ctx):
    page = render_themes(app_ctx, Filters(), areas="groups", cells="commitments")
    trace = heatmap(page)
    assert list(trace.x) == REGIONS
    assert list(trace.y) == ["Anti-Corruption and Integrity", "Fiscal Openness"]
    assert [list(row) for row in trace.z] == [[0, 0, 0, 3], [0, 2, 0, 1]]
    assert trace.customdata[1][1][0] == "/commitments?region=Americas&" + FISCAL
    assert trace.colorbar.title.text == "Commitments"
    # The click layer (one invisible point per cell) carries the same links, row by row.
    clicks = find(page.children, ids.drill_chart(layout.THEMES_HEATMAP)).figure.data[1]
    assert (clicks.x[5], clicks.y[5], clicks.customdata[5][0]) == (
        "Americas",
        "Fiscal Openness",
        trace.customdata[1][1][0],
    )
    assert len(clicks.customdata) == 2 * 4
    # The list behind a cell holds exactly the commitments the cell counts.
    listed = queries.commitments(
        app_ctx.engine, region=["Americas"], policy_area=FISCAL.replace("policy_area=", "").split("&")
    )
    assert sorted(listed["ogp_id"]) == ["MX0001", "MX0002"]


def test_thm003_all_areas_count_tags_as_written(app_ctx):
    page = render_themes(app_ctx, Filters(), areas="all")
    trace = heatmap(page)
    cells = {
        (area, region): value
        for area, row in zip(trace.y, trace.z, strict=True)
        for region, value in zip(trace.x, row, strict=True)
        if value
    }
    assert cells == {
        ("Open Contracting", "Europe"): 2,
        ("Open Data", "Americas"): 2,
        ("Open Data", "Europe"): 1,
        ("Tax", "Americas"): 2,
        ("Tax", "Europe"): 1,
        ("Anti-Corruption and Integrity", "Europe"): 1,
        ("Audits", "Europe"): 1,
        ("Public Procurement", "Europe"): 1,
    }
    row = list(trace.y).index("Tax")
    assert trace.customdata[row][1][0] == "/commitments?region=Americas&policy_area=tax"


def test_thm004_share_cells_blank_when_nothing_assessed_and_links_keep_filters(app_ctx):
    filters = Filters(cycle=(2018, 2019, 2022))
    page = render_themes(app_ctx, filters, cells="high_completion")
    trace = heatmap(page)
    assert list(trace.y) == ["Fiscal Openness", "Anti-Corruption and Integrity"]  # 3 commitments before 2
    fiscal, anti = (list(row) for row in trace.z)
    assert anti[3] == pytest.approx(50.0)  # Europe: AL0001 Complete, AL0002 Limited (ARM's 2021 plan is out)
    assert fiscal[3] is None  # Europe: AL0003 not yet assessed, so no share
    assert fiscal[1] == pytest.approx(50.0)  # Americas: MX0001 Not Started, MX0002 Complete
    assert trace.text[0][3] == "—"
    assert trace.customdata[0][1][0] == "/commitments?region=Americas&cycle=2018&cycle=2019&cycle=2022&" + FISCAL
    assert trace.colorbar.title.text.startswith("High completion")


def test_thm005_bad_parameters_give_messages_and_defaults(app_ctx):
    page = render_themes(app_ctx, Filters(), areas="everything", cells="<script>")
    text = text_of(page.children)
    assert "Unknown area level 'everything' (expected one of: groups, all); showing parent groups." in text
    assert "Unknown heat-map value '<script>'" in text
    assert list(heatmap(page).y) == ["Anti-Corruption and Integrity", "Fiscal Openness"]
    assert page.trail == [("Overview", "/"), ("Themes", None)]


def test_thm006_completion_and_ambition_charts_link_to_commitments(app_ctx):
    page = render_themes(app_ctx, Filters())
    completion = find(page.children, ids.drill_chart(layout.THEMES_COMPLETION_CHART)).figure
    complete = next(t for t in completion.data if t.name == "Complete")
    links = dict(zip(complete.y, (c[0] for c in complete.customdata), strict=True))
    assert links["Fiscal Openness"] == "/commitments?" + FISCAL + "&completion=Complete"
    ambition = find(page.children, ids.drill_chart(layout.THEMES_AMBITION_CHART)).figure
    shares = dict(zip(ambition.data[0].y, ambition.data[0].x, strict=True))
    assert shares["Anti-Corruption and Integrity"] == pytest.approx(200 / 3)
    assert "/themes/fiscal-openness" in hrefs_of(page.children)
    export = themes_export(app_ctx, Filters(), "/themes")
    assert export.to_dict("records")[1] == {
        "Policy area": "Fiscal Openness",
        "Commitments": 3,
        "Assessed": 2,
        "High completion (% of assessed)": 50.0,
        "Starred (% of star-rated)": 50.0,  # MX0002 starred; MX0001 rated "0"; AL0003 never star-rated
        "High ambition (% of rated)": 50.0,
    }


def test_thm007_theme_page_for_a_group_and_a_sub_area(app_ctx):
    page = render_theme(app_ctx, Filters(), slug="fiscal-openness")
    text = text_of(page.children)
    assert "See its 3 commitments" in text
    assert "/commitments?" + FISCAL in hrefs_of(page.children)
    assert "/themes/tax" in hrefs_of(page.children)
    assert page.trail == [("Overview", "/"), ("Themes", "/themes"), ("Fiscal Openness", None)]
    members = find(page.children, ids.drill_chart(layout.THEME_MEMBERS_CHART)).figure.data[0]
    assert dict(zip(members.y, members.x, strict=True)) == {"Mexico": 2, "Albania": 1}
    regions = find(page.children, ids.drill_chart(layout.THEME_REGION_CHART)).figure
    assert {y for trace in regions.data for y in trace.y} == {"Americas", "Europe"}

    tax = render_theme(app_ctx, Filters(), slug="TAX")
    assert "/commitments?policy_area=tax" in hrefs_of(tax.children)
    assert "/themes/fiscal-openness" in hrefs_of(tax.children)  # its parent group


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("no-such-area", "There is no policy area 'no-such-area'."),
        ("%3Cb%3Ex%3C%2Fb%3E", "There is no policy area '<b>x</b>'."),
    ],
)
def test_thm008_unknown_area_gives_a_message(app_ctx, slug, message):
    page = render_theme(app_ctx, Filters(), slug=slug)
    assert message in text_of(page.children)
    assert page.trail[-1] == ("Policy area not found", None)


def test_thm009_routes_resolve_through_the_shell(app_ctx):
    content, trail, _, _, _title = render_page(app_ctx, ROUTER, "/themes/justice", "")
    assert "Justice" in text_of(content)
    assert "No member has commitments in this area" in str(content)  # an empty state that explains


def test_thm010_sample_dataset_pages_have_content(db_url):
    engine = get_engine(db_url)
    seed_sample(engine, scale=1, seed=2011, today=dt.date(2024, 6, 1))
    app_ctx = AppContext(engine, Settings(secret_key=TEST_SECRET, database_url=db_url, today="2024-06-01"))
    page = render_themes(app_ctx, Filters())
    trace = heatmap(page)
    assert len(trace.y) >= 8 and sum(sum(row) for row in trace.z) > 100
    theme = render_theme(app_ctx, Filters(), slug="open-parliaments")
    assert find(theme.children, ids.drill_chart(layout.THEME_MEMBERS_CHART)).figure.data[0].x[-1] > 0


def test_thm011_shares_are_rounded_once_where_shown(db_url):
    # 15 of 38 assessed commitments with high completion is 39.47%: shown as 39%, not 40% (rounding 39.5).
    completions = ["Substantial"] * 8 + ["Complete"] * 7 + ["Limited"] * 23
    build(
        get_engine(db_url),
        [
            {
                "code": "EST",
                "name": "Estonia",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_EST01",
                        "submission_year": 2018,
                        "start": dt.date(2018, 7, 1),
                        "end": dt.date(2020, 6, 30),
                        "commitments": [
                            {"ogp_id": f"EE{i:04d}", "title": f"Court data {i}", "completion": c, "areas": ["justice"]}
                            for i, c in enumerate(completions, start=1)
                        ],
                    }
                ],
            }
        ],
    )
    app_ctx = AppContext(get_engine(db_url), Settings(secret_key=TEST_SECRET, database_url=db_url, today="2023-06-01"))
    table = area_table(app_ctx, Filters(), groups=True).set_index("policy_area")
    assert (table.loc["justice", "high_completion"], table.loc["justice", "assessed"]) == (15, 38)
    assert table.loc["justice", "high_completion_share"] == pytest.approx(15 / 38 * 100)  # unrounded

    page = render_themes(app_ctx, Filters(), cells="high_completion")
    row = next(tr for tr in find(page.children, layout.THEMES_TABLE).children[1].children)
    assert [text_of(td) for td in row.children][:4] == ["Justice", "38", "38", "39%"]
    trace = heatmap(page)
    assert trace.text[0][list(trace.x).index("Europe")] == "39%"
    export = themes_export(app_ctx, Filters(), "/themes")
    assert export.loc[0, "High completion (% of assessed)"] == 39.5  # exports round to one decimal
    theme = render_theme(app_ctx, Filters(), slug="justice")
    assert find(theme.children, "theme-kpi-high-completion").children == "39%"
