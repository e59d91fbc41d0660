"""What the client keeps of past answers, so that the same answer costs less next time.

- Bytes: every byte received on the wire (`received_bytes`) and each run's (or list
  path's) last answer size (`last_size`): the bandwidth budget reads both.
- A run's last large answer: its `Mark` and the run parsed from it (`reading.Mark`), so an
  answer byte for byte the same is hashed, not decoded or parsed again.
- ETags, never assumed: the API documents no conditional requests. When a run's answer
  carries an `ETag`, its next poll sends `If-None-Match` once, as a probe riding on a poll
  that was due anyway (no extra request). A 304 says the server honours it: from then
  on every run with an ETag is asked that way. A 200 with the very same ETag says it does
  not: no `If-None-Match` is sent again this session. A 200 with another ETag (the run
  changed) proves nothing, and a later poll probes again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nekt_tui.api.models import Run
    from nekt_tui.api.reading import Mark

#: Entries kept per table; a table starts over past this.
KEPT = 1 << 16
#: An ETag longer than this (or not ASCII) is not used.
ETAG_MAX = 200


class _Kept:
    """A run's last answer worth keeping."""

    __slots__ = ("etag", "mark", "run")

    def __init__(self, mark: Mark | None, etag: str | None, run: Run) -> None:
        self.mark = mark
        self.etag = etag
        self.run = run


class AnswerMemo:
    """Bytes received, and the last answer of each run (see the module docstring)."""

    def __init__(self) -> None:
        #: Every byte received on the wire so far (answers, errors, list pages).
        self.received_bytes = 0
        #: Whether the server honours `If-None-Match` (None: not known yet).
        self.conditional: bool | None = None
        self._sizes: dict[str, int] = {}
        self._kept: dict[str, _Kept] = {}
        self._probe: str | None = None  # the run whose poll carries the probe now

    def count(self, key: str, size: int) -> None:
        """An exchange for `key` (a run ID or a path) received `size` bytes."""
        self.received_bytes += size
        if len(self._sizes) >= KEPT:
            self._sizes.clear()
        self._sizes[key] = size

    def last_size(self, key: str) -> int | None:
        """Bytes on the wire of the last answer for `key`; None before any."""
        return self._sizes.get(key)

    def mark(self, run_id: str) -> Mark | None:
        """The mark of the run's last large answer, if kept."""
        kept = self._kept.get(run_id)
        return None if kept is None else kept.mark

    def run(self, run_id: str) -> Run | None:
        """The run parsed from its last kept answer."""
        kept = self._kept.get(run_id)
        return None if kept is None else kept.run

    def if_none_match(self, run_id: str) -> str | None:
        """The ETag to send with the run's next poll (None: send none)."""
        if self.conditional is False:
            return None
        kept = self._kept.get(run_id)
        if kept is None or kept.etag is None:
            return None
        if self.conditional is None:
            if self._probe is not None and self._probe != run_id:
                return None  # one probe at a time
            self._probe = run_id
        return kept.etag

    def answered(
        self,
        run_id: str,
        sent: str | None,
        status: int | None,
        etag: str | None = None,
        mark: Mark | None = None,
        run: Run | None = None,
    ) -> None:
        """The run's poll ended with `status` (None: no answer): `run` parsed from a 2xx
        with its `etag` and `mark`; `sent`: the `If-None-Match` it carried."""
        if self._probe == run_id:
            self._probe = None
        if status == 304 and sent is not None:
            self.conditional = True
            return
        if sent is not None and run is not None and etag == sent:
            self.conditional = False  # the same ETag, and the whole answer again
            self._drop_etags()
        if run is None:  # an error (a 304 never asked for is one): nothing to keep
            self._kept.pop(run_id, None)
            return
        usable = etag if etag and len(etag) <= ETAG_MAX and etag.isascii() else None
        if self.conditional is False:
            usable = None
        if mark is None and usable is None:
            self._kept.pop(run_id, None)
            return
        if len(self._kept) >= KEPT:
            self._kept.clear()
        self._kept[run_id] = _Kept(mark, usable, run)

    def _drop_etags(self) -> None:
        for run_id, kept in list(self._kept.items()):
            if kept.mark is None:
                del self._kept[run_id]
            else:
                kept.etag = None


__all__ = ["AnswerMemo"]
