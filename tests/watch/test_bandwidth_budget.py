"""The budget's arithmetic on its own: who is paced, by how much, and when not at all."""

from __future__ import annotations

import pytest

from nekt_tui.clock import FakeClock
from nekt_tui.watch.bandwidth import FLOOR, MAX_PACED, Budget, Pacing


class Source:
    """Sizes of last answers, and everything received, as `NektClient` reports them."""

    def __init__(self) -> None:
        self.sizes: dict[str, int] = {}
        self.received_bytes = 0

    def last_size(self, key: str) -> int | None:
        return self.sizes.get(key)

    def answer(self, key: str, size: int) -> None:
        self.sizes[key] = size
        self.received_bytes += size


def answered(budget: Budget, source: Source, key: str, size: int) -> None:
    source.answer(key, size)
    budget.answered(key, source)


def test_small_answers_keep_their_interval_and_large_ones_share_the_rest() -> None:
    clock, source = FakeClock(), Source()
    budget = Budget(1_000_000, clock.monotonic)
    answered(budget, source, "small", 2_000)
    answered(budget, source, "big", 20_000_000)
    answered(budget, source, "medium", 100_000)  # 50 KB/s at 2 s: under an equal share
    assert budget.interval("small", 2.0) == 2.0
    assert budget.interval("medium", 2.0) == 2.0
    # The rest (1 MB/s less the medium run's 50 KB/s; the first answer seen only starts
    # the count of all bytes) is the large run's: about 21 s.
    assert budget.interval("big", 2.0) == pytest.approx(20_000_000 / 950_000)
    assert budget.pacing("small", 2.0) is None
    paced = budget.pacing("big", 2.0)
    assert isinstance(paced, Pacing) and paced.size == 20_000_000


def test_two_large_runs_share_equally() -> None:
    clock, source = FakeClock(), Source()
    budget = Budget(1_000_000, clock.monotonic)
    answered(budget, source, "a", 10_000_000)
    answered(budget, source, "b", 20_000_000)
    assert budget.interval("a", 2.0) == pytest.approx(20.0)
    assert budget.interval("b", 2.0) == pytest.approx(40.0)


def test_large_runs_keep_a_floor_when_small_ones_fill_the_budget() -> None:
    clock, source = FakeClock(), Source()
    budget = Budget(100_000, clock.monotonic)
    for i in range(200):  # 400 KB of small answers within a second
        answered(budget, source, f"s{i}", 2_000)
    answered(budget, source, "big", 1_000_000)
    assert budget.interval("big", 2.0) == pytest.approx(1_000_000 / (100_000 * FLOOR))
    answered(budget, source, "huge", 10**12)
    assert budget.interval("huge", 2.0) == MAX_PACED


def test_a_run_whose_answer_shrinks_or_goes_is_no_longer_paced() -> None:
    clock, source = FakeClock(), Source()
    budget = Budget(100_000, clock.monotonic)
    answered(budget, source, "a", 5_000_000)
    answered(budget, source, "b", 5_000_000)
    assert budget.interval("a", 2.0) == pytest.approx(100.0)
    answered(budget, source, "a", 1_000)
    budget.forget("b")
    assert budget.interval("a", 2.0) == 2.0 and budget.pacing("b", 2.0) is None


def test_zero_is_no_budget_and_a_source_without_sizes_is_never_paced() -> None:
    clock, source = FakeClock(), Source()
    none = Budget(0, clock.monotonic)
    answered(none, source, "big", 10**9)
    assert none.interval("big", 2.0) == 2.0
    budget = Budget(1_000, clock.monotonic)
    budget.answered("big", object())
    assert budget.interval("big", 2.0) == 2.0
    with pytest.raises(ValueError, match="max_bandwidth"):
        Budget(-1, clock.monotonic)
