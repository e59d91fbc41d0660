"""`expand[]=FIELD`, as docs.nekt.com/platform-api/expanding-responses describes it.

Every request accepts `expand[]=a` (repeatable: `expand[]=a&expand[]=b`; a comma list
`expand[]=a,b` and a plain `expand=a` are read too) and `a.b` expands `a`, then `b` inside
it. Fields that cannot be expanded are ignored, as DRF does with unknown query parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from nekt_tui.simulator import shapes

if TYPE_CHECKING:
    from nekt_tui.simulator.world import World

#: What to expand: each field name to what to expand inside it.
Tree = dict[str, "Tree"]

_NAMES = ("expand[]", "expand")


def parse(pairs: Iterable[tuple[str, str]]) -> Tree:
    """The expansion tree of a query string's (name, value) pairs."""
    tree: Tree = {}
    for name, value in pairs:
        if name not in _NAMES:
            continue
        for path in value.split(","):
            node = tree
            for part in path.strip().split("."):
                if not part:
                    break
                node = node.setdefault(part, {})
    return tree


def run(world: World, data: dict[str, Any], tree: Tree) -> dict[str, Any]:
    """A flat run's JSON with its expandable fields expanded (only `triggered_by`, the
    user ID, has a documented object; a nested run's fields are objects already)."""
    if "triggered_by" in tree and isinstance(data.get("triggered_by"), int):
        user = world.user(data["triggered_by"])
        if user is not None:
            data["triggered_by"] = shapes.user_json(user, world.iso)
    return data


def run_object(world: World, run_id: str, tree: Tree) -> dict[str, Any] | None:
    """An expanded run ID (a list item's `last_run`): the run's detail in the flat shape,
    expanded further by `tree`; None if the run is unknown."""
    data = world.run_json(run_id, "flat")
    return None if data is None else run(world, data, tree)
