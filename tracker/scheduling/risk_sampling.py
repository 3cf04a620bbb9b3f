"""The arithmetic of schedule risk analysis: the plan's network as flat arrays, and the CPM
engine's forward pass, plus a backward pass against go-live, over a block of iterations at
once with numpy.

Each milestone has one row of length B (the iterations in the block) per quantity, and the
nodes are visited in topological order as engine._schedule does, with np.maximum over the
incoming links' bounds. Everything is int64 working-day offsets in engine time (the
programme's offsets less ``shift``). The rules, and why each holds, are in
docs/risk-analysis.md ("How it is worked out").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .network import Activity, Link

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Row = int | Ints  # a scalar where every iteration has the same value, else a row

BLOCK = 1000  # iterations per block: one random stream each, and the memory bound
_TYPE = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}

# Incoming links of one node, as (row, lag) for a single link or (rows, lags as a column)
# for several: rows index the stacked matrix [start; finish] (finish rows are n + i).
_Links = tuple[int, int] | tuple[Ints, Ints] | None


@dataclass(frozen=True)
class Spread:
    """One uncertain milestone: its three-point, already checked."""

    index: int  # a point's three-point is a slip, an activity's its duration
    optimistic: int
    likely: int
    pessimistic: int


@dataclass(frozen=True)
class Occurrence:
    """One risk event: probability, impact and the open milestones it delays."""

    probability: float
    impact: int
    indices: tuple[int, ...]


@dataclass
class Network:
    """The plan in engine time, ready for many passes. Made once by ``compile_network``."""

    n: int
    go: int
    order: list[int]  # open nodes, topological
    feeding: list[int]  # open nodes with an open path to go-live: go-live first, then reverse
    fixed_rows: Ints
    fixed_start: Ints
    fixed_finish: Ints
    point: list[bool]
    duration: list[int]  # planned duration, or the certain one
    own_start: list[int]  # start no earlier than (own planned date and the 0 floor)
    raw_start: list[int]  # the same before the 0 floor: a negative slip moves it
    own_finish: list[int]  # finish no earlier than (lead, overdue, end of today)
    delay: list[int]  # certain slip after every bound (a point's certain positive slip)
    start_in: list[_Links]  # FS and SS links into the node
    finish_in: list[_Links]  # FF and SF links into the node
    finish_out: list[_Links]  # FS and FF links out, to feeding nodes (rows of [x; y])
    start_out: list[_Links]  # SS and SF links out, to feeding nodes
    spreads: tuple[Spread, ...]  # the sampled ones (optimistic < pessimistic)
    occurrences: tuple[Occurrence, ...]
    alpha: Floats
    beta: Floats
    low: Floats
    span: Floats


def compile_network(
    acts: Sequence[Activity],
    points: Sequence[bool],
    links: Sequence[Link],
    go_live: str,
    today_finish: int,
    spreads: Sequence[Spread],
    occurrences: Sequence[Occurrence],
) -> Network:
    """The network (already checked by the engine: no cycles, known ids) as arrays.

    ``points`` says which are point milestones (a three-point is then a slip, else a
    duration). ``today_finish`` is the end of today in engine time: no open milestone
    finishes before it. ``spreads`` may include certain three-points (all equal): those
    change the plan's value and are not sampled."""
    n = len(acts)
    index = {a.id: k for k, a in enumerate(acts)}
    fixed = [a.actual_start is not None for a in acts]
    point = list(points)
    duration = [a.duration for a in acts]
    raw_start = [0 if a.earliest_start is None else a.earliest_start for a in acts]
    own_finish = [
        today_finish if a.earliest_finish is None else max(a.earliest_finish, today_finish)
        for a in acts
    ]
    delay = [0] * n
    sampled: list[Spread] = []
    for s in spreads:
        if s.optimistic < s.pessimistic:
            sampled.append(s)
        elif point[s.index]:  # certain slip: before every bound if early, after them if late
            raw_start[s.index] += min(s.likely, 0)
            delay[s.index] = max(s.likely, 0)
        else:
            duration[s.index] = s.likely

    preds: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for k in links:
        p, q, code = index[k.predecessor], index[k.successor], _TYPE[k.type]
        preds[q].append((p, code, k.lag))
        succs[p].append((q, code, k.lag))

    order = _topological(n, preds, succs)
    feeding_set = _feeding(index[go_live], preds, fixed)
    feeding = [i for i in reversed(order) if i in feeding_set]

    start_in: list[_Links] = []
    finish_in: list[_Links] = []
    finish_out: list[_Links] = []
    start_out: list[_Links] = []
    for i in range(n):
        # Forward: FS and FF read the predecessor's finish (row n + p), SS and SF its start.
        ins = [(p + n if c in (0, 2) else p, c, lag) for p, c, lag in preds[i]]
        start_in.append(_pack([(r, lag) for r, c, lag in ins if c in (0, 1)]))
        finish_in.append(_pack([(r, lag) for r, c, lag in ins if c in (2, 3)]))
        # Backward: FS and SS constrain by the successor's latest start x (row s), FF and SF
        # by its latest finish before any slip y (row n + s). Only towards go-live.
        outs = [(s + n if c in (2, 3) else s, c, lag) for s, c, lag in succs[i] if s in feeding_set]
        finish_out.append(_pack([(r, lag) for r, c, lag in outs if c in (0, 2)]))
        start_out.append(_pack([(r, lag) for r, c, lag in outs if c in (1, 3)]))

    rows = np.array([k for k in range(n) if fixed[k]], dtype=np.int64)
    lo = np.array([s.optimistic for s in sampled], dtype=np.float64)
    hi = np.array([s.pessimistic for s in sampled], dtype=np.float64)
    mode = np.array([s.likely for s in sampled], dtype=np.float64)
    span = hi - lo
    return Network(
        n=n,
        go=index[go_live],
        order=[i for i in order if not fixed[i]],
        feeding=feeding,
        fixed_rows=rows,
        fixed_start=np.array([acts[k].actual_start for k in rows], dtype=np.int64),
        fixed_finish=np.array([acts[k].actual_finish for k in rows], dtype=np.int64),
        point=point,
        duration=duration,
        own_start=[max(0, v) for v in raw_start],
        raw_start=raw_start,
        own_finish=own_finish,
        delay=delay,
        start_in=start_in,
        finish_in=finish_in,
        finish_out=finish_out,
        start_out=start_out,
        spreads=tuple(sampled),
        occurrences=tuple(occurrences),
        # Beta-PERT with lambda 4: alpha = 1 + 4 (mode - low) / span, beta likewise.
        alpha=1 + 4 * (mode - lo) / span if sampled else np.empty(0),
        beta=1 + 4 * (hi - mode) / span if sampled else np.empty(0),
        low=lo,
        span=span,
    )


