"""Critical path method (CPM) on an activity-on-node network.

Pure Python, no framework imports. The rules are in docs/scheduling.md: time is 0-based
and continuous, ``ef = es + duration``, link bounds FS ``es_j >= ef_i + L``, SS
``es_j >= es_i + L``, FF ``ef_j >= ef_i + L``, SF ``ef_j >= es_i + L``.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from itertools import accumulate, compress, repeat
from operator import add, and_, attrgetter, eq, ge, itemgetter, mul, not_, rshift, sub
from typing import Any, cast

from .collector import collector_paused
from .columns import from_columns
from .network import (
    LINK_TYPES,
    Activity,
    CycleError,
    Driver,
    Link,
    Schedule,
    ScheduledActivity,
    ScheduleError,
)

__all__ = [
    "LINK_TYPES",
    "Activity",
    "CycleError",
    "Driver",
    "Link",
    "Schedule",
    "ScheduleError",
    "ScheduledActivity",
    "schedule",
]

_TYPE_CODES = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}


def _is_int(value: object) -> bool:
    # Exact type test: rejects bool (True days is a mistake) and floats like 2.0.
    return type(value) is int


def _bad_int(act_id: str, name: str, value: object) -> ScheduleError:
    return ScheduleError(
        f"activity {act_id!r}: {name} must be a whole number of days, got {value!r}"
    )


_PROJECT_START = Driver("project_start")
_ACTUAL = Driver("actual")
_EARLIEST_START = Driver("earliest_start")
_EARLIEST_FINISH = Driver("earliest_finish")
_NO_DRIVERS: tuple[Driver, ...] = ()
_LIMIT = 1 << 40  # day numbers beyond this are nonsense, and would overflow the int arrays


def schedule(
    activities: Iterable[Activity], links: Iterable[Link], deadline: int | None = None
) -> Schedule:
    """Forward and backward pass over the network; see docs/scheduling.md for the rules.

    Raises ScheduleError (CycleError for a cycle) with a one-line message naming the problem.
    """
    # The run allocates ~100k small objects and no reference cycles; letting the cyclic
    # collector walk the heap part-way through costs as much as a whole pass.
    with collector_paused():
        return _schedule(list(activities), list(links), deadline)


# Performance notes: large networks are bound by memory access more than by bytecodes, as
# the passes read per-activity values at random indices. So links live in flat int arrays
# grouped by predecessor (CSR) instead of one object each, per-activity values live in
# array('q') (stored inline, not as pointers to int objects), and the results are built in
# bulk with C-level map/zip.


def _schedule(acts: list[Activity], link_list: list[Link], deadline: int | None) -> Schedule:
    if deadline is not None and (not _is_int(deadline) or abs(deadline) >= _LIMIT):
        raise ScheduleError(f"deadline must be a whole number of days, got {deadline!r}")

    n = len(acts)
    index: dict[str, int] = {}
    dur_list = [0] * n
    lower = [0] * n  # start-no-earlier-than from the activity's own constraints
    fixed_idx: list[int] = []  # started or done: dates no longer depend on predecessors
    done_idx: list[int] = []
    constrained: list[int] = []  # has earliest_start / earliest_finish
    for k, act in enumerate(acts):
        aid = act.id
        if type(aid) is not str:
            raise ScheduleError(f"activity id must be a string, got {aid!r}")
        if aid in index:
            raise ScheduleError(f"duplicate activity id {aid!r}")
        index[aid] = k
        d = act.duration
        if type(d) is not int or d < 0 or d >= _LIMIT:
            raise ScheduleError(
                f"activity {aid!r}: duration must be a whole number of days >= 0, got {d!r}"
            )
        dur_list[k] = d
        if act.earliest_start is not None or act.earliest_finish is not None:
            lower[k] = _lower_bound(aid, d, act.earliest_start, act.earliest_finish)
            constrained.append(k)
        if act.actual_start is not None or act.actual_finish is not None:
            _check_actuals(aid, act.actual_start, act.actual_finish)
            fixed_idx.append(k)
            if act.actual_finish is not None:
                done_idx.append(k)
    fixed = bytearray(n)
    for k in fixed_idx:
        fixed[k] = 1

    start, succ, meta, indeg = _links_by_predecessor(link_list, index, n)
    dur = array("q", dur_list)
    es_lb = array("q", lower)  # raised as predecessors are processed
    es = array("q", bytes(8 * n))
    ef = array("q", bytes(8 * n))

    # Kahn's order fused with the forward pass: when a node is popped all its predecessors
    # are final, so its early dates are final too and it can push bounds to its successors.
    order: list[int] = []
    push = order.append
    stack = [k for k in range(n - 1, -1, -1) if not indeg[k]]
    pop = stack.pop
    append = stack.append
    while stack:
        i = pop()
        push(i)
        if fixed[i]:
            a, b = _actual_dates(acts[i])
        else:
            a = es_lb[i]
            b = a + dur[i]
        es[i] = a
        ef[i] = b
        for e in range(start[i], start[i + 1]):
            s = succ[e]
            mt = meta[e]  # lag * 4 + type code
            c = mt & 3
            if c == 0:  # FS: es_s >= ef_i + lag
                v = b + (mt >> 2)
            elif c == 1:  # SS: es_s >= es_i + lag
                v = a + (mt >> 2)
            elif c == 2:  # FF: ef_s >= ef_i + lag
                v = b + (mt >> 2) - dur[s]
            else:  # SF: ef_s >= es_i + lag
                v = a + (mt >> 2) - dur[s]
            if v > es_lb[s]:
                es_lb[s] = v
            v = indeg[s] - 1
            indeg[s] = v
            if not v:
                append(s)

    if len(order) < n:
        raise CycleError(_find_cycle(acts, start, succ, indeg))

    proj = max(ef) if n else 0
    horizon = proj if deadline is None else deadline

    # Backward pass, free float and binding links in one sweep in reverse topological order.
    # A link binds (is one of its successor's drivers) exactly when its slack on early dates
    # is zero.
    ls = array("q", bytes(8 * n))
    lf = array("q", bytes(8 * n))
    free = array("q", bytes(8 * n))
    bind_p: list[int] = []  # binding links: predecessor ...
    bind_e: list[int] = []  # ... and CSR position
    for i in reversed(order):
        a = es[i]
        b = ef[i]
        di = dur[i]
        late = horizon
        ff = proj - b
        for e in range(start[i], start[i + 1]):
            s = succ[e]
            if fixed[s]:
                continue  # a started or done successor no longer waits for anything
            mt = meta[e]
            c = mt & 3
            lag = mt >> 2
            if c == 0:  # FS
                slack = es[s] - b - lag
                bound = ls[s] - lag
            elif c == 1:  # SS
                slack = es[s] - a - lag
                bound = ls[s] - lag + di
            elif c == 2:  # FF
                slack = ef[s] - b - lag
                bound = lf[s] - lag
            else:  # SF
                slack = ef[s] - a - lag
                bound = lf[s] - lag + di
            if slack < ff:
                ff = slack
            if not slack:
                bind_p.append(i)
                bind_e.append(e)
            if bound < late:
                late = bound
        lf[i] = late
        ls[i] = late - di
        free[i] = ff
    for k in done_idx:  # done: fixed in time, no float
        ls[k] = es[k]
        lf[k] = ef[k]
        free[k] = 0

    es_l = es.tolist()
    ls_l = ls.tolist()
    total = list(map(sub, ls_l, es_l))
    critical = list(map(ge, repeat(0), total))
    done = [False] * n
    for k in done_idx:
        done[k] = True
        critical[k] = False
    ids = list(index)
    binding = (bind_p, bind_e, succ, meta)
    drivers = _drivers(acts, ids, dur_list, es_l, binding, fixed_idx, constrained)
    columns: list[list[Any]] = [ids, es_l, ef.tolist(), ls_l, lf.tolist(), total, free.tolist()]
    columns += [critical, done, drivers]
    return Schedule(
        project_duration=proj,
        horizon=horizon,
        activities=dict(zip(ids, from_columns(ScheduledActivity, columns), strict=True)),
    )


def _actual_dates(act: Activity) -> tuple[int, int]:
    a = act.actual_start
    assert a is not None
    b = act.actual_finish
    return a, (a + act.duration if b is None else b)


def _lower_bound(aid: str, d: int, start: object, finish: object) -> int:
    lb = 0
    for name, value, shift in (("earliest_start", start, 0), ("earliest_finish", finish, d)):
        if value is not None:
            if type(value) is not int or abs(value) >= _LIMIT:
                raise _bad_int(aid, name, value)
            lb = max(lb, value - shift)
    return lb


def _check_actuals(aid: str, start: object, finish: object) -> None:
    if start is None:
        raise ScheduleError(f"activity {aid!r}: actual_finish given without actual_start")
    if type(start) is not int or abs(start) >= _LIMIT:
        raise _bad_int(aid, "actual_start", start)
    if finish is not None:
        if type(finish) is not int or abs(finish) >= _LIMIT:
            raise _bad_int(aid, "actual_finish", finish)
        if finish < start:
            raise ScheduleError(
                f"activity {aid!r}: actual_finish {finish} is before actual_start {start}"
            )


_get_pred = attrgetter("predecessor")
_get_succ = attrgetter("successor")
_get_type = attrgetter("type")
_get_lag = attrgetter("lag")


def _links_by_predecessor(
    link_list: list[Link], index: dict[str, int], n: int
) -> tuple[array[int], array[int], array[int], array[int]]:
    """Validate the links and group them by predecessor (compressed sparse rows).

    Returns ``start, succ, meta, indeg``: the links out of activity i are positions
    ``start[i] .. start[i+1]-1`` (in input order) of ``succ`` (successor index) and ``meta``
    (lag * 4 + type code); ``indeg[j]`` counts the links into j.
    """
    m = len(link_list)
    lags = list(map(_get_lag, link_list))
    try:
        preds = list(map(index.get, map(_get_pred, link_list)))
        succs = list(map(index.get, map(_get_succ, link_list)))
        codes = list(map(_TYPE_CODES.get, map(_get_type, link_list)))
        ok = (
            None not in preds
            and None not in succs
            and None not in codes
            and set(map(type, lags)) <= {int}
            and (not lags or min(lags) > -_LIMIT and max(lags) < _LIMIT)
            and not any(map(eq, preds, succs))
        )
    except TypeError:  # an unhashable id or type somewhere
        ok = False
    if not ok:
        for link in link_list:
            _check_link(link, index)
        raise AssertionError("unreachable: some link failed the bulk checks")
    preds_ok = cast(list[int], preds)  # checked: no None left
    meta = list(map(add, map(mul, lags, repeat(4)), cast(list[int], codes)))
    out_count = Counter(preds_ok)
    start = array("q", accumulate(map(out_count.get, range(n), repeat(0)), initial=0))
    in_count = Counter(succs)
    indeg = array("q", map(in_count.get, range(n), repeat(0)))
    # Counting sort by predecessor: linear, and stable so each group keeps input order.
    pos = array("q", start)
    succ = array("q", bytes(8 * m))
    meta_a = array("q", bytes(8 * m))
    for p, s, mt in zip(preds_ok, cast(list[int], succs), meta, strict=True):
        q = pos[p]
        pos[p] = q + 1
        succ[q] = s
        meta_a[q] = mt
    return start, succ, meta_a, indeg


def _check_link(link: Link, index: dict[str, int]) -> None:
    where = f"link {link.predecessor} -> {link.successor}"
    for name in (link.predecessor, link.successor):
        if not isinstance(name, str) or name not in index:
            raise ScheduleError(f"{where}: unknown activity {name!r}")
    if not isinstance(link.type, str) or link.type not in _TYPE_CODES:
        raise ScheduleError(
            f"{where}: unknown dependency type {link.type!r} (expected FS, SS, FF or SF)"
        )
    if not _is_int(link.lag) or abs(link.lag) >= _LIMIT:
        raise ScheduleError(f"{where}: lag must be a whole number of days, got {link.lag!r}")
    if link.predecessor == link.successor:
        raise ScheduleError(f"{where}: an activity cannot depend on itself")


def _drivers(
    acts: list[Activity],
    ids: list[str],
    dur: list[int],
    es: list[int],
    binding: tuple[list[int], list[int], array[int], array[int]],
    fixed_idx: list[int],
    constrained: list[int],
) -> list[tuple[Driver, ...]]:
    """Drivers per activity: binding links (ties ordered by the predecessor's position in
    the input, then link input order), then earliest_start, earliest_finish, project_start.

    Most activities have exactly one binding link, so those are built in bulk; the few that
    can have anything else are then redone one by one.
    """
    n = len(acts)
    bind_p, bind_e, succ, meta = binding
    metas = list(map(meta.__getitem__, bind_e))
    link_drivers: list[Driver] = from_columns(
        Driver,
        [
            list(repeat("link", len(metas))),
            list(map(ids.__getitem__, bind_p)),
            list(map(LINK_TYPES.__getitem__, map(and_, metas, repeat(3)))),
            list(map(rshift, metas, repeat(2))),
        ],
    )
    succs = list(map(succ.__getitem__, bind_e))
    single = dict(zip(succs, zip(link_drivers), strict=True))
    drivers: list[tuple[Driver, ...]] = list(map(single.get, range(n), repeat(_NO_DRIVERS)))

    special = set(constrained)
    special.update(compress(range(n), map(not_, es)))  # es == 0: project start binds too
    ties: dict[int, list[tuple[int, int, Driver]]] = {}
    if len(single) < len(succs):  # some activities have several binding links
        counts = Counter(succs)
        several = set(compress(counts.keys(), map(ge, counts.values(), repeat(2))))
        for j in compress(range(len(succs)), map(several.__contains__, succs)):
            ties.setdefault(succs[j], []).append((bind_p[j], bind_e[j], link_drivers[j]))
        special.update(several)
    special.difference_update(fixed_idx)
    for k in special:
        act = acts[k]
        if k in ties:
            # A link given twice is one constraint: list it once.
            ordered = [drv for _p, _e, drv in sorted(ties[k], key=itemgetter(0, 1))]
            found = list(dict.fromkeys(ordered))
        else:
            found = list(drivers[k])
        if act.earliest_start is not None and act.earliest_start == es[k]:
            found.append(_EARLIEST_START)
        if act.earliest_finish is not None and act.earliest_finish - dur[k] == es[k]:
            found.append(_EARLIEST_FINISH)
        if es[k] == 0:
            found.append(_PROJECT_START)
        drivers[k] = tuple(found)
    for k in fixed_idx:
        drivers[k] = (_ACTUAL,)
    return drivers


def _find_cycle(
    acts: list[Activity], start: array[int], succ: array[int], indeg: array[int]
) -> list[str]:
    """Walk backwards through unprocessed nodes until one repeats; that loop is a cycle.

    Every node Kahn's algorithm left behind still has an unprocessed predecessor, so the
    walk cannot dead-end.
    """
    first_pred: dict[int, int] = {}
    for p in range(len(acts)):
        if indeg[p]:
            for e in range(start[p], start[p + 1]):
                s = succ[e]
                if indeg[s] and s not in first_pred:
                    first_pred[s] = p
    node = next(k for k in range(len(acts)) if indeg[k])
    pos: dict[int, int] = {}
    walk: list[int] = []
    while node not in pos:
        pos[node] = len(walk)
        walk.append(node)
        node = first_pred[node]
    loop = walk[pos[node] :]
    loop.reverse()  # the walk went against the arrows
    first = loop.index(min(loop))  # start at the earliest-given activity so it is stable
    loop = loop[first:] + loop[:first]
    return [acts[k].id for k in loop]
