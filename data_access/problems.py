"""What an import reports: problems by row and column, and a one-line summary of what it did."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input. `row` is the 1-based line of the file (header = 1), 0 for the file."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        column = f", column {self.column!r}" if self.column else ""
        return f"{where}{column}: {self.message}"


class ImportFailed(Exception):
    """Raised when input is invalid; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was written")


@dataclass
class ImportSummary:
    """Counts of what an import added and changed, plus warnings that did not stop it."""

    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        """Add n to the added/changed count of a kind of row."""
        target = self.added if bucket == "added" else self.changed
        target[kind] = target.get(kind, 0) + n

    def line(self) -> str:
        """The one-line summary printed after each run."""
        added = ", ".join(f"{n} {k}" for k, n in self.added.items() if n) or "nothing"
        changed = ", ".join(f"{n} {k}" for k, n in self.changed.items() if n) or "nothing"
        prefix = "Dry run (nothing written): would have added" if self.dry_run else "Added"
        tail = f"; {len(self.warnings)} warning(s)" if self.warnings else ""
        return f"{prefix} {added}; changed {changed}; {self.unchanged} unchanged{tail}."