def _pack(links: list[tuple[int, int]]) -> _Links:
    if not links:
        return None
    if len(links) == 1:
        return links[0]
    return (
        np.array([r for r, _ in links], dtype=np.int64),
        np.array([[lag] for _, lag in links], dtype=np.int64),
    )


def _topological(
    n: int, preds: list[list[tuple[int, int, int]]], succs: list[list[tuple[int, int, int]]]
) -> list[int]:
    indeg = [len(p) for p in preds]
    stack = [k for k in range(n - 1, -1, -1) if not indeg[k]]
    order: list[int] = []
    while stack:
        i = stack.pop()
        order.append(i)
        for s, _c, _lag in succs[i]:
            indeg[s] -= 1
            if not indeg[s]:
                stack.append(s)
    assert len(order) == n, "the engine has already refused a cycle"
    return order


def _feeding(go: int, preds: list[list[tuple[int, int, int]]], fixed: list[bool]) -> set[int]:
    """Open nodes with a path of open nodes to go-live (go-live included when open): the only
    ones whose dates can move go-live. A completed milestone waits for nothing."""
    if fixed[go]:
        return set()
    seen = {go}
    stack = [go]
    while stack:
        for p, _c, _lag in preds[stack.pop()]:
            if p not in seen and not fixed[p]:
                seen.add(p)
                stack.append(p)
    return seen


