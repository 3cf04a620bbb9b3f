"""The shape of a synthetic plan: milestone dates and an acyclic network, as offsets.

Pure Python (no Flask, no database): tracker/services/synthetic.py turns this into rows.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

GO_LIVE_NUMBER = 9999  # GOV-9999; refs have at most four digits, so the others stop sooner
Link = tuple[int, int, str, int]  # predecessor, successor (positions in the plan), type, lag


@dataclass(slots=True)
class Plan:
    """One milestone while planning: dates as working-day offsets from the programme start."""

    ws: int
    start: int  # start offset; equals finish for a point
    finish: int  # finish offset (end of the due day)
    point: bool
    number: int = 0
    chain: int = -1  # place in the critical chain into go-live, counting back from go-live


def plan(rnd: random.Random, n: int, n_ws: int, go_finish: int) -> tuple[list[Plan], Plan]:
    """``n`` milestones in a topological order (by finish, then start), and go-live."""
    weights = [rnd.uniform(0.75, 1.25) for _ in range(n_ws)]
    sizes = [int(n * w / sum(weights)) for w in weights]
    sizes[0] += n - sum(sizes)
    plans: list[Plan] = []
    for w, size in enumerate(sizes):
        mine = []
        if w == 0 and size:
            # A back-to-back chain ending in readiness confirmed on go-live day itself: a
            # critical path with no float, as real plans have.
            finish = go_finish
            mine.append(Plan(w, finish, finish, True, chain=0))
            while len(mine) < min(size, 8):
                length = rnd.randint(8, 15)
                mine.append(Plan(w, finish - length, finish, False, chain=len(mine)))
                finish -= length
        for _ in range(size - len(mine)):
            if rnd.random() < 0.2:
                finish = rnd.randint(1, go_finish - 1)
                mine.append(Plan(w, finish, finish, True))
            else:
                length = rnd.randint(5, 40)  # working days, both ends included
                finish = rnd.randint(length, go_finish - 1)
                mine.append(Plan(w, finish - length, finish, False))
        mine.sort(key=lambda p: (p.finish, p.start))  # refs number in date order
        for number, p in enumerate(mine, start=1):
            p.number = number
        plans += mine
    # Links only go forward in this order, so the network is acyclic by construction.
    plans.sort(key=lambda p: (p.finish, p.start, p.ws, p.number))
    return plans, Plan(0, go_finish, go_finish, True, GO_LIVE_NUMBER)


def links(rnd: random.Random, plans: list[Plan], target: int) -> list[Link]:
    """Links by position in ``plans``; go-live is ``len(plans)``.

    Every link goes forward in the topological order and its predecessor finishes before its
    successor starts, so SS and FF links and the small lags hold on the planned dates too."""
    n = len(plans)
    finishes = [p.finish for p in plans]
    by_ws: dict[int, list[int]] = {}
    for k, p in enumerate(plans):
        by_ws.setdefault(p.ws, []).append(k)

    def by_start(positions: list[int]) -> tuple[list[int], list[int]]:
        ordered = sorted(positions, key=lambda k: (plans[k].start, k))
        return ordered, [plans[k].start for k in ordered]

    all_starts = by_start(list(range(n)))
    ws_starts = {w: by_start(ks) for w, ks in by_ws.items()}
    links: list[Link] = []
    pairs: set[tuple[int, int]] = set()

    def add(a: int, b: int, plain: bool = False) -> None:
        if (a, b) not in pairs:
            pairs.add((a, b))
            plain = plain or b == n
            kind, lag = ("FS", 0) if plain else _type_and_lag(rnd, plans[a], plans[b])
            links.append((a, b, kind, lag))

    # The critical chain, readiness first: each starts when the one before it finishes.
    chain = [k for _, k in sorted((p.chain, k) for k, p in enumerate(plans) if p.chain >= 0)]
    for a, b in zip(chain[1:], chain, strict=False):
        add(a, b, plain=True)
    # A successor for every other milestone, one starting soon after it finishes (mostly in
    # its workstream; go-live when nothing starts later), so all reach go-live. Each
    # workstream's last milestone leads to go-live.
    last = {positions[-1] for positions in by_ws.values()}
    for a, p in enumerate(plans):
        if a in last:
            add(a, n)
        elif p.chain < 0:
            then = _starting_after(rnd, ws_starts[p.ws], p.finish, a)
            if then is None or rnd.random() < 0.25:
                then = _starting_after(rnd, all_starts, p.finish, a)
            add(a, n if then is None else then)
    # Then more predecessors, mostly recent ones in the same workstream, up to the target.
    for _ in range(4 * max(0, target - len(links))):
        if len(links) >= target:
            break
        b = rnd.randrange(n)
        limit = min(bisect_right(finishes, plans[b].start), b)  # all finish by b's start
        roll = rnd.random()
        if limit == 0:
            continue
        if roll < 0.6:
            mine = by_ws[plans[b].ws]
            k = bisect_left(mine, limit)
            if k:
                add(mine[rnd.randrange(max(0, k - 25), k)], b)
        else:
            add(rnd.randrange(max(0, limit - 300) if roll < 0.95 else 0, limit), b)
    return links


def free_float(plans: list[Plan], go: Plan, links: list[Link]) -> list[int]:
    """Working days each milestone can finish late with every successor still unmoved and
    not yet started (as if every link were FS: the stricter)."""
    free = [go.finish - p.finish for p in plans]
    for a, b, kind, lag in links:
        x, y = plans[a], plans[b] if b < len(plans) else go
        free[a] = min(free[a], _slack(kind, x, y) - lag, y.start - x.finish)
    return free


def _slack(kind: str, a: Plan, b: Plan) -> int:
    return {"FS": b.start - a.finish, "SS": b.start - a.start, "FF": b.finish - a.finish}[kind]


def _starting_after(
    rnd: random.Random, starts: tuple[list[int], list[int]], finish: int, after: int
) -> int | None:
    """One of the first few milestones that start once ``finish`` is reached."""
    ordered, values = starts
    k = bisect_left(values, finish)
    hits = [b for b in ordered[k : k + 6] if b > after]
    return rnd.choice(hits) if hits else None


def _type_and_lag(rnd: random.Random, a: Plan, b: Plan) -> tuple[str, int]:
    roll = rnd.random()
    kind = "FS" if roll < 0.8 else "SS" if roll < 0.92 else "FF"
    if rnd.random() < 0.75:
        return kind, 0
    return kind, rnd.randint(-2, min(5, _slack(kind, a, b)))  # a lead, or a lag the dates allow
