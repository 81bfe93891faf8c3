"""Queries of the countries and themes pages: every member, and commitments counted per policy area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select

from dashboard.domain.policy_areas import POLICY_AREAS, slugify
from data_access.models import ActionPlan, Commitment, Member, PolicyArea, commitment_policy_area
from data_access.queries import (
    AMBITION_RATED_CASE,
    AMBITIOUS_CASE,
    ASSESSED_CASE,
    HIGH_COMPLETION_CASE,
    STAR_RATED_CASE,
    STARRED_CASE,
    commitment_scope,
    frame,
)

MEMBER_COLUMNS = ["code", "name", "region", "member_type", "status", "joined_year"]


def members(
    engine: Engine,
    *,
    member: Sequence[str] | None = None,
    region: Sequence[str] | None = None,
    member_type: Sequence[str] | None = None,
    **_ignored: Any,
) -> pd.DataFrame:
    """Every member matching the member-level filters, with or without commitments; columns MEMBER_COLUMNS."""
    stmt = select(
        Member.code, Member.name, Member.region, Member.member_type, Member.status, Member.joined_year
    ).order_by(Member.name)
    if member:
        stmt = stmt.where(Member.code.in_(list(member)))
    if region:
        stmt = stmt.where(Member.region.in_(list(region)))
    if member_type:
        stmt = stmt.where(Member.member_type.in_(list(member_type)))
    return frame(engine, stmt, MEMBER_COLUMNS)


def member_by_code(engine: Engine, code: str) -> dict[str, Any] | None:
    """One member (MEMBER_COLUMNS as a dict) by its exact code, or None."""
    frame = members(engine, member=[code])
    return frame.iloc[0].to_dict() if not frame.empty else None


AREA_GROUPINGS: dict[str, Any] = {
    "region": Member.region,
    "cycle": ActionPlan.submission_year,
    "member": Member.code,
    "completion": Commitment.completion,
}
AREA_COUNT_COLUMNS = [
    "commitments",
    "assessed",
    "high_completion",
    "starred",
    "star_rated",
    "ambition_rated",
    "ambitious",
]
_SLUG_BY_NAME = {a.name: a.slug for a in POLICY_AREAS}


def policy_area_counts(engine: Engine, *, groups: bool, by: str | None = None, **filters: Any) -> pd.DataFrame:
    """Commitments per policy area (and per `by` value), each commitment counted once per area.

    groups=True counts per parent group a commitment tagged with the group or any of its sub-areas
    (OGP's sheet often tags a sub-area without its group); cross-cutting tags are left out.
    groups=False counts per tag as written. `by`: None or one of AREA_GROUPINGS.
    Columns: policy_area (slug), [by], then AREA_COUNT_COLUMNS.
    """
    if by is not None and by not in AREA_GROUPINGS:
        raise ValueError(f"cannot group policy areas by {by!r}")
    area = (
        case((PolicyArea.is_group.is_(True), PolicyArea.name), else_=PolicyArea.parent) if groups else PolicyArea.name
    )
    tags = (
        select(commitment_policy_area.c.commitment_id.label("commitment_id"), area.label("area"))
        .join(PolicyArea, PolicyArea.id == commitment_policy_area.c.policy_area_id)
        .where(area.is_not(None))
        .distinct()
        .subquery()
    )
    keys = [tags.c.area] + ([AREA_GROUPINGS[by]] if by else [])
    stmt = select(
        *keys,
        func.count(Commitment.id),
        func.sum(ASSESSED_CASE),
        func.sum(HIGH_COMPLETION_CASE),
        func.sum(STARRED_CASE),
        func.sum(STAR_RATED_CASE),
        func.sum(AMBITION_RATED_CASE),
        func.sum(AMBITIOUS_CASE),
    )
    stmt = commitment_scope(stmt, filters).join(tags, tags.c.commitment_id == Commitment.id)
    stmt = stmt.group_by(*keys).order_by(*keys)
    counts = frame(engine, stmt, ["policy_area"] + ([by] if by else []) + AREA_COUNT_COLUMNS)
    counts["policy_area"] = counts["policy_area"].map(lambda name: _SLUG_BY_NAME.get(name, slugify(name)))
    for column in AREA_COUNT_COLUMNS:
        counts[column] = counts[column].fillna(0).astype(int)
    return counts
