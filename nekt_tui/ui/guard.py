"""One decorator so an exception in a key's action is reported, never shown as a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar


class Reports(Protocol):
    """Something with the app's one place for failures."""

    def report_failure(self, what: str, exc: BaseException) -> None:
        """Log it and tell the user once."""
        ...


S = TypeVar("S", bound=Reports)
P = ParamSpec("P")


def guarded(
    what: str,
) -> Callable[[Callable[Concatenate[S, P], None]], Callable[Concatenate[S, P], None]]:
    """Route an exception from the decorated method to `self.report_failure(what, exc)`."""

    def wrap(method: Callable[Concatenate[S, P], None]) -> Callable[Concatenate[S, P], None]:
        def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> None:
            try:
                method(self, *args, **kwargs)
            except Exception as exc:
                self.report_failure(what, exc)

        run.__name__, run.__doc__ = method.__name__, method.__doc__
        return run

    return wrap
