"""Search: words folded the same way for the index and the query; SQLite FTS5 and PostgreSQL find the same
commitments; the index follows every write of commitments and a failed import leaves it as it was."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard.domain.search import MAX_TERMS, document, found_in, highlight, parse_query, snippet, words
from data_access import commitment_queries as cq
from data_access.db import session_scope
from data_access.models import Commitment, CommitmentSearch
from data_access.ogp_sheet.upsert import import_ogp_sheet
from data_access.problems import ImportFailed
from tests.builders import build

START, END = dt.date(2024, 9, 1), dt.date(2026, 8, 31)


def _build(engine) -> None:
    build(
        engine,
        [
            {
                "code": "MEX",
                "name": "Mexico",
                "region": "Americas",
                "plans": [
                    {
                        "ogp_id": "AP_MEX05",
                        "submission_year": 2024,
                        "start": START,
                        "end": END,
                        "commitments": [
                            {
                                "ogp_id": "MX0101",
                                "title": "Educación abierta en escuelas públicas",
                                "full_text": "Publicar los presupuestos de cada escuela.",
                                "lead_institution": "Secretaría de Educación Pública",
                            },
                            {
                                "ogp_id": "MX0102",
                                "title": "Beneficial ownership register",
                                "full_text": "A public register of who owns companies; education of notaries.",
                                "areas": ["beneficial-ownership"],
                            },
                            {
                                "ogp_id": "MX0103",
                                "title": "Water quality data",
                                "supporting_institutions": "CONAGUA_regional offices",
                            },
                        ],
                    }
                ],
            },
            {
                "code": "FRA",
                "name": "France",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_FRA04",
                        "submission_year": 2024,
                        "start": START,
                        "end": END,
                        "commitments": [
                            {"ogp_id": "FR0201", "title": "Données ouvertes de l'éducation nationale"},
                            {"ogp_id": "FR0202", "title": "Transparence des marchés publics"},
                        ],
                    }
                ],
            },
        ],
    )


def _found(engine, q: str, **filters) -> list[str]:
    terms, _ = parse_query(q)
    return sorted(cq.commitment_rows(engine, search=terms, **filters)["ogp_id"])


# --- words: the one definition -------------------------------------------------------------------------------


def test_sea001_words_fold_accents_and_case_and_split_on_everything_but_letters_and_digits() -> None:
    assert words("Educación PÚBLICA, l'État") == ["educacion", "publica", "l", "etat"]
    assert words("AP_MEX05 2024-2026") == ["ap", "mex05", "2024", "2026"]
    assert words("Straße") == ["strasse"]
    assert words(None) == [] and words("") == []
    assert document(["Ñandú", None, "Ça va"]) == "nandu ca va"


def test_sea002_a_query_keeps_distinct_words_and_says_what_it_ignored() -> None:
    assert parse_query("  ") == ((), None)
    assert parse_query("Budget budget BUDGET portal") == (("budget", "portal"), None)
    terms, problem = parse_query("?!  --")
    assert terms == () and "no letters or digits" in problem
    many = " ".join(f"w{i}" for i in range(MAX_TERMS + 3))
    terms, problem = parse_query(many)
    assert len(terms) == MAX_TERMS and f"first {MAX_TERMS} words" in problem
    terms, problem = parse_query("a" * 500)
    assert problem is not None and "cut" in problem


def test_sea003_highlight_marks_word_starts_in_the_original_text_with_its_accents() -> None:
    pieces = highlight("La educación y la Educacion-pública", ("educ", "pub"))
    assert [p for p, matched in pieces if matched] == ["educ", "Educ", "púb"]
    assert "".join(p for p, _ in pieces) == "La educación y la Educacion-pública"
    # Only word starts: 'reducción' contains 'educ' but does not start with it.
    assert not any(matched for _, matched in highlight("reducción", ("educ",)))
    # A character that folds to two ('ß' -> 'ss') keeps the spans on the original text.
    assert [p for p, m in highlight("Große Straße", ("strasse",)) if m] == ["Straße"]


def test_sea004_a_snippet_shows_the_first_match_in_context_and_says_where_it_was_cut() -> None:
    text = " ".join(["filler"] * 60) + " the open budget portal " + " ".join(["more"] * 60)
    pieces = snippet(text, ("budget",), width=80)
    shown = "".join(p for p, _ in pieces)
    assert shown.startswith("…") and shown.endswith("…")
    assert "budget" in [p for p, m in pieces if m]
    assert len(shown) <= 82
    assert snippet("nothing here", ("budget",)) == []
    # In a long text the match is found near its place, with its accents, and never inside a word.
    long = "x" * 5000 + " rebudgeting " + "y " * 3000 + " Budgét ouvert " + "z " * 3000
    assert [p for p, m in snippet(long, ("budget",), width=60) if m] == ["Budgét"]
    assert found_in([("Text", "no"), ("Lead institution", "Budget office")], ("budget",))[0] == "Lead institution"
    assert found_in([("Text", None)], ("budget",)) == ("", [])


# --- the index and the query, on every backend ---------------------------------------------------------------


def test_sea010_finds_by_id_title_text_institution_and_policy_area_without_accents(engine) -> None:
    _build(engine)
    assert _found(engine, "educ") == ["FR0201", "MX0101", "MX0102"]  # Spanish, French and English
    assert _found(engine, "EDUCACION") == ["MX0101"]
    assert _found(engine, "ÉDUCATION") == ["FR0201", "MX0102"]  # 'educacion' does not start with 'education'
    assert _found(engine, "mx0102") == ["MX0102"]
    assert _found(engine, "presupuesto") == ["MX0101"]  # full text, a prefix of 'presupuestos'
    assert _found(engine, "secretaria") == ["MX0101"]  # lead institution
    assert _found(engine, "conagua") == ["MX0103"]  # supporting institutions, split at '_'
    assert _found(engine, "beneficial ownership") == ["MX0102"]  # title and policy area
    assert _found(engine, "donnees ouvertes") == ["FR0201"]
    assert _found(engine, "transparence zzz") == []  # every word must match
    assert _found(engine, "duc") == []  # a word's inside is not its start


def test_sea011_search_combines_with_the_filters_and_counts_what_it_lists(engine) -> None:
    _build(engine)
    terms, _ = parse_query("educ")
    assert _found(engine, "educ", region=["Europe"]) == ["FR0201"]
    assert cq.commitment_count(engine, search=terms) == len(_found(engine, "educ")) == 3
    assert cq.commitment_count(engine, search=terms, member=["MEX"]) == 2


def test_sea012_without_a_sort_the_best_match_comes_first(engine) -> None:
    _build(engine)
    terms, _ = parse_query("register")
    build(
        engine,
        [
            {
                "code": "ESP",
                "name": "Spain",
                "region": "Europe",
                "plans": [
                    {
                        "ogp_id": "AP_ESP05",
                        "submission_year": 2024,
                        "start": START,
                        "end": END,
                        "commitments": [
                            {"ogp_id": "ES0301", "title": "Open contracting", "full_text": "A register of contracts."}
                        ],
                    }
                ],
            }
        ],
    )
    ranked = list(cq.commitment_rows(engine, search=terms, limit=10)["ogp_id"])
    assert ranked == ["MX0102", "ES0301"]  # in the title before in the text only
    assert list(cq.commitment_rows(engine, search=terms)["ogp_id"]) == ranked  # the export's order too
    by_id = list(cq.commitment_rows(engine, search=terms, limit=10, sort="ogp_id")["ogp_id"])
    assert by_id == ["ES0301", "MX0102"]  # a chosen sort wins over relevance


def _sheet(real_sheet, tmp_path, name: str, change) -> str:
    frame = pd.read_csv(real_sheet, dtype=str, keep_default_na=False)
    path = tmp_path / name
    change(frame).to_csv(path, index=False)
    return str(path)


def _retitle(ogp_id: str, title: str):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["Commitment Unique Identifier"] == ogp_id, "Commitment Title"] = title
        return frame

    return change


def test_sea013_an_import_that_changes_a_title_changes_what_search_finds(engine, real_sheet, tmp_path) -> None:
    import_ogp_sheet(engine, real_sheet)
    found = _found(engine, "participacion ciudadana")
    assert "CL0081" in found  # "Fortalecimiento de la participación ciudadana en el Congreso Virtual"
    assert _found(engine, "zanahoria") == []
    import_ogp_sheet(engine, _sheet(real_sheet, tmp_path, "new.csv", _retitle("CL0081", "Congreso y zanahoria")))
    assert _found(engine, "zanahoria") == ["CL0081"]
    assert "CL0081" not in _found(engine, "fortalecimiento participacion ciudadana")
    with session_scope(engine) as session:
        held = session.scalar(select(func.count()).select_from(CommitmentSearch))
        commitments = session.scalar(select(func.count()).select_from(Commitment))
    assert held == commitments


def test_sea014_a_failed_import_leaves_the_index_as_it_was(engine, real_sheet, tmp_path) -> None:
    import_ogp_sheet(engine, real_sheet)
    before = _found(engine, "participacion ciudadana")

    def retitle_and_break(frame: pd.DataFrame) -> pd.DataFrame:
        frame = _retitle("CL0081", "Congreso y zanahoria")(frame)
        frame.loc[frame["Commitment Unique Identifier"] == "CR0073", "Region"] = "Atlantis"
        return frame

    with pytest.raises(ImportFailed):
        import_ogp_sheet(engine, _sheet(real_sheet, tmp_path, "broken.csv", retitle_and_break))
    assert _found(engine, "participacion ciudadana") == before
    assert _found(engine, "zanahoria") == []