@dataclass
class Draws:
    """One block's random values."""

    size: int
    unit: Floats  # (sampled milestones, size): the Beta draw in [0, 1], for ranking
    values: Ints  # the same as whole working days (to the nearest)
    occurred: NDArray[np.bool_]  # (risk events, size)


def draw(net: Network, rng: np.random.Generator, size: int) -> Draws:
    """The block's samples: every sampled milestone's value, then every risk's occurrence."""
    k = len(net.spreads)
    if k:
        unit = rng.beta(net.alpha[:, None], net.beta[:, None], size=(k, size))
        # To the nearest whole day, halves up: unbiased, and a (0, 0, 10) slip is still 0 in
        # about a fifth of iterations (rounding up would make it 0 in none).
        values = np.floor(net.low[:, None] + net.span[:, None] * unit + 0.5).astype(np.int64)
    else:
        unit = np.empty((0, size))
        values = np.empty((0, size), dtype=np.int64)
    probs = np.array([o.probability for o in net.occurrences], dtype=np.float64)
    occurred = rng.random((len(net.occurrences), size)) < probs[:, None]
    return Draws(size, unit, values, occurred)


@dataclass
class BlockValues:
    """Per node, the block's values where they vary (else the network's scalar)."""

    duration: dict[int, Ints]
    early: dict[int, Ints]  # a point's negative slip (<= 0): moves its own planned date
    delay: dict[int, Row]  # added after every bound: positive slip and risk impacts


def block_values(net: Network, draws: Draws) -> BlockValues:
    duration: dict[int, Ints] = {}
    early: dict[int, Ints] = {}
    delay: dict[int, Row] = {k: d for k, d in enumerate(net.delay) if d}
    for row, s in enumerate(net.spreads):
        v = draws.values[row]
        if not net.point[s.index]:
            duration[s.index] = v
            continue
        if s.optimistic < 0:
            early[s.index] = np.minimum(v, 0)
        if s.pessimistic > 0:
            delay[s.index] = np.maximum(v, 0)
    for e, occ in enumerate(net.occurrences):
        hit = draws.occurred[e].astype(np.int64) * occ.impact
        for k in occ.indices:
            delay[k] = delay.get(k, 0) + hit
    return BlockValues(duration, early, delay)


def _bound(mat: Ints, links: _Links, lowest: Row) -> Row:
    """The latest of ``lowest`` and every link's bound (a row of ``mat`` plus its lag)."""
    if links is None:
        return lowest
    rows, lags = links
    if isinstance(rows, int):
        v = mat[rows] + lags
    else:
        v = (mat[rows] + lags).max(axis=0)
    return np.maximum(v, lowest)


def _limit(mat: Ints, links: _Links) -> Ints | None:
    """The earliest of every link's latest bound (a row of ``mat`` less its lag), or None."""
    if links is None:
        return None
    rows, lags = links
    if isinstance(rows, int):
        return mat[rows] - lags
    return (mat[rows] - lags).min(axis=0)


def forward(net: Network, values: BlockValues, size: int) -> Ints:
    """The engine's forward pass for every iteration: a (2n, size) matrix whose row i is
    milestone i's early start and row n + i its early finish (slips included)."""
    n = net.n
    mat = np.empty((2 * n, size), dtype=np.int64)
    mat[net.fixed_rows] = net.fixed_start[:, None]
    mat[net.fixed_rows + n] = net.fixed_finish[:, None]
    durations, early, delays = values.duration, values.early, values.delay
    for j in net.order:
        d: Row = durations.get(j, net.duration[j])
        neg = early.get(j)
        own = net.own_start[j] if neg is None else np.maximum(net.raw_start[j] + neg, 0)
        start = _bound(mat, net.start_in[j], own)
        finish = _bound(mat, net.finish_in[j], net.own_finish[j])
        x = np.maximum(start, finish - d)  # "finish no earlier than" moves the whole activity
        dl = delays.get(j)
        if net.point[j]:
            mat[j] = mat[n + j] = x if dl is None else x + dl
        else:
            mat[j] = x
            mat[n + j] = x + d if dl is None else x + d + dl
    return mat


