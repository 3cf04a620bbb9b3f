"""A check of an upload kept between the import's steps, as text (JSON), so the preview and
the confirm need not read and check the file again while the plan is as it was.

`stamp` stands for everything a check reads besides the file (services/plan_sheets.py
plan_stamp: the plan's version and today): the same stamp, the same check. Only a check with
no problems is kept. Reading it back is strict: anything but the records the import makes
gives None, and the caller checks the file again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Any

from tracker.domain.notation import PredecessorLink
from tracker.domain.plan_sheets.checks import Change, CheckedImport, Item
from tracker.domain.plan_sheets.records import (
    DependencyRecord,
    MilestoneRecord,
    StatusUpdateRecord,
)
from tracker.domain.plan_sheets.rows import Problem


@dataclass(frozen=True)
class KeptCheck:
    checked: CheckedImport
    stamp: str  # what the plan was when the file was checked (plan_stamp)


_KINDS: dict[str, type] = {
    kind.__name__: kind
    for kind in (
        KeptCheck,
        CheckedImport,
        Item,
        Change,
        Problem,
        MilestoneRecord,
        DependencyRecord,
        StatusUpdateRecord,
        PredecessorLink,
    )
}


def _plain(value: Any) -> Any:
    """A record as JSON holds it (json.dumps calls this for what it cannot write itself)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {"_kind": type(value).__name__} | {
            f.name: getattr(value, f.name) for f in fields(value)
        }
    if isinstance(value, date):
        return {"_date": value.isoformat()}
    raise TypeError(f"a check holds no {type(value).__name__}")


def _built(found: dict[str, Any]) -> Any:
    """A record back from JSON (json.loads calls this for each object, innermost first)."""
    if "_date" in found:
        return date.fromisoformat(found["_date"])
    kind = _KINDS[found.pop("_kind")]
    # Every sequence in a check is a tuple.
    return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in found.items()})


def kept_text(kept: KeptCheck) -> str:
    return json.dumps(
        {"_kind": "KeptCheck", "checked": kept.checked, "stamp": kept.stamp}, default=_plain
    )


def kept_from_text(text: str) -> KeptCheck | None:
    """The check kept as `text`, or None if it is not one (then the file is checked again)."""
    try:
        found = json.loads(text, object_hook=_built)
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(found, KeptCheck) or not isinstance(found.stamp, str):
        return None
    return found if isinstance(found.checked, CheckedImport) and found.checked.ok else None
