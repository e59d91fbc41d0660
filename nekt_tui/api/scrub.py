"""Take the key out of every string of a parsed answer before the client returns it.

A server that echoes the key may do so anywhere: in a run's log, its pipeline's slug or
description, a trigger's expression, a user's name or email, a token's description, an
enum value this version does not know. `scrub_model` runs `Redactor.scrub` over each of
them and rebuilds only what it changes (`model_copy` with the redacted fields): an answer
without the key comes back as the very object parsed, its log never copied.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, SecretStr

from nekt_tui.api.redact import Redactor

M = TypeVar("M", bound=BaseModel)
#: Strings up to this long are looked at together (one scan of them joined by newlines,
#: which nothing redacted spans); longer ones (a log) alone, so none is copied.
SHORT = 4096


# What each type of value is, learnt once per type: the walk runs for every answer and
# would otherwise cost about as much as the parse (isinstance on a model is slow).
_SKIP, _TEXT, _MODEL, _ITEMS, _MAP, _SECRET = range(6)
_HOW: dict[type, int] = {t: _SKIP for t in (type(None), bool, int, float, Decimal, datetime)}


def _how(kind: type) -> int:
    """What values of `kind` hold: nothing, text, fields, items or pairs."""
    how = _HOW.get(kind)
    if how is None:
        if issubclass(kind, enum.Enum):
            how = _SKIP  # a known enum member is not server text
        elif issubclass(kind, str):
            how = _TEXT
        elif issubclass(kind, BaseModel):
            how = _MODEL
        elif issubclass(kind, list | tuple):
            how = _ITEMS
        elif issubclass(kind, dict):
            how = _MAP
        else:
            how = _SECRET if issubclass(kind, SecretStr) else _SKIP
        _HOW[kind] = how
    return how


def _strings(value: Any, short: list[str], long: list[str]) -> None:
    """Every string in `value` (models, lists, dicts and their keys), by length."""
    how = _how(type(value))
    if how == _TEXT:
        (short if len(value) <= SHORT else long).append(value)
    elif how == _MODEL:
        for item in value.__dict__.values():
            known = _HOW.get(type(item))
            if known == _SKIP:  # most fields: a date, a number, None
                continue
            if known == _TEXT:
                (short if len(item) <= SHORT else long).append(item)
            else:
                _strings(item, short, long)
    elif how == _ITEMS:
        for item in value:
            _strings(item, short, long)
    elif how == _MAP:
        for key, item in value.items():
            _strings(key, short, long)
            _strings(item, short, long)
    elif how == _SECRET:
        _strings(value.get_secret_value(), short, long)


def _clean(value: Any, redactor: Redactor) -> Any:
    """`value` with every string scrubbed: the same object where nothing changed."""
    if isinstance(value, str):
        if isinstance(value, enum.Enum):
            return value
        clean = redactor.scrub(value)
        if clean is value or type(value) is str:
            return clean
        return type(value)(clean)  # an UnknownValue stays one
    if isinstance(value, BaseModel):
        update = {}
        for name, item in value.__dict__.items():
            new = _clean(item, redactor)
            if new is not item:
                update[name] = new
        return value.model_copy(update=update) if update else value
    if isinstance(value, list | tuple):
        items = [_clean(item, redactor) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else type(value)(items)
    if isinstance(value, dict):
        pairs = [(_clean(k, redactor), _clean(v, redactor)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        clean = redactor.scrub(secret)
        return value if clean is secret else SecretStr(clean)
    return value


def scrub_model(model: M, redactor: Redactor) -> M:
    """`model` with the key, its encodings and token-looking values `[redacted]` from
    every string it holds; `model` itself when there is none (the usual case)."""
    short: list[str] = []
    long: list[str] = []
    _strings(model, short, long)
    if not any(redactor.suspect(text) for text in long) and not (
        short and redactor.suspect("\n".join(short))
    ):
        return model
    clean: M = _clean(model, redactor)
    return clean


__all__ = ["SHORT", "scrub_model"]