def driving(net: Network, values: BlockValues, mat: Ints) -> Ints:
    """How many iterations of the block each milestone drives go-live in: zero total float
    against go-live's own finish in that iteration (ties: every tied path counts)."""
    n = net.n
    size = mat.shape[1]
    late = np.empty((2 * n, size), dtype=np.int64)  # row i latest x_i, row n + i latest y_i
    counts = np.zeros(n, dtype=np.int64)
    durations, delays = values.duration, values.delay
    for i in net.feeding:
        d: Row = durations.get(i, net.duration[i])
        dl = delays.get(i)
        if i == net.go:
            by_finish: Ints | None = mat[n + i]
            by_start = None
        else:
            by_finish = _limit(late, net.finish_out[i])
            by_start = _limit(late, net.start_out[i])
        # x is the time the node's incoming links hold (its start, before any slip); a slip
        # moves a point's start and finish, an activity's finish only.
        if net.point[i]:
            bound = _earliest(by_finish, by_start)
            lx = bound if dl is None else bound - dl
            x = mat[i] if dl is None else mat[i] - dl
        else:
            if by_finish is not None:
                by_finish = by_finish - d if dl is None else by_finish - d - dl
            lx = _earliest(by_finish, by_start)
            x = mat[i]
        late[i] = lx
        late[n + i] = lx + d
        counts[i] = np.count_nonzero(lx <= x)
    return counts


def _earliest(a: Ints | None, b: Ints | None) -> Ints:
    if a is None:
        assert b is not None, "a feeding node has a link towards go-live"
        return b
    return a if b is None else np.minimum(a, b)


@dataclass
class Tally:
    """What the summary needs from every block, in whole numbers (so exact)."""

    go_live: list[Ints]
    driving: Ints  # per node: iterations driving go-live
    risk_hits: Ints  # per risk: iterations it occurred in
    risk_sum: Ints  # per risk: sum of go-live finishes when it occurred
    top_sum: Ints  # per sampled milestone: go-live summed over its worst tenth of each block
    bottom_sum: Ints  # ... and over its best tenth
    tenth: int  # iterations in each of those tenths, over all blocks

    @classmethod
    def empty(cls, net: Network) -> Tally:
        k = len(net.spreads)
        r = len(net.occurrences)
        return cls(
            go_live=[],
            driving=np.zeros(net.n, np.int64),
            risk_hits=np.zeros(r, np.int64),
            risk_sum=np.zeros(r, np.int64),
            top_sum=np.zeros(k, np.int64),
            bottom_sum=np.zeros(k, np.int64),
            tenth=0,
        )


def run_block(net: Network, rng: np.random.Generator, size: int, tally: Tally) -> None:
    """Sample, schedule and tally one block of ``size`` iterations."""
    draws = draw(net, rng, size)
    values = block_values(net, draws)
    mat = forward(net, values, size)
    go = mat[net.n + net.go].copy()
    tally.go_live.append(go)
    tally.driving += driving(net, values, mat)
    del mat
    if len(net.occurrences):
        hits = draws.occurred.astype(np.int64)
        tally.risk_hits += hits.sum(axis=1)
        tally.risk_sum += hits @ go
    if len(net.spreads):
        # The worst and best tenth of this block by each milestone's draw (ties cannot
        # happen: the draws are continuous).
        m = max(1, size // 10)
        part = np.argpartition(draws.unit, (m - 1, size - m), axis=1)
        tally.bottom_sum += go[part[:, :m]].sum(axis=1)
        tally.top_sum += go[part[:, size - m :]].sum(axis=1)
        tally.tenth += m


def simulate(
    net: Network,
    iterations: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> Tally:
    """Every block in turn; block b draws from its own stream (SeedSequence(seed) spawned),
    so a run does not depend on how its blocks are held in memory."""
    tally = Tally.empty(net)
    streams = np.random.SeedSequence(seed).spawn(-(-iterations // BLOCK))
    done = 0
    for stream in streams:
        size = min(BLOCK, iterations - done)
        run_block(net, np.random.default_rng(stream), size, tally)
        done += size
        if progress is not None:
            progress(done, iterations)
    return tally
