"""Fan-out of engine events: one synchronous callback and any number of async streams."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from nekt_tui.watch.events import Event

log = logging.getLogger(__name__)


class _End:
    """Marks the end of a stream."""


_END = _End()


class EventStream:
    """An async iterator over events, from the moment it was created, in order."""

    def __init__(self, hub: EventHub) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[Event | _End] = asyncio.Queue()
        self._ended = False

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        if self._ended:
            raise StopAsyncIteration
        item = await self._queue.get()
        if isinstance(item, _End):
            self._ended = True
            raise StopAsyncIteration
        return item

    def pending(self) -> int:
        """Events received but not yet taken."""
        return self._queue.qsize()

    def close(self) -> None:
        """Stop receiving events; iteration ends after those already received."""
        self._hub.unsubscribe(self)
        self._put(_END)

    def _put(self, item: Event | _End) -> None:
        self._queue.put_nowait(item)


class EventHub:
    """Delivers each event to the callback, then to every open stream."""

    def __init__(self, callback: Callable[[Event], None] | None) -> None:
        self._callback = callback
        self._streams: list[EventStream] = []
        self._closed = False

    def subscribe(self) -> EventStream:
        """A new stream; already ended if the hub is closed."""
        stream = EventStream(self)
        if self._closed:
            stream._put(_END)
        else:
            self._streams.append(stream)
        return stream

    def unsubscribe(self, stream: EventStream) -> None:
        """Stop delivering to `stream`."""
        if stream in self._streams:
            self._streams.remove(stream)

    def emit(self, event: Event) -> None:
        """Deliver one event. A failing callback is logged, never allowed to stop the engine."""
        if self._callback is not None:
            try:
                self._callback(event)
            except Exception:
                log.exception("the event callback failed on %s", type(event).__name__)
        for stream in self._streams:
            stream._put(event)

    def close(self) -> None:
        """End every stream."""
        self._closed = True
        streams, self._streams = self._streams, []
        for stream in streams:
            stream._put(_END)
