"""Search words: one definition of how a query and a commitment's text become words, so that "Educación",
"educacion" and "EDUCACIÓN" match, in English, Spanish and French alike, on SQLite and PostgreSQL.

Both the index (data_access.search) and the query go through `words`: text is folded (accents removed,
case folded) and split into runs of letters and digits. The database engines then only match whole words
and prefixes of them; they never tokenise anything themselves, so both backends find the same commitments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

MAX_QUERY_LENGTH = 100  # characters of the `q` parameter (the URL keeps at most 200)
MAX_TERMS = 8
WORD = re.compile(r"[^\W_]+")  # letters and digits; '_' and punctuation separate words
SNIPPET_WIDTH = 180  # characters around the first match


# The combining marks that compatibility decomposition (NFKD) splits off letters: Unicode's combining
# diacritical mark blocks (accents, cedillas, tildes, diaereses of Latin, Greek and Cyrillic letters).
COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Text without accents, case-folded: 'Educación Pública' -> 'educacion publica'."""
    return COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


def words(text: str | None) -> list[str]:
    """The searchable words of a text, folded, in order."""
    return WORD.findall(fold(text)) if text else []


def document(parts: Iterable[str | None]) -> str:
    """Folded words of several texts, space-separated: what the search index stores for one field."""
    return " ".join(word for part in parts for word in words(part))


def parse_query(raw: str | None) -> tuple[tuple[str, ...], str | None]:
    """The query's terms (folded, distinct, at most MAX_TERMS) and a message when part of it was ignored.

    Every term must match the start of a word of the commitment (all terms must match: AND).
    """
    if raw is None or not raw.strip():
        return (), None
    problem = None
    if len(raw) > MAX_QUERY_LENGTH:
        raw = raw[:MAX_QUERY_LENGTH]
        problem = f"The search was cut to its first {MAX_QUERY_LENGTH} characters."
    terms = tuple(dict.fromkeys(words(raw)))
    if not terms:
        return (), "The search has no letters or digits to look for, so it was ignored."
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        problem = f"Only the first {MAX_TERMS} words of the search were used."
    return terms, problem


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for run in ASCII_RUNS.finditer(text):
        start, end = run.span()
        if run.group().isascii():  # ASCII folds one for one: lower case
            folded.append(run.group().lower())
            origin.extend(range(start, end))
            continue
        for index in range(start, end):
            piece = fold(text[index])
            folded.append(piece)
            origin.extend([index] * len(piece))
    return "".join(folded), origin


ASCII_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def _pattern(terms: Sequence[str]) -> re.Pattern[str]:
    """Any of the terms at the start of a word of folded text (longest first)."""
    return re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + ")")


def match_spans(text: str | None, terms: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) spans of `text` where a word starts with one of the terms (the part that matched)."""
    if not text or not terms:
        return []
    folded, origin = _folded_with_positions(text)
    pattern = _pattern(terms)
    spans: list[tuple[int, int]] = []
    for found in pattern.finditer(folded):
        start, end = origin[found.start()], origin[found.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _first_spans(text: str, terms: Sequence[str], width: int) -> list[tuple[int, int]]:
    """match_spans of a long text near its first match only: the whole text is folded at C speed to find it,
    then characters are mapped one by one in a window around it (folding keeps nearly every character one for
    one, so the folded position is close to the original's); the whole text only if the window misses."""
    folded = fold(text)
    found = _pattern(terms).search(folded)
    if found is None:
        return []
    centre = found.start() * len(text) // max(len(folded), 1)
    low, high = max(0, centre - 2 * width), min(len(text), centre + 2 * width)
    if low > 0:  # start the window on a word's start, never inside a word
        low = text.find(" ", low) + 1
    near = [(start + low, end + low) for start, end in match_spans(text[low:high], terms)]
    return near or match_spans(text, terms)


def highlight(text: str | None, terms: Sequence[str]) -> list[tuple[str, bool]]:
    """The text cut into (piece, matched) pieces, in order; one unmatched piece when nothing matches."""
    if not text:
        return []
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in match_spans(text, terms):
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces


def snippet(text: str | None, terms: Sequence[str], width: int = SNIPPET_WIDTH) -> list[tuple[str, bool]]:
    """About `width` characters of text around its first match, highlighted, with '…' where it was cut;
    [] when the terms do not occur in it."""
    if not text:
        return []
    text = " ".join(text.split())
    spans = _first_spans(text, terms, width)
    if not spans:
        return []
    first = spans[0][0]
    start = max(0, first - width // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", max(spans[0][1], start), end)
        end = space if space > spans[0][1] else end
    pieces = highlight(text[start:end], terms)
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces


def found_in(fields: Sequence[tuple[str, str | None]], terms: Sequence[str]) -> tuple[str, list[tuple[str, bool]]]:
    """Where the terms first occur among (label, text) fields, in order: the field's label and a highlighted
    snippet; ("", []) when none of the fields holds them (the match was in a field not given)."""
    for label, text in fields:
        pieces = snippet(text, terms)
        if pieces:
            return label, pieces
    return "", []
