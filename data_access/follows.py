"""What a signed-in user follows (members, action plans, commitments) and how each stands now.

Following is what the inbox and the e-mail digest report on (data_access.inbox). A follow names its subject by
OGP's own id (member code, action plan id, commitment id), so it survives re-imports that renumber rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from dashboard.domain.status import plan_verdict
from data_access import inbox, statuses
from data_access.db import session_scope
from data_access.models import ActionPlan, Commitment, CommitmentStatus, Follow, Member, PlanStatus, User

KINDS: dict[str, str] = {"member": "member", "action_plan": "action plan", "commitment": "commitment"}
MAX_FOLLOWS = 500  # per user: enough for a support officer's members, a bound on what one click can add


class FollowError(ValueError):
    """A follow that cannot be made, said in words."""


@dataclass(frozen=True)
class Followed:
    """One followed subject as the Following page lists it."""

    kind: str
    ref: str
    name: str
    status: str
    reason: str
    link: str
    since: dt.date
    behind: tuple[tuple[str, int], ...] = ()  # members: (delay status, commitments) of those behind, non-zero


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _user_id(session: Session, username: str) -> int:
    user_id = session.scalar(select(User.id).where(User.username == username, User.active.is_(True)))
    if user_id is None:
        raise FollowError(f"No active user named '{username}'.")
    return user_id


def _exists(session: Session, kind: str, ref: str) -> bool:
    column = {"member": Member.code, "action_plan": ActionPlan.ogp_id, "commitment": Commitment.ogp_id}[kind]
    return (session.scalar(select(func.count()).where(column == ref)) or 0) > 0


def follow(engine: Engine, username: str, kind: str, ref: str, *, today: dt.date) -> bool:
    """Follow a member, action plan or commitment; True when it was not followed yet. The inbox collects at once,
    so the statuses it compares later start from today's (a change before the follow is no news to tell)."""
    if kind not in KINDS:
        raise FollowError(f"One follows a member, an action plan or a commitment, not '{kind[:40]}'.")
    ref = ref.strip()[:40]
    with session_scope(engine) as session:
        user_id = _user_id(session, username)
        if not _exists(session, kind, ref):
            raise FollowError(f"There is no {KINDS[kind]} '{ref}'.")
        if session.scalar(select(Follow.id).where(Follow.user_id == user_id, Follow.kind == kind, Follow.ref == ref)):
            return False
        if (session.scalar(select(func.count()).where(Follow.user_id == user_id)) or 0) >= MAX_FOLLOWS:
            raise FollowError(f"You follow {MAX_FOLLOWS} things already; stop following some first.")
        session.add(Follow(user_id=user_id, kind=kind, ref=ref, created_at=_now(), since=today))
    inbox.collect(engine, today)
    return True


def unfollow(engine: Engine, username: str, kind: str, ref: str) -> bool:
    """Stop following; True when it was followed."""
    with session_scope(engine) as session:
        user_id = _user_id(session, username)
        gone = session.execute(
            delete(Follow).where(Follow.user_id == user_id, Follow.kind == kind, Follow.ref == ref.strip()[:40])
        )
        return bool(gone.rowcount)  # type: ignore[attr-defined]


def is_following(engine: Engine, username: str | None, kind: str, ref: str) -> bool:
    if not username:
        return False
    stmt = select(Follow.id).join(User, User.id == Follow.user_id)
    stmt = stmt.where(User.username == username, Follow.kind == kind, Follow.ref == ref)
    with Session(engine) as session:
        return session.scalar(stmt) is not None


def followed(engine: Engine, username: str, day: dt.date) -> list[Followed]:
    """Everything the user follows, members first, each with its status on `day` from the status layer: a
    commitment's delay status and reason, a plan's status and reason, a member's commitments behind."""
    statuses.ensure(engine, day)
    with Session(engine) as session:
        rows = session.execute(
            select(Follow.kind, Follow.ref, Follow.since)
            .join(User, User.id == Follow.user_id)
            .where(User.username == username)
            .order_by(Follow.kind, Follow.ref)
        ).all()
        found: list[Followed] = []
        for kind, ref, since in rows:
            found.append(_describe(session, kind, ref, since, day))
    order = list(KINDS)
    return sorted(found, key=lambda f: (order.index(f.kind), f.ref))


def _describe(session: Session, kind: str, ref: str, since: dt.date, day: dt.date) -> Followed:
    if kind == "commitment":
        row = session.execute(
            select(Commitment.title, Member.name, CommitmentStatus.delay_status, CommitmentStatus.delay_reason)
            .join(ActionPlan, ActionPlan.id == Commitment.action_plan_id)
            .join(Member, Member.id == ActionPlan.member_id)
            .outerjoin(
                CommitmentStatus,
                (CommitmentStatus.commitment_id == Commitment.id) & (CommitmentStatus.day == day),
            )
            .where(Commitment.ogp_id == ref)
        ).first()
        if row is None:
            return Followed(kind, ref, "(no longer in the data)", "unknown", "not in the data any more", "", since)
        title, member, status, reason = row
        return Followed(
            kind, ref, f"{title} ({member})", status or "unknown", reason or "", f"/commitments/{ref}", since
        )
    if kind == "action_plan":
        plan_row = session.execute(
            select(Member.code, Member.name, PlanStatus)
            .join(ActionPlan, ActionPlan.member_id == Member.id)
            .outerjoin(PlanStatus, (PlanStatus.plan_id == ActionPlan.id) & (PlanStatus.day == day))
            .where(ActionPlan.ogp_id == ref)
        ).first()
        if plan_row is None:
            return Followed(kind, ref, "(no longer in the data)", "unknown", "not in the data any more", "", since)
        code, name, plan = plan_row
        if plan is None:
            return Followed(kind, ref, name, "unknown", "no status stored", f"/countries/{code}", since)
        status, why = plan_verdict(
            plan.submission_status, plan.submission_reason, plan.process_status, plan.process_reason
        )
        return Followed(kind, ref, f"Action plan of {name}", status, why, f"/countries/{code}", since)
    member_name = session.scalar(select(Member.name).where(Member.code == ref))
    if member_name is None:
        return Followed(kind, ref, "(no longer in the data)", "unknown", "not in the data any more", "", since)
    counts = dict(
        session.execute(
            select(CommitmentStatus.delay_status, func.count())
            .join(Commitment, Commitment.id == CommitmentStatus.commitment_id)
            .join(ActionPlan, ActionPlan.id == Commitment.action_plan_id)
            .join(Member, Member.id == ActionPlan.member_id)
            .where(Member.code == ref, CommitmentStatus.day == day)
            .group_by(CommitmentStatus.delay_status)
        ).all()
    )
    behind = {s: counts.get(s, 0) for s in ("delayed", "at risk", "no evidence")}
    total = sum(counts.values())
    summary = ", ".join(f"{n} {s}" for s, n in behind.items() if n) or "none delayed, at risk or without evidence"
    counted = tuple((s, n) for s, n in behind.items() if n)
    return Followed(kind, ref, member_name, summary, f"of {total} commitments", f"/countries/{ref}", since, counted)
