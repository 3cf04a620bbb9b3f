"""Pages of a long list (the milestone list): which page was asked for, what is on it, and the
numbered links NHS.UK's pagination component shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from werkzeug.exceptions import NotFound

T = TypeVar("T")

# Pages are numbered from 1; an address can ask for any whole number, so cap what it may ask.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.items) - 1 if self.items else 0

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def numbers(self) -> list[int | None]:
        """The page numbers to link to: the first, the last, and those either side of this one,
        with None where numbers are left out (shown as an ellipsis)."""
        wanted = {1, self.pages, self.number - 1, self.number, self.number + 1}
        shown = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in shown:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def page_number(raw: str | None) -> int:
    """The page an address asks for: 1 when it names none; 404 with the reason when it is not a
    whole number from 1."""
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or int(raw) > MAX_PAGE:
        raise NotFound(f"Page numbers are whole numbers from 1: {raw[:20]!r} is not one.")
    return int(raw)


def page_of(items: Sequence[T], number: int, size: int, what: str = "items") -> Page[T]:
    """Page `number` of `items`; 404 naming the last page when the list is shorter than that.
    An empty list has one page, with nothing on it."""
    page: Page[T] = Page(
        items=items[(number - 1) * size : number * size], number=number, size=size, total=len(items)
    )
    if number > page.pages:
        raise NotFound(
            f"There is no page {number} of these {what}: there "
            + ("is 1 page." if page.pages == 1 else f"are {page.pages} pages.")
            + " Go back to the list and choose a page from it."
        )
    return page
