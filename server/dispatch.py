"""Running a job in the query pool and turning what goes wrong into an answer."""

from __future__ import annotations

from flask import Response, current_app

from policykg.runtime.executor import Answer, Failure

from . import context
from .errors import RETRY_AFTER, error_response, failure_response
from .querypool import JobTimeout, PoolBusy, ProcessLost


def run(
    job, timeout: float, *, what: str = "query", text: str | None = None, limit: float | None = None
) -> Answer | Response:
    """The job's :class:`Answer`, or the error response to send instead. ``timeout`` is
    what is left of the time limit ``limit`` (the whole of it by default), which the
    message names."""
    try:
        answer = context.query_pool().run(job, timeout)
    except JobTimeout:
        # 504: this server, acting for its query process, got no answer in time.
        # No Retry-After: the same request would be stopped again.
        return error_response(
            504,
            f"The {what} ran longer than {limit or timeout:g} s, the time limit of this endpoint, and was stopped. "
            "Make it more selective (a LIMIT, a FILTER on an indexed pattern, fewer OPTIONALs) and try again.",
        )
    except PoolBusy:
        return error_response(
            503, "Every query process of this server is busy; try again in a few seconds.", {"Retry-After": RETRY_AFTER}
        )
    except ProcessLost as error:
        current_app.logger.error("query process lost: %s", error)
        return error_response(500, f"The {what}'s process ended without answering; the error is in the server's log.")
    if isinstance(answer, Failure):
        return failure_response(answer, what=what, text=text)
    return answer
