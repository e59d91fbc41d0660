"""Fault injection knobs for the simulated API, deterministic from their own seed.

Every request draws the same number of random values whatever is switched on, so turning
one knob does not reshuffle what the others do. Rates are probabilities per request.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, fields
from typing import Any

_RATES = (
    "error_rate",
    "timeout_rate",
    "reset_rate",
    "rate_limit_rate",
    "retry_after_date_rate",
    "malformed_rate",
    "html_rate",
    "unknown_enum_rate",
    "endless_rate",
    "drip_rate",
    "far_retry_after_rate",
)
_DRAWS = 12


@dataclass(frozen=True)
class Plan:
    """What happens to one request (drawn when it arrives)."""

    latency: float
    reset: bool
    timeout: bool
    html: bool
    error: bool
    malformed: bool
    unknown_enum: bool
    extra_fields: bool
    #: Uniform [0, 1) values to pick variants (status code, body, cut point, field).
    pick: tuple[float, float, float]
    #: The roll that may start a 429 burst, and whether its Retry-After is an HTTP-date.
    rate_limit_roll: float
    use_date: bool
    #: A body that never ends; one sent a byte at a time; a 429 until the year 9999.
    endless: bool = False
    drip: bool = False
    far_retry_after: bool = False


@dataclass
class Faults:
    """The knobs. Change them at any time (`set`, `off`, or plain attribute assignment).

    - `error_rate`: 5xx with a DRF `{"detail": ...}` or a plain-text body.
    - `latency`: seconds added to every response (slept on the world's clock).
    - `timeout_rate`: responses that take `timeout_seconds` (in-process: then the transport
      raises `httpx.ReadTimeout`; over a socket the answer simply comes too late).
    - `reset_rate`: the connection drops without a response.
    - `rate_limit_rate`: a request starts a 429 burst of `rate_limit_seconds`: every request
      in that window gets 429 with `Retry-After` (delay-seconds, or an HTTP-date for
      `retry_after_date_rate` of them).
    - `malformed_rate`: a 200 whose JSON is cut short. `html_rate`: an HTML error page
      (502 from a proxy, or a 200 maintenance page).
    - `unknown_enum_rate`: one status / trigger type / pipeline type value nobody documented.
    - `extra_fields`: add undocumented fields to every run.
    - `endless_rate`: a 200 whose body never ends (an endless `[`, endless whitespace, an
      unclosed string; some say `Content-Length: 5000000000`), until the client hangs up.
    - `drip_rate`: a valid answer sent one byte every `drip_seconds` to 2.5 times that (2
      to 5 s by default): a per-read timeout never fires.
    - `far_retry_after_rate`: a 429 with `Retry-After: Fri, 31 Dec 9999 23:59:59 GMT`.

    The last three share one roll (so they are exclusive, and switching them on does not
    reshuffle the others). In-process (`app_transport`, on an injected clock) an endless
    or dripping answer is the client giving up: after `timeout_seconds` the transport
    raises `httpx.ReadTimeout`, as for `timeout_rate`; over a socket it is the real thing.
    """

    error_rate: float = 0.0
    latency: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 10.0
    reset_rate: float = 0.0
    rate_limit_rate: float = 0.0
    rate_limit_seconds: float = 5.0
    retry_after_date_rate: float = 0.25
    malformed_rate: float = 0.0
    html_rate: float = 0.0
    unknown_enum_rate: float = 0.0
    endless_rate: float = 0.0
    drip_rate: float = 0.0
    drip_seconds: float = 2.0
    far_retry_after_rate: float = 0.0
    extra_fields: bool = False
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _limited_until: float = field(default=-math.inf, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check()
        self._rng = random.Random(self.seed)

    def _check(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        for name in ("latency", "timeout_seconds", "rate_limit_seconds", "drip_seconds"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0")

    @classmethod
    def none(cls) -> Faults:
        """No faults at all."""
        return cls()

    @classmethod
    def chaos(cls, seed: int = 0) -> Faults:
        """Everything on, at the soak test's levels."""
        return cls(
            error_rate=0.05,
            timeout_rate=0.02,
            reset_rate=0.01,
            rate_limit_rate=0.005,
            malformed_rate=0.01,
            html_rate=0.01,
            unknown_enum_rate=0.02,
            extra_fields=True,
            seed=seed,
        )

    def set(self, **knobs: Any) -> None:
        """Change some knobs at once (ValueError for an unknown knob or a bad value)."""
        known = {f.name for f in fields(self) if not f.name.startswith("_")}
        for name in knobs:
            if name not in known:
                raise ValueError(f"unknown fault knob {name!r}")
        old = {name: getattr(self, name) for name in knobs}
        for name, value in knobs.items():
            setattr(self, name, value)
        try:
            self._check()
        except ValueError:
            for name, value in old.items():
                setattr(self, name, value)
            raise
        if "seed" in knobs:
            self._rng = random.Random(self.seed)

    def off(self) -> None:
        """Switch every fault off and end any 429 burst (the random stream carries on)."""
        for name in _RATES:
            if name != "retry_after_date_rate":
                setattr(self, name, 0.0)
        self.latency = 0.0
        self.extra_fields = False
        self._limited_until = -math.inf

    @property
    def active(self) -> bool:
        """True when any fault can happen."""
        rates = any(getattr(self, n) > 0 for n in _RATES if n != "retry_after_date_rate")
        return rates or self.latency > 0 or self.extra_fields

    @property
    def limited_until(self) -> float:
        """The clock time the current 429 burst ends (-inf if none was started)."""
        return self._limited_until

    def draw(self) -> Plan:
        """Roll the dice for one request."""
        u = [self._rng.random() for _ in range(_DRAWS)]
        # u[11] (drawn and unused before these knobs) picks among the three exclusive ones.
        slow = u[11]
        endless = slow < self.endless_rate
        slow -= self.endless_rate
        drip = not endless and 0 <= slow < self.drip_rate
        slow -= self.drip_rate
        far = not (endless or drip) and 0 <= slow < self.far_retry_after_rate
        return Plan(
            latency=self.latency,
            reset=u[0] < self.reset_rate,
            timeout=u[1] < self.timeout_rate,
            html=u[2] < self.html_rate,
            error=u[3] < self.error_rate,
            malformed=u[4] < self.malformed_rate,
            unknown_enum=u[5] < self.unknown_enum_rate,
            extra_fields=self.extra_fields,
            pick=(u[6], u[7], u[8]),
            rate_limit_roll=u[9],
            use_date=u[10] < self.retry_after_date_rate,
            endless=endless,
            drip=drip,
            far_retry_after=far,
        )

    def rate_limited(self, plan: Plan, now: float) -> float | None:
        """Seconds left in the 429 burst at clock time `now` (starting one if the dice say so)."""
        if now < self._limited_until:
            return self._limited_until - now
        if plan.rate_limit_roll < self.rate_limit_rate and self.rate_limit_seconds > 0:
            self._limited_until = now + self.rate_limit_seconds
            return self.rate_limit_seconds
        return None
