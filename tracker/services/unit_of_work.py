"""One unit of work per change: the only place in the app that commits or rolls back.

Every change (a page's POST, an API write, a CLI command, an import's confirm) calls one
service function decorated with `@unit_of_work`. The function checks the permission
(`allow(...)` over tracker/domain/permissions.py), the version the person saw
(optimistic_locking.check_current) and the domain rules, and changes the session. The
decorator commits once when it returns, rolls back when anything goes wrong, and turns every
reason a change is refused into one error, ChangeRefused, which pages put on their form
(tracker/form_errors.py) and the API turns into its error shape (tracker/api/errors.py).

A unit of work called inside another joins it: only the outermost commits.

Inside `rehearsal()` a unit of work runs every check and change, then rolls back instead of
committing: a page whose form has a field it could not read (a date like "31/02") still
shows every other problem at once, and nothing is saved (tracker/form_errors.attempt).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from blinker import Namespace
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.domain.permissions import NotAllowed
from tracker.domain.validation import FieldError, ValidationError
from tracker.extensions import db
from tracker.services import optimistic_locking
from tracker.services.optimistic_locking import EditConflict

P = ParamSpec("P")
R = TypeVar("R")

# Said when two people save the same new thing at the same moment and the service named no
# better message (with on_duplicate).
SAVED_MEANWHILE = "Someone else saved the same thing at the same moment. Save again."


class Refusal(enum.StrEnum):
    NOT_ALLOWED = "not_allowed"  # the person's role does not allow it: 403
    CONFLICT = "conflict"  # someone else changed it since they looked: 409
    INVALID = "invalid"  # the input breaks a rule; `errors` name the fields: 422


class ChangeRefused(Exception):
    """A change was refused and nothing was saved."""

    def __init__(
        self,
        refusal: Refusal,
        message: str,
        *,
        errors: list[FieldError] | None = None,
        conflict: EditConflict | None = None,
    ) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.message = message
        self.errors = errors or []
        self.conflict = conflict


@dataclass
class _Work:
    # Versioned records the change was checked against, so a race lost at commit time
    # (StaleDataError) can be reported like any other conflict.
    watched: list[tuple[type, int, str | None]] = field(default_factory=list)
    duplicate: FieldError | None = None


_work: ContextVar[_Work | None] = ContextVar("unit_of_work", default=None)
_rehearsing: ContextVar[bool] = ContextVar("rehearsing", default=False)


@contextmanager
def rehearsal() -> Iterator[None]:
    """Changes inside are checked and made, then rolled back: nothing is saved or sent."""
    token = _rehearsing.set(True)
    try:
        yield
    finally:
        _rehearsing.reset(token)


def rehearsing() -> bool:
    """True inside rehearsal(): a service sends no email (the change will not be kept)."""
    return _rehearsing.get()


# Sent after each outermost unit of work commits, with the service function's name: for
# logging or metrics, and for the test that every page's POST makes exactly one change.
change_saved = Namespace().signal("change-saved")


def allow(allowed: bool, reason: str = "Your role does not allow that change.") -> None:
    """Refuse the change unless the permission rule allowed it."""
    if not allowed:
        raise NotAllowed(reason)


def on_duplicate(error: FieldError) -> None:
    """The message for a unique constraint broken at commit (the same reference taken by
    someone else just now)."""
    work = _work.get()
    if work is not None:
        work.duplicate = error


def unit_of_work(change: Callable[P, R]) -> Callable[P, R]:
    """Commit once when `change` returns; roll back and raise ChangeRefused when it is
    refused; roll back and re-raise anything else."""

    @functools.wraps(change)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if _work.get() is not None:
            return change(*args, **kwargs)
        token = _work.set(work := _Work())
        try:
            with optimistic_locking.watching() as work.watched:
                result = change(*args, **kwargs)
                if _rehearsing.get():
                    db.session.rollback()
                    return result
                db.session.commit()
        except BaseException as exc:
            db.session.rollback()
            refused = _refusal(exc, work)
            if refused is None:
                raise
            raise refused from exc
        finally:
            _work.reset(token)
        change_saved.send(f"{change.__module__}.{change.__qualname__}")
        return result

    return run


def _refusal(exc: BaseException, work: _Work) -> ChangeRefused | None:
    if isinstance(exc, ChangeRefused):
        return exc
    if isinstance(exc, NotAllowed):
        return ChangeRefused(Refusal.NOT_ALLOWED, str(exc))
    if isinstance(exc, EditConflict):
        return ChangeRefused(Refusal.CONFLICT, str(exc), conflict=exc)
    if isinstance(exc, StaleDataError):
        conflict = optimistic_locking.lost_race(work.watched)
        return ChangeRefused(
            Refusal.CONFLICT, "Someone else changed this just now", conflict=conflict
        )
    if isinstance(exc, ValidationError):
        return ChangeRefused(Refusal.INVALID, str(exc), errors=exc.errors)
    if isinstance(exc, IntegrityError):
        error = work.duplicate or FieldError("", SAVED_MEANWHILE)
        return ChangeRefused(Refusal.INVALID, error.message, errors=[error])
    return None
