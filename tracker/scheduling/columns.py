"""Many instances of a slotted dataclass at once, one column of values per field."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import fields
from itertools import repeat
from typing import Any

_new = object.__new__


def from_columns(cls: type, columns: Sequence[Sequence[Any]]) -> list[Any]:
    """Instances of the frozen, slotted dataclass ``cls`` from one column per field.

    The generated __init__ makes one object.__setattr__ call per field per instance; filling
    each slot column-wise through its descriptor gives identical instances in C loops.
    """
    names = [f.name for f in fields(cls)]
    count = len(columns[0]) if columns else 0
    objs: list[Any] = list(map(_new, repeat(cls, count)))
    for name, column in zip(names, columns, strict=True):
        deque(map(getattr(cls, name).__set__, objs, column), maxlen=0)
    return objs
