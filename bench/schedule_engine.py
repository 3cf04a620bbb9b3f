"""Benchmark the CPM engine (tracker.scheduling.engine.schedule).

Random acyclic networks with a fixed seed: about three links per activity, mixed link
types, some lags and leads. Activities are listed in a random order (not topological) and
each activity's incoming links are listed together, as the app loads them from the
database. Reports the median of several end-to-end runs of ``schedule()``, ms per 1,000
activities, and the ratio to ``networkx.topological_sort`` on the same graph (DiGraph built
outside the timing).

Usage: .venv/bin/python bench/schedule_engine.py [--runs 5] [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx  # type: ignore[import-untyped]  # noqa: E402

from tracker.scheduling.engine import Activity, Link, schedule  # noqa: E402

TYPES = ("FS",) * 14 + ("SS",) * 3 + ("FF",) * 2 + ("SF",)  # 70% FS, 15% SS, 10% FF, 5% SF


def make_network(
    n: int, seed: int = 20261123, shuffle_links: bool = False
) -> tuple[list[Activity], list[Link]]:
    """A random DAG: node k (in topological numbering) draws its predecessors mostly from
    the 300 nodes before it, sometimes from anywhere earlier; ids are shuffled. With
    ``shuffle_links`` the links come in random order too (a harsher memory-access pattern)."""
    rnd = random.Random(seed)
    position = list(range(n))
    rnd.shuffle(position)  # position[k] = where topological node k appears in the input
    by_position = sorted(range(n), key=position.__getitem__)
    ids = [f"M{p:06d}" for p in range(n)]
    acts: list[Activity] = []
    links: list[Link] = []
    for p in range(n):
        k = by_position[p]
        dur = 0 if rnd.random() < 0.2 else rnd.randint(1, 30)
        acts.append(Activity(ids[p], dur))
        if k == 0:
            continue
        preds: set[int] = set()
        for _ in range(min(k, rnd.choice((1, 2, 3, 3, 4, 5)))):
            preds.add(rnd.randrange(k) if rnd.random() < 0.1 else rnd.randrange(max(0, k - 300), k))
        for q in sorted(preds):
            lag = 0 if rnd.random() < 0.7 else rnd.randint(-3, 10)
            links.append(Link(ids[position[q]], ids[p], rnd.choice(TYPES), lag))
    if shuffle_links:
        rnd.shuffle(links)
    return acts, links


def time_call(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_model() -> str:
    with contextlib.suppress(OSError):  # not Linux: fall back to platform.processor()
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--shuffle-links", action="store_true", help="links in random order")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{cpu_model()}, Python {platform.python_version()}"
    )
    layout = "links in random order" if args.shuffle_links else "links grouped by successor"
    print(f"median of {args.runs} runs; activities in random order, {layout}\n")
    header = (
        f"{'activities':>10} {'links':>8} {'schedule ms':>12} {'ms / 1k acts':>13} "
        f"{'nx topo ms':>11} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        acts, links = make_network(n, shuffle_links=args.shuffle_links)
        graph = nx.DiGraph()
        graph.add_nodes_from(a.id for a in acts)
        graph.add_edges_from((link.predecessor, link.successor) for link in links)
        result = schedule(acts, links)  # warm-up, and a sanity check
        assert len(result.activities) == n
        t_sched = time_call(lambda: schedule(acts, links), args.runs)  # noqa: B023
        t_nx = time_call(lambda: list(nx.topological_sort(graph)), args.runs)  # noqa: B023
        print(
            f"{n:>10,} {len(links):>8,} {t_sched * 1000:>12.0f} {t_sched * 1e6 / n:>13.1f} "
            f"{t_nx * 1000:>11.0f} {t_sched / t_nx:>6.2f}"
        )


if __name__ == "__main__":
    main()
