"""Predecessor notation as planners write it in Excel and MS Project: "GOV-03FS+5".

A plain reference means finish-to-start with no lag; the lag is in working days and may be
negative (a lead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.domain.terms import DependencyType

_NOTATION = re.compile(
    r"^\s*(?P<ref>[A-Z][A-Z0-9]{1,9}-[0-9]{1,4})\s*(?P<type>FS|SS|FF|SF)?\s*(?P<lag>[+-]\s*\d+)?\s*$"
)


@dataclass(frozen=True)
class PredecessorLink:
    ref: str
    type: str = DependencyType.FS.value
    lag_days: int = 0

    def __str__(self) -> str:
        return format_predecessor(self.ref, self.type, self.lag_days)


def parse_predecessor(text: str) -> PredecessorLink:
    """Parse "GOV-03", "GOV-03SS", "GOV-03FS+5" or "GOV-03 FF-2"; ValueError if it is not one."""
    match = _NOTATION.match(text.upper())
    if not match:
        raise ValueError(f"'{text}' is not a predecessor like GOV-03, GOV-03SS or GOV-03FS+5")
    lag = match["lag"]
    return PredecessorLink(
        ref=match["ref"],
        type=match["type"] or DependencyType.FS.value,
        lag_days=int(lag.replace(" ", "")) if lag else 0,
    )


def format_predecessor(ref: str, type: str, lag_days: int) -> str:
    if type == DependencyType.FS and lag_days == 0:
        return ref
    return f"{ref}{type}{lag_days:+d}" if lag_days else f"{ref}{type}"
