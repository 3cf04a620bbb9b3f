"""The cyclic garbage collector paused while a schedule is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; on leaving it, however it is left
    (an exception too), the collector runs again if it was running before.

    Why pause, rather than gc.freeze(): building a forecast of thousands of milestones makes
    ~100k small objects and no reference cycles, and each collection it triggers part-way
    walks the whole heap (the cached schedules, the app) to free nothing: hundreds of
    milliseconds at 5,000 milestones. gc.freeze() would move the objects of the request
    running at that moment out of the collector's sight for good, its cyclic garbage too.
    Nested use is fine: only the outermost block turns the collector back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
