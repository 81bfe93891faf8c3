"""Text a spreadsheet would run as a formula, and the leading quote that stops it (CSV and XLSX exports).

A cell is a formula when it starts with = + - @ (or a tab or carriage return). A formula can also start
inside a cell: Excel in locales whose list separator is ';' splits an unquoted `x;=cmd|' /C calc'!A0` into
`x` and a formula, and pasting a cell's text splits it at tabs and line breaks. So a text is neutralised
(one ' put in front) when = + - @ follows its start or one of ; , | tab CR LF. A plain number (-5, +3.2,
-1e3) is never a formula and is left alone, as is a '-' inside a word (e-government).

The quote alone does not stop a CSV reader from splitting an unquoted cell at ';': a CSV writer must also put
the cell in double quotes (data_access.ogp_sheet.export quotes every cell).

neutralise and restore are inverses: restore(neutralise(text)) == text for every text, so a sheet exported
with quotes imports back to the same values.
"""

from __future__ import annotations

import re

QUOTE = "'"
TRIGGERS = ("=", "+", "-", "@")
# Characters after which a spreadsheet (or a paste) may start a new cell.
SEPARATORS = ";,|\t\r\n"
_SEGMENTS = re.compile(f"[{re.escape(SEPARATORS)}]")
_AFTER_SEPARATOR = re.compile(r"[;,|\t\r\n][=+\-@]")
# Over a row's texts, each after a NUL, quotes allowed (needs_quote): no match, no text of the row needs one.
_ROW_CANDIDATE = re.compile(r"[\x00;,|\t\r\n]'*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could run part of text as a formula (see the module docstring)."""
    if text.startswith(("\t", "\r")):
        return True
    if not text.startswith(TRIGGERS) and _AFTER_SEPARATOR.search(text) is None:
        return False  # most texts: one search
    return any(
        segment.startswith(TRIGGERS) and not _NUMBER.fullmatch(segment.strip()) for segment in _SEGMENTS.split(text)
    )


def needs_quote(text: str) -> bool:
    """True when the export puts a quote in front of text: formula-like, or already quoted formula-like text.

    The second case keeps neutralise reversible: a text that really starts with a quote before a formula
    gets a second quote, so restore removes exactly one.
    """
    return is_formula_like(text) or (text.startswith(QUOTE) and is_formula_like(text.lstrip(QUOTE)))


def neutralise(text: str) -> str:
    """text with a leading quote when a spreadsheet could run it as a formula; otherwise text unchanged."""
    return QUOTE + text if needs_quote(text) else text


def may_need_quotes(texts: list[str]) -> bool:
    """False when no text of a row of cells needs a quote, found with one search (most rows); True: check each."""
    return _ROW_CANDIDATE.search("\x00" + "\x00".join(texts)) is not None


def neutralise_all(texts: list[str]) -> list[str]:
    """neutralise of every text of a row of cells (the row itself when none needs a quote)."""
    return [neutralise(text) for text in texts] if may_need_quotes(texts) else texts


def restore(text: str) -> str:
    """The inverse of neutralise: the text without the quote neutralise put in front of it."""
    return text[1:] if text.startswith(QUOTE) and needs_quote(text[1:]) else text
