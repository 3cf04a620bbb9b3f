"""New links checked for cycles the way plan.add_dependency checks one, for a whole file.

Each new link, in the file's order, is checked against the stored links plus the file's links
accepted before it: it closes a loop if its successor already reaches its predecessor
(domain.network.path_between, which names the loop). Asking that of the whole plan for every
link is quadratic (12,500 links at 5,000 milestones took longer than the time budget), so
the links are first grouped by the strongly connected components of the plan with every new
link in it: a link can only close a loop between two milestones of one component, and the
search for the loop needs only that component's links. A plan with no loop at all (the usual
case) is checked in one pass over its links.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tracker.domain.network import path_between

Edge = tuple[str, str]  # predecessor, successor


def components(edges: Iterable[Edge]) -> dict[str, int]:
    """Each milestone's strongly connected component (Tarjan's algorithm, without recursion
    so a long chain cannot overflow the stack); milestones in one share a number."""
    successors: dict[str, list[str]] = {}
    for a, b in edges:
        successors.setdefault(a, []).append(b)
        successors.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: dict[str, int] = {}
    count = 0
    for root in successors:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors[root]))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    found[member] = count
                    if member == node:
                        break
                count += 1
    return found


class CycleCheck:
    """The stored links, and the new links to be checked (all of them, in the file's order)
    for `closes` to be asked of each in turn."""

    def __init__(self, stored: Iterable[Edge], new: Sequence[Edge]) -> None:
        stored = list(stored)
        self._component = components([*stored, *new])
        self._links: dict[int, list[Edge]] = {}  # accepted links within each component
        for edge in stored:
            self._keep(edge)

    def _keep(self, edge: Edge) -> None:
        a, b = edge
        number = self._component.get(a)
        if number is not None and number == self._component.get(b):
            self._links.setdefault(number, []).append(edge)

    def closes(self, predecessor: str, successor: str) -> list[str] | None:
        """The loop (successor → … → predecessor) the link would close, or None, in which
        case the link is accepted and later links are checked with it."""
        number = self._component.get(predecessor)
        if number is not None and number == self._component.get(successor):
            chain = path_between(self._links.get(number, []), successor, predecessor)
            if chain is not None:
                return chain
        self._keep((predecessor, successor))
        return None
