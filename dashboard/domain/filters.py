"""Dashboard filters: parsed from and written to the URL query string, validated with clear messages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard.domain.policy_areas import POLICY_AREA_BY_SLUG
from dashboard.domain.scales import COMPLETION, DELAY_STATUSES, REGIONS

MEMBER_TYPE_PARAMS: dict[str, str] = {"national": "National", "local": "Legacy Local", "other": "Other"}
MEMBER_CODE = re.compile(r"^[A-Z]{2,6}$")
MAX_VALUES = 50  # per parameter: a longer list is a forged URL, not a person's choice
MAX_QUERY_LENGTH = 4000
# Page-level view choices that ride in the same query string; each page validates its own.
# sort and page: each table's sort and page, kept by the browser (assets/app.js) so a copied link reopens them.
# q: the commitments list's search (dashboard.domain.search).
VIEW_PARAMS: tuple[str, ...] = (
    "measure",
    "areas",
    "cells",
    "days",
    "schedule",
    "since",
    "until",
    "sort",
    "page",
    "q",
)
MAX_VIEW_VALUE = 200


@dataclass(frozen=True)
class Filters:
    """The filters a view is showing. Empty tuple / None means 'all'."""

    member: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    member_type: tuple[str, ...] = ()
    cycle: tuple[int, ...] = ()
    policy_area: tuple[str, ...] = ()
    completion: tuple[str, ...] = ()
    starred: bool | None = None
    delay_status: tuple[str, ...] = ()
    as_of: dt.date | None = None
    view: tuple[tuple[str, str], ...] = ()  # page view choices (VIEW_PARAMS), raw, validated by the page

    def view_value(self, name: str) -> str | None:
        """The raw value of a page view parameter, None when absent."""
        return next((value for key, value in self.view if key == name), None)

    def with_view(self, **choices: str | None) -> Filters:
        """A copy with page view parameters set (None removes one)."""
        kept = {k: v for k, v in self.view if k not in choices}
        kept.update({k: str(v) for k, v in choices.items() if v is not None})
        return self.replace(view=tuple((k, kept[k]) for k in VIEW_PARAMS if k in kept))

    def query_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for data_access.queries (delay status and as-of are handled by callers)."""
        return {
            "member": self.member or None,
            "region": self.region or None,
            "member_type": self.member_type or None,
            "cycle": self.cycle or None,
            "policy_area": self.policy_area or None,
            "completion": self.completion or None,
            "starred": self.starred,
        }

    def to_query(self) -> str:
        """The URL query string ('' when no filter is set), stable in order."""
        pairs: list[tuple[str, str]] = []
        reverse_types = {v: k for k, v in MEMBER_TYPE_PARAMS.items()}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, ()):
                continue
            if f.name == "view":
                pairs.extend(value)
            elif f.name == "starred":
                pairs.append(("starred", "yes" if value else "no"))
            elif f.name == "as_of":
                pairs.append(("as_of", value.isoformat()))
            elif f.name == "member_type":
                pairs.extend(("member_type", reverse_types[v]) for v in value)
            else:
                pairs.extend((f.name, str(v)) for v in value)
        return "?" + urlencode(pairs) if pairs else ""

    def replace(self, **changes: Any) -> Filters:
        """A copy with some filters changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Filters(**values)

    @property
    def is_empty(self) -> bool:
        """True when no filter is set."""
        return self == Filters()

    def describe(self) -> list[tuple[str, str]]:
        """The filters set, in words, in the filter bar's order: (label, values) pairs (printouts, exports)."""
        from_type = {value: key for key, value in MEMBER_TYPE_PARAMS.items()}
        named = [
            ("Member", ", ".join(self.member)),
            ("Region", ", ".join(self.region)),
            ("National / local", ", ".join(from_type.get(t, t) for t in self.member_type)),
            ("Action-plan cycle", ", ".join(str(c) for c in self.cycle)),
            ("Policy area", ", ".join(POLICY_AREA_BY_SLUG[a].name for a in self.policy_area)),
            ("Completion", ", ".join(self.completion)),
            ("Starred", "" if self.starred is None else ("yes" if self.starred else "no")),
            ("Delay status", ", ".join(self.delay_status)),
            ("As of", self.as_of.isoformat() if self.as_of else ""),
        ]
        return [(label, values) for label, values in named if values]


