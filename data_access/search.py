"""Full-text search over commitments: the index (table commitment_search plus each engine's own index) and the
query that ranks the commitments whose words start with every term.

Words are made in Python (dashboard.domain.search), never by the database, so SQLite's FTS5 and PostgreSQL's
text search see the same words and find the same commitments; they differ only in how they rank.

The index is rebuilt inside the transaction of every write that changes a commitment's words (OGP sheet
imports, the sample), so it is never behind the data and a failed import leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
)

from dashboard.domain.search import document
from data_access.models import Commitment, CommitmentSearch, PolicyArea, commitment_policy_area

CHUNK = 2000  # rows per INSERT
FTS_TABLE = "commitment_fts"  # SQLite: FTS5 over commitment_search (external content)
# SQLite bm25 weights and PostgreSQL setweight letters, field by field: the heading counts most.
FIELDS = ("heading", "people", "topics", "body")
BM25_WEIGHTS = (10.0, 4.0, 4.0, 1.0)
PG_WEIGHTS = ("A", "B", "B", "C")
# PostgreSQL: the weighted tsvector of a row, stored as the generated column `document` (migration 0006).
PG_DOCUMENT = " || ".join(
    f"setweight(to_tsvector('simple'::regconfig, coalesce({name}, '')), '{weight}')"
    for name, weight in zip(FIELDS, PG_WEIGHTS, strict=True)
)


def create_index_sql(dialect: str) -> list[str]:
    """DDL of the engine's own index beside commitment_search (the migration runs it)."""
    if dialect == "sqlite":
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        return [
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({', '.join(FIELDS)}, content='commitment_search', "
            "content_rowid='commitment_id', tokenize='unicode61 remove_diacritics 2')",
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', 'bm25({weights})')",
        ]
    return [
        f"ALTER TABLE commitment_search ADD COLUMN document tsvector GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED",
        "CREATE INDEX ix_commitment_search_document ON commitment_search USING gin (document)",
    ]


def drop_index_sql(dialect: str) -> list[str]:
    """DDL that removes what create_index_sql made."""
    if dialect == "sqlite":
        return [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
    return ["DROP INDEX IF EXISTS ix_commitment_search_document", "ALTER TABLE commitment_search DROP COLUMN document"]


def rebuild(conn: Connection) -> int:
    """Replace the search index by the words of every commitment, in the caller's transaction; rows indexed."""
    areas: dict[int, list[str]] = {}
    tagged = select(commitment_policy_area.c.commitment_id, PolicyArea.name).join(
        PolicyArea, PolicyArea.id == commitment_policy_area.c.policy_area_id
    )
    for commitment_id, name in conn.execute(tagged):
        areas.setdefault(commitment_id, []).append(name)
    source = select(
        Commitment.id,
        Commitment.ogp_id,
        Commitment.title,
        Commitment.short_title,
        Commitment.lead_institution,
        Commitment.supporting_institutions,
        Commitment.theme,
        Commitment.full_text,
    )
    rows = [
        {
            "commitment_id": cid,
            "heading": document([ogp_id, title, short_title]),
            "people": document([lead, supporting]),
            "topics": document([*areas.get(cid, []), theme]),
            "body": document([full_text]),
        }
        for cid, ogp_id, title, short_title, lead, supporting, theme, full_text in conn.execute(source)
    ]
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        # External content: the FTS index is told to forget everything before its content table changes.
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
    conn.execute(delete(CommitmentSearch))
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(CommitmentSearch), rows[start : start + CHUNK])
    if sqlite:
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    return len(rows)


def matches(dialect: str, terms: Sequence[str]) -> Select[Any]:
    """(commitment_id, score) of the commitments with a word starting with each term; a higher score ranks first.

    `terms` come from dashboard.domain.search.parse_query (folded letters and digits only).
    """
    if not terms:
        raise ValueError("a search needs at least one term")
    if dialect == "sqlite":
        fts = table(FTS_TABLE, column("rowid"), column("rank"))
        expression = " AND ".join(f'"{term}"*' for term in terms)
        return select(fts.c.rowid.label("commitment_id"), (-fts.c.rank).label("score")).where(
            literal_column(FTS_TABLE).op("MATCH")(bindparam("fts_query", expression))
        )
    stored: ColumnElement[Any] = literal_column("commitment_search.document")
    query = func.to_tsquery(
        literal_column("'simple'::regconfig"), bindparam("ts_query", " & ".join(f"{t}:*" for t in terms))
    )
    return select(CommitmentSearch.commitment_id, func.ts_rank(stored, query).label("score")).where(
        stored.op("@@")(query)
    )


def is_modelled(name: str | None, type_: str, parent_names: Mapping[Any, Any]) -> bool:
    """Alembic's include_name hook: False for the engines' own search indexes, which the models do not describe
    (FTS5's tables, PostgreSQL's generated column and its index), so schema comparisons ignore them."""
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    if type_ == "column":
        return not (parent_names.get("table_name") == "commitment_search" and name == "document")
    if type_ == "index":
        return name != "ix_commitment_search_document"
    return True


TEXT_FIELDS = ("full_text", "lead_institution", "supporting_institutions", "theme")


def texts_of(engine: Engine, commitment_ids: Sequence[int]) -> dict[int, dict[str, str | None]]:
    """The texts search looks in beside the title, for a page of commitments: id -> TEXT_FIELDS."""
    if not commitment_ids:
        return {}
    stmt = select(Commitment.id, *(getattr(Commitment, name) for name in TEXT_FIELDS)).where(
        Commitment.id.in_([int(i) for i in commitment_ids])
    )
    with engine.connect() as conn:
        return {row[0]: dict(zip(TEXT_FIELDS, row[1:], strict=True)) for row in conn.execute(stmt)}
