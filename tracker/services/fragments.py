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
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, request
from markupsafe import Markup

from tracker import clock
from tracker.models import Programme
from tracker.services.board import plan_version

Key = tuple[Hashable, ...]


class FragmentCache:
    """Least recently used fragments within a budget of characters, shared by the threads of
    a process."""

    def __init__(self) -> None:
        self._items: OrderedDict[Key, Markup] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Markup | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Key, html: Markup, budget: int) -> None:
        if len(html) > budget:
            return  # bigger than the whole budget: not worth evicting everything else for
        with self._lock:
            old = self._items.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._items[key] = html
            self._size += len(html)
            while self._size > budget:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

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