def removable_values(filters: Filters) -> list[tuple[str, str, Filters]]:
    """Each value set, as (label, value in words, the filters without that value), in the filter bar's order:
    the removable chips of narrow screens. Page view choices (sort, page, search) are kept."""
    from_type = {value: key for key, value in MEMBER_TYPE_PARAMS.items()}
    words: dict[str, Callable[[Any], str]] = {
        "member_type": lambda v: str(from_type.get(v, v)),
        "policy_area": lambda v: POLICY_AREA_BY_SLUG[v].name if v in POLICY_AREA_BY_SLUG else str(v),
    }
    chips: list[tuple[str, str, Filters]] = []
    for name, label in CHIP_LABELS.items():
        values = getattr(filters, name)
        for value in values:
            text = words.get(name, str)(value)
            chips.append((label, text, filters.replace(**{name: tuple(v for v in values if v != value)})))
    if filters.starred is not None:
        chips.append(("Starred", "yes" if filters.starred else "no", filters.replace(starred=None)))
    if filters.as_of is not None:
        chips.append(("As of", filters.as_of.isoformat(), filters.replace(as_of=None)))
    return chips


CHIP_LABELS = {
    "member": "Member",
    "region": "Region",
    "member_type": "National / local",
    "cycle": "Cycle",
    "policy_area": "Policy area",
    "completion": "Completion",
    "delay_status": "Delay status",
}


def parse_filters(search: str | None, *, known_members: set[str] | None = None) -> tuple[Filters, list[str]]:
    """Filters from a query string, plus a message for every value that was ignored."""
    if not search:
        return Filters(), []
    if len(search) > MAX_QUERY_LENGTH:
        return Filters(), ["The link's filter part is too long and was ignored."]
    params = parse_qs(search.lstrip("?"), keep_blank_values=False)
    errors: list[str] = []
    values: dict[str, Any] = {}

    def many(name: str) -> list[str]:
        items = list(dict.fromkeys(v.strip() for raw in params.get(name, []) for v in raw.split(",") if v.strip()))
        if len(items) > MAX_VALUES:
            errors.append(f"Too many values for '{name}'; only the first {MAX_VALUES} were used.")
            items = items[:MAX_VALUES]
        return items

    members = []
    for code in many("member"):
        code_upper = code.upper()
        if not MEMBER_CODE.match(code_upper):
            errors.append(f"'{shown(code)}' is not a member code (expected letters such as ALB or ARBA).")
        elif known_members is not None and code_upper not in known_members:
            errors.append(f"Unknown member '{code_upper}'.")
        else:
            members.append(code_upper)
    values["member"] = tuple(members)
    values["region"] = _choose(many("region"), REGIONS, "region", errors)
    types = []
    for value in many("member_type"):
        if value.lower() in MEMBER_TYPE_PARAMS:
            types.append(MEMBER_TYPE_PARAMS[value.lower()])
        else:
            errors.append(f"Unknown member type '{shown(value)}' (use national, local or other).")
    values["member_type"] = tuple(types)
    cycles = []
    for value in many("cycle"):
        if value.isdigit() and 2011 <= int(value) <= 2100:
            cycles.append(int(value))
        else:
            errors.append(f"'{shown(value)}' is not an action-plan cycle (a submission year from 2011).")
    values["cycle"] = tuple(cycles)
    areas = []
    for slug in many("policy_area"):
        if slug in POLICY_AREA_BY_SLUG:
            areas.append(slug)
        else:
            errors.append(f"Unknown policy area '{shown(slug)}'.")
    values["policy_area"] = tuple(areas)
    values["completion"] = _choose(many("completion"), COMPLETION.values, "completion level", errors)
    values["delay_status"] = _choose(many("delay_status"), DELAY_STATUSES, "delay status", errors)
    starred = many("starred")
    if starred:
        flag = starred[0].lower()
        if flag in {"yes", "true", "1"}:
            values["starred"] = True
        elif flag in {"no", "false", "0"}:
            values["starred"] = False
        else:
            errors.append(f"'starred' must be yes or no, not '{shown(starred[0])}'.")
    as_of = many("as_of")
    if as_of:
        try:
            values["as_of"] = dt.date.fromisoformat(as_of[0])
        except ValueError:
            errors.append(f"'{shown(as_of[0])}' is not a date (use YYYY-MM-DD).")
    values["view"] = tuple((name, params[name][0][:MAX_VIEW_VALUE]) for name in VIEW_PARAMS if params.get(name))
    unknown = sorted(set(params) - {f.name for f in fields(Filters)} - set(VIEW_PARAMS))
    errors.extend(f"Unknown filter '{shown(name)}' was ignored." for name in unknown)
    return Filters(**values), errors


def _choose(items: list[str], allowed: tuple[str, ...], what: str, errors: list[str]) -> tuple[str, ...]:
    lookup = {a.lower(): a for a in allowed}
    chosen = []
    for item in items:
        if item.lower() in lookup:
            chosen.append(lookup[item.lower()])
        else:
            errors.append(f"Unknown {what} '{shown(item)}' (expected one of: {', '.join(allowed)}).")
    return tuple(chosen)


def shown(value: str) -> str:
    """A user-supplied value, shortened for a message (it is shown as text, never as HTML)."""
    return value if len(value) <= 40 else value[:37] + "..."
