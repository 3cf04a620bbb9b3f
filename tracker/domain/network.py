"""Questions about the dependency network that do not need a full schedule."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def path_between(edges: Iterable[tuple[Node, Node]], start: Node, goal: Node) -> list[Node] | None:
    """The shortest chain of links from start to goal, or None if goal cannot be reached.

    Adding a link goal -> start would close this chain into a cycle.
    """
    successors: dict[Node, list[Node]] = {}
    for a, b in edges:
        successors.setdefault(a, []).append(b)
    came_from: dict[Node, Node | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            chain = [node]
            while (previous := came_from[chain[-1]]) is not None:
                chain.append(previous)
            return chain[::-1]
        for nxt in successors.get(node, ()):
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return None
