"""Property tests: the engine against a deliberately naive reference on random networks.

The reference relaxes every link bound over and over until nothing changes (a fixpoint),
with no topological order, no index arrays and no fused passes: different code, same rules
(docs/scheduling.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scheduling.engine import (
    Activity,
    CycleError,
    Link,
    ScheduleError,
    schedule,
)

TYPES = ("FS", "SS", "FF", "SF")


@dataclass
class Ref:
    es: int
    ef: int
    ls: int
    lf: int
    total_float: int
    free_float: int
    critical: bool
    done: bool
    drivers: set[tuple[str, str | None, str | None, int]]


def reference(acts: list[Activity], links: list[Link], deadline: int | None) -> dict[str, Ref]:
    by_id = {a.id: a for a in acts}
    fixed = {a.id: a.actual_start is not None for a in acts}
    done = {a.id: a.actual_start is not None and a.actual_finish is not None for a in acts}

    def own_lower(a: Activity) -> int:
        bounds = [0]
        if a.earliest_start is not None:
            bounds.append(a.earliest_start)
        if a.earliest_finish is not None:
            bounds.append(a.earliest_finish - a.duration)
        return max(bounds)

    es: dict[str, int] = {}
    ef: dict[str, int] = {}
    for a in acts:
        if fixed[a.id]:
            assert a.actual_start is not None
            es[a.id] = a.actual_start
            ef[a.id] = (
                a.actual_finish if a.actual_finish is not None else a.actual_start + a.duration
            )
        else:
            es[a.id] = own_lower(a)
            ef[a.id] = es[a.id] + a.duration

    def bound(k: Link) -> int:
        # Lower bound on the successor's early START implied by link k.
        d = by_id[k.successor].duration
        return {
            "FS": ef[k.predecessor] + k.lag,
            "SS": es[k.predecessor] + k.lag,
            "FF": ef[k.predecessor] + k.lag - d,
            "SF": es[k.predecessor] + k.lag - d,
        }[k.type]

    changed = True
    while changed:
        changed = False
        for k in links:
            if fixed[k.successor]:
                continue
            if bound(k) > es[k.successor]:
                es[k.successor] = bound(k)
                ef[k.successor] = es[k.successor] + by_id[k.successor].duration
                changed = True

    t = max(ef.values(), default=0)
    h = t if deadline is None else deadline
    lf = {a.id: h for a in acts}
    ls = {a.id: h - a.duration for a in acts}
    changed = True
    while changed:
        changed = False
        for k in links:
            if fixed[k.successor] or done[k.predecessor]:
                continue
            d_p = by_id[k.predecessor].duration
            candidate = {
                "FS": ls[k.successor] - k.lag,
                "SS": ls[k.successor] - k.lag + d_p,
                "FF": lf[k.successor] - k.lag,
                "SF": lf[k.successor] - k.lag + d_p,
            }[k.type]
            if candidate < lf[k.predecessor]:
                lf[k.predecessor] = candidate
                ls[k.predecessor] = candidate - d_p
                changed = True

    def slack(k: Link) -> int:
        s, p = k.successor, k.predecessor
        return {
            "FS": es[s] - (ef[p] + k.lag),
            "SS": es[s] - (es[p] + k.lag),
            "FF": ef[s] - (ef[p] + k.lag),
            "SF": ef[s] - (es[p] + k.lag),
        }[k.type]

    out: dict[str, Ref] = {}
    for a in acts:
        if done[a.id]:
            out[a.id] = Ref(es[a.id], ef[a.id], es[a.id], ef[a.id], 0, 0, False, True, set())
            out[a.id].drivers = {("actual", None, None, 0)}
            continue
        slacks = [slack(k) for k in links if k.predecessor == a.id and not fixed[k.successor]]
        free = min([t - ef[a.id], *slacks])
        total = ls[a.id] - es[a.id]
        drivers: set[tuple[str, str | None, str | None, int]] = set()
        if fixed[a.id]:
            drivers.add(("actual", None, None, 0))
        else:
            for k in links:
                if k.successor == a.id and bound(k) == es[a.id]:
                    drivers.add(("link", k.predecessor, k.type, k.lag))
            if a.earliest_start is not None and a.earliest_start == es[a.id]:
                drivers.add(("earliest_start", None, None, 0))
            if a.earliest_finish is not None and a.earliest_finish - a.duration == es[a.id]:
                drivers.add(("earliest_finish", None, None, 0))
            if es[a.id] == 0:
                drivers.add(("project_start", None, None, 0))
        out[a.id] = Ref(
            es[a.id], ef[a.id], ls[a.id], lf[a.id], total, free, total <= 0, False, drivers
        )
    return out


@st.composite
def networks(
    draw: st.DrawFn, max_size: int = 12, with_actuals: bool = True
) -> tuple[list[Activity], list[Link], int | None]:
    n = draw(st.integers(1, max_size))
    order = draw(st.permutations(range(n)))  # a hidden topological order
    acts = []
    for k in range(n):
        duration = draw(st.integers(0, 6))
        es = draw(st.none() | st.integers(-2, 12))
        ef = draw(st.none() | st.integers(-2, 15))
        start = finish = None
        if with_actuals and draw(st.integers(0, 5)) == 0:
            start = draw(st.integers(-2, 10))
            if draw(st.booleans()):
                finish = start + draw(st.integers(0, 6))
        acts.append(Activity(f"N{k}", duration, es, ef, start, finish))
    links = []
    if n > 1:
        pairs = draw(
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n)
        )
        for a, b in pairs:
            if a == b:
                continue
            p, s = (a, b) if order[a] < order[b] else (b, a)
            links.append(
                Link(f"N{p}", f"N{s}", draw(st.sampled_from(TYPES)), draw(st.integers(-4, 4)))
            )
    deadline = draw(st.none() | st.integers(-3, 40))
    return acts, links, deadline


def check_against_reference(acts: list[Activity], links: list[Link], deadline: int | None) -> None:
    got = schedule(acts, links, deadline)
    want = reference(acts, links, deadline)
    assert got.project_duration == max((r.ef for r in want.values()), default=0)
    assert set(got.activities) == set(want)
    for act_id, w in want.items():
        g = got.activities[act_id]
        assert (g.es, g.ef, g.ls, g.lf) == (w.es, w.ef, w.ls, w.lf), act_id
        assert (g.total_float, g.free_float) == (w.total_float, w.free_float), act_id
        assert (g.critical, g.done) == (w.critical, w.done), act_id
        drivers = {(d.kind, d.predecessor, d.type, d.lag) for d in g.drivers}
        assert drivers == w.drivers, act_id
        assert len(g.drivers) == len(drivers), f"{act_id}: a driver is listed twice"


@settings(max_examples=400, deadline=None)
@given(networks())
def test_engine_matches_naive_relaxation(
    net: tuple[list[Activity], list[Link], int | None],
) -> None:
    check_against_reference(*net)


@settings(max_examples=60, deadline=None)
@given(networks(max_size=40, with_actuals=False))
def test_engine_matches_naive_relaxation_on_larger_networks(
    net: tuple[list[Activity], list[Link], int | None],
) -> None:
    check_against_reference(*net)


@settings(max_examples=200, deadline=None)
@given(networks())
def test_invariants(net: tuple[list[Activity], list[Link], int | None]) -> None:
    acts, links, deadline = net
    r = schedule(acts, links, deadline)
    h = r.horizon
    assert h == (r.project_duration if deadline is None else deadline)
    for a in acts:
        s = r.activities[a.id]
        if s.done:
            continue
        assert s.ef == s.es + a.duration
        assert s.lf == s.ls + a.duration
        assert s.lf <= h
        if a.actual_start is None:
            assert s.es >= 0  # nothing starts before the project start
        assert s.free_float <= r.project_duration - s.ef
        assert s.drivers, "every activity has at least one driver"
        # driving_chain ends at the activity, starts at a root with no binding link, and
        # every step is a binding link.
        chain = r.driving_chain(a.id)
        assert chain[-1] == a.id
        assert not any(d.kind == "link" for d in r.activities[chain[0]].drivers)
        for prev, nxt in zip(chain, chain[1:], strict=False):
            first_link = next(d for d in r.activities[nxt].drivers if d.kind == "link")
            assert first_link.predecessor == prev
        assert set(chain) <= r.driving_paths(a.id)


@settings(max_examples=150, deadline=None)
@given(networks(with_actuals=False), st.data())
def test_adding_a_back_link_makes_a_cycle_that_is_reported(
    net: tuple[list[Activity], list[Link], int | None], data: st.DataObject
) -> None:
    acts, links, _ = net
    if not links:
        return
    # Close a loop: from the successor of some link back to an ancestor of its predecessor.
    r = schedule(acts, links)
    link = data.draw(st.sampled_from(links))
    ancestors = {link.predecessor}
    grew = True
    while grew:
        more = {k.predecessor for k in links if k.successor in ancestors} - ancestors
        ancestors |= more
        grew = bool(more)
    back_to = data.draw(st.sampled_from(sorted(ancestors)))
    with_cycle = [*links, Link(link.successor, back_to, data.draw(st.sampled_from(TYPES)))]
    try:
        schedule(acts, with_cycle)
    except CycleError as exc:
        cycle = exc.cycle
        assert len(cycle) >= 2 and len(set(cycle)) == len(cycle)
        edges = {(k.predecessor, k.successor) for k in with_cycle}
        for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
            assert (a, b) in edges
        assert str(exc) == "dependency cycle: " + " -> ".join([*cycle, cycle[0]])
    else:
        raise AssertionError("a cycle was not detected")
    assert r.activities  # the acyclic network itself scheduled fine


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["A", "B", "C"]), min_size=2, max_size=6))
def test_duplicate_ids_are_rejected(ids: list[str]) -> None:
    acts = [Activity(x, 1) for x in ids]
    if len(set(ids)) == len(ids):
        assert len(schedule(acts, []).activities) == len(ids)
    else:
        try:
            schedule(acts, [])
        except ScheduleError as exc:
            assert str(exc).startswith("duplicate activity id ")
        else:
            raise AssertionError("duplicate ids were accepted")
