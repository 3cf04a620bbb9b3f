"""Parts of pages that are the same for every reader (the dashboard's figures, the Gantt
chart, the milestone list), rendered once per plan version, day and filters and then reused.

Rendering them is most of a board page's time on a large programme, and on a Monday morning
the whole board opens the same dashboard. The key holds the plan version from the database
(renewed by every change, tracker/audit.py), so a change made through any worker is in the
very next page every worker serves. A fragment must never hold anything that depends on who
is reading: no edit links by role, no CSRF token, no script nonce.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from flask import current_app, request
from markupsafe import Markup

from tracker import clock
from tracker.models import Programme
from tracker.services.board import plan_version

Key = tuple[Hashable, ...]


class FragmentCache:
    """Least recently used fragments within a budget of characters, shared by the threads of
    a process: a cachetools LRUCache sized by `len`, behind a lock (it is not thread-safe by
    itself)."""

    def __init__(self) -> None:
        self._items: LRUCache[Key, Markup] = LRUCache(maxsize=0, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: Key) -> Markup | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Key, html: Markup, budget: int) -> None:
        if len(html) > budget:
            return  # bigger than the whole budget: not worth evicting everything else for
        with self._lock:
            if self._items.maxsize != budget:
                # A new budget (the configuration changed): start afresh within it.
                self._items = LRUCache(maxsize=budget, getsizeof=len)
            self._items[key] = html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


fragments = FragmentCache()


def filters() -> tuple[tuple[str, str], ...]:
    """The request's query string as part of a key: the same filters in any order."""
    return tuple(sorted(request.args.items(multi=True)))


def cached(programme: Programme, name: str, render: Callable[[], str], *parts: Hashable) -> Markup:
    """`render()` as markup, from the cache when this programme's plan has not changed today."""
    budget = int(current_app.config["PAGE_CACHE_CHARS"])
    if budget <= 0:
        return Markup(render())  # noqa: S704 (our own template's output)
    key = (name, programme.id, plan_version(programme), clock.today(), *parts)
    html = fragments.get(key)
    if html is None:
        html = Markup(render())  # noqa: S704 (our own template's output)
        fragments.put(key, html, budget)
    return html
