"""The watch tests' simulated world (`sim`, on its FakeClock `clock`), for `wait`."""

from tests.watch.conftest import clock, sim

__all__ = ["clock", "sim"]
