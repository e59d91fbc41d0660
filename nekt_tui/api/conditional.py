"""A run's poll that may be answered by its last answer over again (see `memo.py`).

Split from `client.py`: the poll carries `If-None-Match` when the memo says so, hands
the read a run's last `Mark`, and tells the memo how it went (status, ETag, mark, run).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from pydantic import BaseModel

from nekt_tui.api.memo import AnswerMemo
from nekt_tui.api.models import Run
from nekt_tui.api.reading import Deadline, Mark

M = TypeVar("M", bound=BaseModel)

#: Sends `request` and reads its answer, given the run's last mark: (parsed answer, its
#: response, whether it is the run kept from the last answer).
Answer = Callable[[httpx.Request, Mark | None], Awaitable[tuple[M, httpx.Response, bool]]]


async def poll_run(
    memo: AnswerMemo,
    request: httpx.Request,
    run_id: str,
    deadline: Deadline,
    answered: list[int],
    answer: Answer[M],
) -> M:
    """Send a run's poll through `answer` and keep what it tells `memo` (`answered`: the
    status code once the answer's head has come; `deadline`: the exchange's)."""
    sent = memo.if_none_match(run_id)
    if sent is not None:
        headers = httpx.Headers(request.headers)
        headers["if-none-match"] = sent
        request = httpx.Request("GET", request.url, headers=headers, extensions=request.extensions)
    known = memo.mark(run_id)
    try:
        result, response, same = await answer(request, known)
    except BaseException:
        memo.answered(run_id, sent, answered[0] if answered else None)
        raise
    status, etag = response.status_code, response.headers.get("etag")
    if same:  # byte for byte the last answer (its ETag too, if it has one)
        memo.answered(run_id, sent, status, etag, known, memo.run(run_id))
    else:
        run = result if isinstance(result, Run) else None
        memo.answered(run_id, sent, status, etag, deadline.mark, run)
    return result


__all__ = ["Answer", "poll_run"]
