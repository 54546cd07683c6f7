"""The ballots of a Meek count as a prefix tree of the preferences that matter."""

from __future__ import annotations

from collections import Counter

# A node: candidate, parent node (-1: the root), ballots through it, ballots ending
# there
Node = tuple[int, int, int, int]


class Paths:
    """The ballots as a prefix tree of the preferences that can still take a share:
    the elected candidates up to and including the first hopeful one. An excluded
    candidate keeps nothing and the first hopeful one keeps everything, so nothing
    else changes a ballot's distribution. When a hopeful candidate is elected or
    excluded, only the ballots whose path ends with them walk on, so each ballot
    reads each of its preferences once in the whole count."""

    def __init__(self, papers: list[tuple[tuple[int, ...], int]]) -> None:
        self.papers = papers
        self.path: list[tuple[int, ...]] = [prefs[:1] for prefs, _n in papers]
        self.pos = [0] * len(papers)
        self.ending: dict[int, list[int]] = {}
        for i, (prefs, _n) in enumerate(papers):
            self.ending.setdefault(prefs[0], []).append(i)
        self.counted: Counter[tuple[int, ...]] = Counter()
        for i, (_prefs, n) in enumerate(papers):
            self.counted[self.path[i]] += n
        self.cache: list[Node] | None = None

    def release(self, x: int, hopeful: set[int], elected: set[int]) -> None:
        """`x` is no longer hopeful: its ballots walk on to their next hopeful."""
        for i in self.ending.pop(x, []):
            prefs, n = self.papers[i]
            path = self.path[i]
            self.counted[path] -= n
            path = path if x in elected else path[:-1]
            for j in range(self.pos[i] + 1, len(prefs)):
                c = prefs[j]
                if c in hopeful:
                    path += (c,)
                    self.pos[i] = j
                    self.ending.setdefault(c, []).append(i)
                    break
                if c in elected:
                    path += (c,)
            self.path[i] = path
            self.counted[path] += n
        self.cache = None

    def nodes(self) -> list[Node]:
        """The tree, parents first: (candidate, parent or -1, ballots through it,
        ballots whose path ends there after an elected candidate)."""
        if self.cache is not None:
            return self.cache
        index: dict[tuple[int, ...], int] = {}
        nodes: list[list[int]] = []
        for path, n in sorted(self.counted.items()):  # prefixes before extensions
            if not n:
                continue
            for depth in range(1, len(path) + 1):
                node = index.get(path[:depth])
                if node is None:
                    node = index[path[:depth]] = len(nodes)
                    parent = index.get(path[: depth - 1], -1)
                    nodes.append([path[depth - 1], parent, 0, 0])
                nodes[node][2] += n
            if path:
                nodes[index[path]][3] += n
        self.cache = [
            (c, parent, through, ending) for c, parent, through, ending in nodes
        ]
        return self.cache
