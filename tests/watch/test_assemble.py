"""A poorer later answer never erases a richer earlier one (issue 15)."""

from __future__ import annotations

from collections.abc import Callable

from nekt_tui.api.models import Run
from nekt_tui.clock import FakeClock
from nekt_tui.watch.events import Event, RunUpdated
from nekt_tui.watch.scheduler import Scheduler
from tests.watch.conftest import RUN_A, FakeSource, make_run

Build = Callable[..., Scheduler]


def _flat(status: str) -> Run:
    return Run.model_validate(
        {"id": RUN_A, "status": status, "triggered_by": 7, "source": "9f1c", "number": 3}
    )


async def test_nested_then_flat_keeps_the_log_pipeline_and_user(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    """A mixed deployment: the first answer nested, the next ones flat."""

    def script(run_id: str, t: float) -> Run:
        if t < 1:
            return make_run(
                run_id,
                "running",
                "line 1\nline 2\n",
                triggered_by={"id": 7, "first_name": "Ada", "email": "ada@example.com"},
            )
        return _flat("running")

    sched = make_scheduler(FakeSource(clock, script))
    sched.watch(RUN_A)
    await clock.advance(10)
    run = sched.state(RUN_A).run
    assert run is not None
    assert run.parsed_log == "line 1\nline 2\n"
    assert run.name == "pipe"
    assert run.number == 3  # what the flat answer brings is kept too
    assert run.triggered_by is not None and not isinstance(run.triggered_by, int)
    assert run.triggered_by.email == "ada@example.com"
    updates = [e for e in events if isinstance(e, RunUpdated)]
    # The log was never blanked nor reset.
    assert all(e.run.parsed_log == "line 1\nline 2\n" for e in updates)
    assert all(e.log_delta is None or not e.log_delta.reset for e in updates[1:])
    prov = sched.provenance(RUN_A)
    assert prov is not None and prov.log is not None and prov.log.source == "detail"


async def test_a_shorter_log_does_not_replace_a_longer_one(
    clock: FakeClock, make_scheduler: Build, events: list[Event]
) -> None:
    def script(run_id: str, t: float) -> Run:
        return make_run(run_id, "running", "a\nb\nc\n" if t < 1 else "a\n")

    sched = make_scheduler(FakeSource(clock, script))
    sched.watch(RUN_A)
    await clock.advance(10)
    run = sched.state(RUN_A).run
    assert run is not None and run.parsed_log == "a\nb\nc\n"
    assert not any(
        isinstance(e, RunUpdated) and e.log_delta is not None and e.log_delta.reset
        for e in events[1:]
    )
