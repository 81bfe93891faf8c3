"""What a password must be: long, not the username, not one of the passwords every attacker tries first."""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_DISTINCT = 5  # "aaaaaaaaaaaa" or "abababababab" is long but not a password


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of leaked lists, as bundled with zxcvbn (lower case)."""
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why this password may not be used, in words, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"A password needs at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"A password may have at most {MAX_LENGTH} characters."
    lowered = password.lower()
    name = (username or "").lower()
    if name and (lowered == name or (len(name) >= 4 and name in lowered)):
        return "A password may not contain the username."
    if len(set(lowered)) < MIN_DISTINCT:
        return f"A password needs at least {MIN_DISTINCT} different characters."
    if lowered in common_passwords() or lowered.strip("0123456789!.") in common_passwords():
        return "This password is on the list of common passwords that attackers try first; choose another."
    return None
