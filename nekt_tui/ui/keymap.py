"""Keys in one place: the bindings the classes declare (each with an id), the config's
`[keys]` table checked against them, and the keys in force after Textual's keymap.

The help screen and the command palette are generated from these, so a remapped key is
the one they show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from nekt_tui.ui._textual_compat import keymap_in_force, normalized_keymap

_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
# A key: modifiers joined with "+", then one character or a key name ("delete", "f5",
# "question_mark"): as Textual writes keys in BINDINGS.
_KEY = re.compile(rf"(?:(?:{'|'.join(_MODIFIERS)})\+)*(?:[^\s,]|[a-z][a-z0-9_]*)")


def declared_bindings(cls: type[DOMNode]) -> BindingsMap:
    """`cls`'s bindings as its classes declare them, merged over its bases as Textual
    merges them (a subclass's binding for a key replaces its base's, in the base's place).

    Read from each class's public `BINDINGS`, not from a node's private map."""
    keys: dict[str, list[Binding]] = {}
    for base in reversed(cls.__mro__):
        if issubclass(base, DOMNode):
            keys.update(BindingsMap(base.__dict__.get("BINDINGS", [])).key_to_bindings)
    return BindingsMap.from_keys(keys)


def bindings_in_force(app: App[Any], cls: type[DOMNode]) -> BindingsMap:
    """`cls`'s bindings with the app's keymap applied, as Textual applies it."""
    bindings = declared_bindings(cls)
    keymap = keymap_in_force(app)
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings


def keys_of(app: App[Any], cls: type[DOMNode], binding_id: str) -> tuple[Binding, list[str]]:
    """The binding with `binding_id` in `cls`, and its keys in force as the footer shows
    them ("?", "^s"). Raises KeyError for an unknown id."""
    found: Binding | None = None
    keys: list[str] = []
    for _, binding in bindings_in_force(app, cls):
        if binding.id == binding_id:
            found = found or binding
            shown = app.get_key_display(binding)
            if shown not in keys:
                keys.append(shown)
    if found is None:
        raise KeyError(binding_id)
    return found, keys


def binding_ids(classes: Iterable[type[DOMNode]]) -> dict[str, Binding]:
    """Every binding id the classes declare, with its (first) binding."""
    ids: dict[str, Binding] = {}
    for cls in classes:
        for _, binding in declared_bindings(cls):
            if binding.id is not None:
                ids.setdefault(binding.id, binding)
    return ids


def checked_keymap(keymap: Mapping[str, str], classes: Iterable[type[DOMNode]]) -> dict[str, str]:
    """`keymap` (binding id → keys, comma-separated) if every id is one of the classes'
    bindings, every key is well formed and no key lands on another binding of the same
    class; else ValueError with one line saying which entry and what to do."""
    classes = list(classes)
    known = binding_ids(classes)
    checked: dict[str, str] = {}
    for binding_id, value in keymap.items():
        if binding_id not in known:
            raise ValueError(
                f"[keys]: no key binding has the id {binding_id!r} "
                f"(the ids: {', '.join(sorted(known))})"
            )
        keys = [key.strip() for key in value.split(",")]
        bad = [key for key in keys if not _KEY.fullmatch(key)]
        if bad or not value.strip():
            raise ValueError(
                f"[keys]: {binding_id} = {value!r} is not a key; write keys as Textual names "
                'them, several with commas: "delete", "ctrl+x", "X", "f5,question_mark"'
            )
        checked[binding_id] = ",".join(keys)
    # Checked here, not left to Textual: its `apply_keymap` counts a binding with an id
    # as "being rebound" even when the keymap leaves it alone, so a key moved onto it
    # silently takes its key away (Textual 8.2).
    normalized = normalized_keymap(checked)
    for cls in classes:
        owner: dict[str, Binding] = {}
        for key, binding in declared_bindings(cls):
            moved = normalized.get(binding.id or "")
            for final in moved.split(",") if moved else [key]:
                other = owner.setdefault(final, binding)
                if other.action != binding.action:
                    taker, loser = (binding, other) if moved else (other, binding)
                    raise ValueError(
                        f"[keys]: {taker.id} would take {final!r} from "
                        f"{loser.id or loser.action}; pick another key or move that one too"
                    )
    return checked
