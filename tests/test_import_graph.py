"""No import cycle between any two modules of nekt_tui, not even under TYPE_CHECKING.

A cycle, even one only the type checker follows, means two modules cannot be read, tested
or moved apart: the first sign of one object spread over several files. grimp reads the
source (it imports nothing), imports inside functions included; by default it also reads
the imports under `if TYPE_CHECKING:`, which `exclude_type_checking_imports=True` leaves out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

import grimp

Graph = Mapping[str, set[str]]


def _graph(*, type_checking: bool) -> Graph:
    built = grimp.build_graph(
        "nekt_tui",
        include_external_packages=False,
        exclude_type_checking_imports=not type_checking,
        cache_dir=None,  # no .grimp_cache left in the working directory
    )
    return {m: set(built.find_modules_directly_imported_by(m)) for m in built.modules}


def strongly_connected(graph: Graph) -> list[list[str]]:
    """The groups of modules that reach each other through imports (Tarjan, iterative), each
    sorted, of two modules or more, or one that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph.get(node, ()):
                    found.append(sorted(group))
    return sorted(found)


def one_cycle(graph: Graph, group: list[str]) -> list[str]:
    """A shortest import cycle through the group's first module, start repeated at the end."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError(f"{group} is not a cycle")


def describe(graph: Graph, runtime: Graph, groups: list[list[str]]) -> str:
    """Per group: one cycle, then every import inside the group; "(tc)" marks an import
    made only under TYPE_CHECKING."""

    def short(module: str) -> str:
        return module.removeprefix("nekt_tui.")

    lines = []
    for group in groups:
        lines.append("cycle " + " -> ".join(short(m) for m in one_cycle(graph, group)))
        members = set(group)
        for a in group:
            for b in sorted(graph[a] & members):
                mark = "" if b in runtime.get(a, ()) else " (tc)"
                lines.append(f"    {short(a)} imports {short(b)}{mark}")
    return "\n".join(lines)


def test_the_cycle_finder_finds_a_cycle_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}, "f": {"a"}}
    groups = strongly_connected(graph)
    assert groups == [["a", "b", "c"], ["e"]]
    assert one_cycle(graph, groups[0]) == ["a", "b", "c", "a"]
    runtime = {"a": {"b"}, "b": set(), "c": {"a"}}
    assert describe(graph, runtime, groups[:1]).splitlines() == [
        "cycle a -> b -> c -> a",
        "    a imports b",
        "    b imports c (tc)",
        "    c imports a",
    ]


def test_no_import_cycle_at_run_time() -> None:
    """Imports Python runs (module level or inside functions) never go round in a circle."""
    runtime = _graph(type_checking=False)
    assert "nekt_tui.ui.app" in runtime  # the graph is of this project, not empty
    cycles = strongly_connected(runtime)
    assert not cycles, "import cycles:\n" + describe(runtime, runtime, cycles)


def test_no_import_cycle_even_under_type_checking() -> None:
    """Not even the imports only the type checker follows go round in a circle."""
    graph = _graph(type_checking=True)
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles:\n" + describe(graph, _graph(type_checking=False), cycles)
