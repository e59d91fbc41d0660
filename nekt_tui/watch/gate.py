"""The gate: whether a request may go now, and how many may be out at once.

It holds the concurrency limit and its slow start (lowered after a 429, a refused key or
connect failures, then one more slot per success), the Retry-After window, the host-down
back-off and the refused key. It counts nothing in flight and starts nothing: the
dispatcher asks it before each request and tells it what came back.
"""

from __future__ import annotations

from datetime import datetime

from nekt_tui.api.errors import ApiUnreachableError, NektError
from nekt_tui.clock import Clock
from nekt_tui.watch import policy
from nekt_tui.watch.engine import wall
from nekt_tui.watch.events import AuthProblem, Event, HostDown, RateLimited, Recovered
from nekt_tui.watch.stream import EventHub


class Gate:
    """When requests may go (see the module docstring)."""

    def __init__(
        self, clock: Clock, hub: EventHub, *, concurrency: int, default_retry_after: float
    ) -> None:
        self.clock = clock
        self.hub = hub
        self.concurrency = concurrency
        self.default_retry_after = default_retry_after
        #: Requests allowed out at once: lowered after a 429 or an auth fix, then ramped up.
        self.limit = concurrency
        self.blocked_until = float("-inf")
        self.rate_limited = False
        # The host itself unreachable (`HostDown`): no request before `host_until`.
        self.unreachable = 0  # connect failures in a row, across runs
        self.host_down = False
        self.host_level = 0
        self.host_until = float("-inf")
        self.auth_error: NektError | None = None
        self.auth_probe = False

    def hold_until(self) -> float:
        """No request starts before this (a Retry-After window, or the host found down)."""
        return max(self.blocked_until, self.host_until)

    def is_open(self, now: float) -> bool:
        """No refused key, no Retry-After window and no host found down holds requests."""
        return self.auth_error is None and now >= self.blocked_until and now >= self.host_until

    @property
    def ramping(self) -> bool:
        """Fewer requests than `concurrency` are allowed out (slow start after a problem)."""
        return self.limit < self.concurrency

    # ---- what came back ----------------------------------------------------------------

    def succeeded(self, events: list[Event], at: datetime) -> None:
        """A poll was answered: the host and the key work; one more slot (slow start)."""
        self.answered(events, at)
        if self.auth_probe:
            self.auth_probe = False
            events.append(Recovered("auth", None, at))
        if self.limit < self.concurrency:
            # Slow start: one more slot per success doubles the pace each round trip.
            self.limit += 1

    def answered(self, events: list[Event], at: datetime) -> None:
        """The host answered something (even an error): it is reachable."""
        self.unreachable = 0
        if self.host_down:
            self.host_down, self.host_level = False, 0
            self.host_until = float("-inf")
            events.append(Recovered("host", None, at))

    def connect_failed(self, error: ApiUnreachableError, sent: float) -> None:
        """A connection failed: after a few in a row, hold every run (one probe after)."""
        now = self.clock.monotonic()
        self.limit = max(1, self.limit // 2)  # send less until something answers
        if self.host_down:
            if sent < self.host_until:
                return  # sent before the host was found down: no news
            self.host_level += 1  # the probe failed
        else:
            self.unreachable += 1
            if self.unreachable < policy.HOST_DOWN_AFTER:
                return
            self.host_down, self.host_level = True, 1
        self.limit = 1  # one probe first, then one more per success
        self.host_until = now + policy.host_backoff(self.host_level)
        self.hub.emit(HostDown(wall(self.clock, self.host_until), error, self.clock.now()))

    def block_for(self, retry_after: float | None) -> float:
        """A 429 said to wait: hold every request until then (one first, after). Returns
        the end of the wait; says `RateLimited` when a new or longer window starts."""
        wait = policy.clamp_retry_after(retry_after, self.default_retry_after)
        until = self.clock.monotonic() + wait
        self.limit = 1
        if until > self.blocked_until + 1.0 or not self.rate_limited:
            self.blocked_until = max(self.blocked_until, until)
            self.rate_limited = True
            self.hub.emit(RateLimited(wall(self.clock, self.blocked_until), self.clock.now()))
        else:
            self.blocked_until = max(self.blocked_until, until)
        return until

    def refuse(self, error: NektError) -> None:
        """The key was refused: stop every request and say so once."""
        if self.auth_error is None:
            self.auth_error = error
            self.auth_probe = False
            self.hub.emit(AuthProblem(error, self.clock.now()))

    def end_window(self, now: float) -> None:
        """Say once that the Retry-After window is over, before any request after it."""
        if self.rate_limited and now >= self.blocked_until:
            self.rate_limited = False
            self.hub.emit(Recovered("rate_limit", None, self.clock.now()))

    # ---- commands ----------------------------------------------------------------------

    def retry_auth(self) -> bool:
        """After a refused key, try again (one request first); False if none was refused."""
        if self.auth_error is None:
            return False
        self.auth_error = None
        self.auth_probe = True
        self.limit = 1
        return True

    def force_try(self, now: float) -> None:
        """The user refreshes everything: one request may go now, even inside a
        Retry-After window or while the host is held as down."""
        if now < self.blocked_until:
            self.blocked_until = now
            self.limit = 1
        if self.host_down and now < self.host_until:
            self.host_until = now
            self.limit = 1


__all__ = ["Gate"]
