"""What an import reports: problems by row and column, and a one-line summary of what it did and what is held."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.models import ORIGIN_SAMPLE, ActionPlan, Commitment, Member, ProgressReport

# Caps on what an import reports, all in one place, so a huge invalid file gets a short report in bounded memory.
MAX_PROBLEMS_SHOWN = 200  # problems (and warnings) printed; the rest are counted in one closing line
MAX_PROBLEMS_KEPT = 10_000  # problems kept in full (those of the lowest rows); every further one is only counted
MAX_MESSAGE = 500  # characters of a problem's message (longer ones lose their middle, shown as …)
MAX_COLUMN_SHOWN = 200  # characters of the column name a problem names


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input. `row` is the 1-based line of the file (header = 1), 0 for the file."""

    row: int
    column: str
    message: str

    def __post_init__(self) -> None:
        # Messages quote cells; a 100,000-character cell must not make a 100,000-character line. The middle is
        # cut, so the end of the message (what is wrong) stays.
        for name, limit in (("column", MAX_COLUMN_SHOWN), ("message", MAX_MESSAGE)):
            text = getattr(self, name)
            if len(text) > limit:
                object.__setattr__(self, name, f"{text[: limit // 2 - 1]}…{text[-(limit - limit // 2) :]}")

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        column = f", column {self.column!r}" if self.column else ""
        return f"{where}{column}: {self.message}"


class ProblemList:
    """Problems found so far: every one counted (len), the `keep` first by row kept in full (kept()).

    Used like a list by the validators: append, +=, len and truth.
    """

    def __init__(self, problems: Iterable[Problem] = (), *, keep: int = MAX_PROBLEMS_KEPT):
        self.keep = keep
        self.total = 0
        self._kept: list[Problem] = []
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        """Count a problem; keep it while it is among the `keep` first by row."""
        self.total += 1
        self._kept.append(problem)
        if len(self._kept) >= 2 * self.keep:
            self._trim()

    def extend(self, problems: Iterable[Problem]) -> None:
        """Count and keep several problems (see append)."""
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[Problem]) -> ProblemList:
        self.extend(problems)
        return self

    def __len__(self) -> int:
        return self.total

    def kept(self) -> list[Problem]:
        """The problems kept in full, sorted by row and column (at most `keep`)."""
        self._trim()
        return list(self._kept)

    def _trim(self) -> None:
        self._kept.sort()
        del self._kept[self.keep :]


class ImportFailed(Exception):
    """Raised when input is invalid; nothing has been written.

    problems: the first problems by row (at most MAX_PROBLEMS_KEPT); total: how many there were in all.
    """

    def __init__(self, problems: Iterable[Problem] | ProblemList):
        found = problems if isinstance(problems, ProblemList) else ProblemList(problems)
        self.problems = found.kept()
        self.total = found.total
        super().__init__(f"{self.total} problem(s); nothing was written")

    def lines(self, shown: int = MAX_PROBLEMS_SHOWN) -> list[str]:
        """What to print: the first `shown` problems by row, then how many more there are (nothing was written)."""
        return report_lines(self.problems, self.total, "problems", shown=shown, ending="; nothing was written")


def report_lines(
    problems: list[Problem],
    total: int | None = None,
    kind: str = "problems",
    *,
    shown: int = MAX_PROBLEMS_SHOWN,
    prefix: str = "",
    ending: str = "",
) -> list[str]:
    """The first `shown` problems (or warnings) as text, then one line "... and N more <kind> (M in all)".

    total is how many there were when `problems` holds only the first ones (ImportFailed.total); prefix goes
    before each problem, ending after the closing line.
    """
    total = len(problems) if total is None else total
    lines = [f"{prefix}{problem}" for problem in problems[:shown]]
    if total > len(lines):
        lines.append(f"... and {total - len(lines):,} more {kind} ({total:,} in all){ending}")
    return lines


# The kinds of rows every summary line gives totals for, in this order.
HELD_KINDS: tuple[str, ...] = ("members", "action plans", "commitments", "progress reports")


def count_held(session: Session, *, without_sample: bool = False) -> dict[str, int]:
    """How many members, action plans, commitments and progress reports the session's database holds.

    without_sample leaves out the generated sample (what is left once a real import has replaced it).
    """
    real: dict[str, Any] = {}
    if without_sample:
        real = {
            "members": Member.origin != ORIGIN_SAMPLE,
            "action plans": ActionPlan.origin != ORIGIN_SAMPLE,
            "commitments": Commitment.origin != ORIGIN_SAMPLE,
            "progress reports": ProgressReport.commitment_id.in_(
                select(Commitment.id).where(Commitment.origin != ORIGIN_SAMPLE)
            ),
        }
    models = {
        "members": Member,
        "action plans": ActionPlan,
        "commitments": Commitment,
        "progress reports": ProgressReport,
    }
    counts: dict[str, int] = {}
    for kind in HELD_KINDS:
        query = select(func.count()).select_from(models[kind])
        if kind in real:
            query = query.where(real[kind])
        counts[kind] = session.scalar(query) or 0
    return counts


@dataclass
class ImportSummary:
    """Counts of what an import added and changed, what the database then holds, and warnings that did not stop it.

    held: totals in the database after the import (after a dry run: what it would hold); kept: earlier rows of
    each kind that this file does not state and that stay (an import never deletes).
    """

    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    held: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        """Add n to the added/changed count of a kind of row."""
        target = self.added if bucket == "added" else self.changed
        target[kind] = target.get(kind, 0) + n

    def clauses(self) -> list[str]:
        """Extra clauses of the first sentence (subclasses add theirs)."""
        return [plural(len(self.warnings), "warnings")] if self.warnings else []

    def line(self) -> str:
        """The one-line summary printed after each run: what changed, then the totals now held."""
        added = _counts(self.added) or "nothing"
        changed = _counts(self.changed) or "nothing"
        prefix = "Dry run (nothing written): would have added" if self.dry_run else "Added"
        first = "; ".join([f"{prefix} {added}", f"changed {changed}", f"{self.unchanged} unchanged", *self.clauses()])
        if not self.held:
            return f"{first}."
        held = _counts({kind: self.held.get(kind, 0) for kind in HELD_KINDS}, zeros=True)
        kept = _counts(self.kept)
        kept_text = f" (earlier data kept: {kept} not in this file)" if kept else ""
        verb = "Would then hold" if self.dry_run else "Now holding"
        return f"{first}. {verb} {held}{kept_text}."


def _counts(counts: dict[str, int], *, zeros: bool = False) -> str:
    return ", ".join(plural(n, kind) for kind, n in counts.items() if n or zeros)


def plural(n: int, kinds: str) -> str:
    """'1 commitment', '2 commitments' (kinds is the plural)."""
    return f"{n} {kinds[:-1] if n == 1 and kinds.endswith('s') else kinds}"
