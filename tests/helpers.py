"""Helpers shared by the tests: looking into rendered Dash component trees, a free port, a lock held by another
client."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text


def find(component: Any, predicate: Callable[[Any], bool]) -> list[Any]:
    """Every component in a tree (children, card footers, dicts and lists of them) for which predicate is true."""
    found: list[Any] = []
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
            continue
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if node is None or isinstance(node, str | int | float):
            continue
        if predicate(node):
            found.append(node)
        stack.append(getattr(node, "children", None))
        stack.append(getattr(node, "footer", None))
    return found


def by_id(component: Any, component_id: Any) -> Any:
    """The one component with this id in a tree (fails when there is none or more than one)."""
    matches = find(component, lambda n: getattr(n, "id", None) == component_id)
    assert len(matches) == 1, component_id
    return matches[0]


def first_by_id(component: Any, component_id: Any) -> Any:
    """The first component with this id in a tree, depth first through children, or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = first_by_id(child, component_id)
            if found is not None:
                return found
    return None


def text_of(component: Any) -> str:
    """All text inside a Dash component tree (or a list or dict of them), joined by spaces."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, dict):
        return " ".join(text_of(c) for c in component.values())
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


# The key test apps sign sessions with: long enough for dashboard.settings.require_secret_key, never used outside tests.
TEST_SECRET = "test-only-secret-key-not-for-production"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server the test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def lock_held(url: str, *, sqlite: str, postgresql: str) -> Iterator[None]:
    """Another client holding a lock on the database while the block runs (as an import or a migration does):
    its own connection, outside the app's pool, runs `sqlite` or `postgresql` and keeps its transaction open."""
    if url.startswith("sqlite"):
        blocker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute(sqlite)
    else:
        blocker = create_engine(url).connect()
        blocker.execute(text(postgresql))
    try:
        yield
    finally:
        blocker.close()
