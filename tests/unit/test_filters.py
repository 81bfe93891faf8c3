"""URL filters: parsing, validation messages, and the round trip back to a query string."""

import datetime as dt

from dashboard.domain.filters import Filters, parse_filters


def test_flt001_empty_query_means_no_filter():
    filters, problems = parse_filters("")
    assert filters.is_empty and problems == []


def test_flt002_values_are_parsed_and_normalised():
    filters, problems = parse_filters(
        "?member=alb&member=ARBA&region=europe&member_type=local&cycle=2022&policy_area=open-data"
        "&completion=substantial&starred=yes&delay_status=at+risk&as_of=2025-03-01"
    )
    assert problems == []
    assert filters.member == ("ALB", "ARBA")
    assert filters.region == ("Europe",)
    assert filters.member_type == ("Legacy Local",)
    assert filters.cycle == (2022,)
    assert filters.policy_area == ("open-data",)
    assert filters.completion == ("Substantial",)
    assert filters.starred is True
    assert filters.delay_status == ("at risk",)
    assert filters.as_of == dt.date(2025, 3, 1)


def test_flt003_round_trip_through_the_query_string():
    original = Filters(member=("KEN",), region=("Africa and the Middle East",), cycle=(2020, 2022), starred=False)
    parsed, problems = parse_filters(original.to_query())
    assert problems == [] and parsed == original


def test_flt004_bad_values_are_named_and_dropped():
    filters, problems = parse_filters(
        "?region=Mars&cycle=1999&cycle=abc&completion=Done&starred=maybe&as_of=2025-13-40&policy_area=nope&foo=1"
    )
    assert filters.is_empty
    text = " ".join(problems)
    for fragment in ("Mars", "1999", "abc", "Done", "maybe", "2025-13-40", "nope", "foo"):
        assert fragment in text
    assert len(problems) == 8


def test_flt005_unknown_member_against_the_database_list():
    filters, problems = parse_filters("?member=ALB&member=ZZZ", known_members={"ALB"})
    assert filters.member == ("ALB",)
    assert problems == ["Unknown member 'ZZZ'."]


def test_flt006_sql_and_script_fragments_are_rejected_as_values():
    filters, problems = parse_filters("?member=ALB'%20OR%201=1--&region=<script>alert(1)</script>")
    assert filters.is_empty
    assert len(problems) == 2


def test_flt007_oversized_queries_are_refused():
    filters, problems = parse_filters("?member=" + "A" * 5000)
    assert filters.is_empty and "too long" in problems[0]
    many = "&".join(f"cycle={2011 + i % 20}" for i in range(200))
    filters, problems = parse_filters("?" + many)
    assert len(filters.cycle) == 20  # duplicates collapse
    assert problems == []


def test_flt008_page_view_parameters_ride_along_without_warnings():
    filters, problems = parse_filters("?region=Europe&measure=starred&days=90")
    assert problems == []
    assert filters.view_value("measure") == "starred" and filters.view_value("days") == "90"
    assert filters.to_query() == "?region=Europe&measure=starred&days=90"
    changed = filters.with_view(measure="commitments", days=None)
    assert changed.to_query() == "?region=Europe&measure=commitments"


def test_flt_table_sort_and_page_ride_in_the_link_without_warnings():
    """The browser keeps each table's sort and page in the address (assets/app.js); the server lets them through
    as view choices, kept in the link, capped in length like every view value."""
    query = "region=Europe&sort=commitments-grid:title:asc,delays-plans-table:c2:desc&page=commitments-grid:3"
    filters, problems = parse_filters(query)
    assert problems == []
    assert filters.view_value("sort") == "commitments-grid:title:asc,delays-plans-table:c2:desc"
    assert filters.view_value("page") == "commitments-grid:3"
    assert "sort=commitments-grid" in filters.to_query() and "page=commitments-grid" in filters.to_query()
    long_value, _ = parse_filters("sort=" + "x" * 1000)
    assert len(long_value.view_value("sort")) == 200
