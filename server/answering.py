"""The one answer path: every route that needs the store's data asks here.

:func:`answer` takes a job (a query, a description, a graph read or write: see
:mod:`policykg.runtime.executor`) and gets its answer from the first of

1. the answers stored at publish time (:mod:`policykg.publication.answers`), when the
   caller says how to find one;
2. the result cache of this worker, bound to the published generation;
3. a query process, under the time limit, the caps and the memory bound.

What goes wrong is raised as a :class:`~server.errors.ServiceError` (rendered in one
place by :mod:`server.errors`); no route handles a failed job itself.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from policykg.runtime.executor import Answer, Failure

from . import context
from .errors import (
    AnswerTooLarge,
    BadRequest,
    InternalError,
    NotAcceptable,
    NotFound,
    RemoteFailed,
    ServiceError,
    SyntaxFailure,
    TimedOut,
    Unavailable,
)
from .querypool import JobTimeout, MemoryExceeded, PoolBusy, ProcessLost, StreamedAnswer

NOT_BUILT = "The store holds no data yet: run 'policykg build'."

#: The error raised for each kind of job failure.
FAILURES: dict[str, type[ServiceError]] = {
    "evaluation": BadRequest,
    "not-found": NotFound,
    "not-acceptable": NotAcceptable,
    "too-large": AnswerTooLarge,
    "internal": InternalError,
    "remote": RemoteFailed,
    "timeout": TimedOut,
    "unreachable": Unavailable,
    "not-built": Unavailable,
    "busy": Unavailable,
}


@dataclass(frozen=True)
class Answered:
    """An answer and where it came from: ``stored``, ``cached`` or ``computed``."""

    value: Any
    source: str
    generation: str


def generation() -> str:
    """The published generation; 503 before the first build."""
    found = context.store().current_generation()
    if found is None:
        raise Unavailable(NOT_BUILT)
    return found


def answer(
    job,
    *,
    what: str = "query",
    text: str | None = None,
    cache_key: Hashable | None = None,
    stored: Callable[[Any], Any] | None = None,
    timeout: float | None = None,
    limit: float | None = None,
) -> Answered:
    """The answer to ``job``. ``stored(answers)`` looks it up in the stored answers (None:
    not there); ``cache_key`` (None: not cached) keys it in the result cache; ``what`` and
    ``text`` make the error messages (a syntax error shows the line of ``text``); ``timeout``
    is what is left of the time limit ``limit`` (by default the whole of the query limit)."""
    published = generation()
    if stored is not None:
        answers = context.stored_answers(published)
        found = stored(answers) if answers is not None else None
        if found is not None:
            return Answered(found, "stored", published)
    cache = context.result_cache()
    if cache_key is not None and cache.enabled:
        hit = cache.get(published, cache_key)
        if hit is not None:
            return Answered(hit, "cached", published)
    settings = context.settings()
    result = run(job, settings.query_timeout if timeout is None else timeout, what=what, text=text, limit=limit)
    made_in = getattr(result, "generation", None) or published
    if cache_key is not None and cache.enabled and _cacheable(result):
        cache.put(made_in, cache_key, result, _size(result))
    return Answered(result, "computed", made_in)


#: What to do when a job of this kind runs past the time limit (the default: a query).
_TIMED_OUT_HINT = {
    "report": "Make it with the command line instead (policykg report --year YEAR), which has no time limit.",
}


def run(job, timeout: float, *, what: str = "query", text: str | None = None, limit: float | None = None):
    """The job's result from a query process, or the error to answer with. ``timeout`` is
    what is left of the time limit ``limit`` (the whole of it by default), which the message names."""
    try:
        result = context.query_pool().run(job, timeout)
    except JobTimeout:
        raise TimedOut(
            f"The {what} ran longer than {limit or timeout:g} s, the time limit of this endpoint, and was stopped. "
            + _TIMED_OUT_HINT.get(what, "Make it more selective (a LIMIT, a FILTER on an indexed pattern, fewer OPTIONALs) and try again.")
        ) from None
    except MemoryExceeded as error:
        raise AnswerTooLarge(
            f"The {what} needed more than {error.limit // (1024 * 1024):,} MiB of memory, the limit of one query on "
            "this endpoint, and was stopped. Ask for less at a time (a LIMIT, fewer variables, no large sorts)."
        ) from None
    except PoolBusy as error:
        raise Unavailable(str(error) or "Every query process of this server is busy; try again in a few seconds.") from None
    except ProcessLost as error:
        current_app.logger.error("query process lost: %s", error)
        raise InternalError(f"The {what}'s process ended without answering; the error is in the server's log.") from None
    if isinstance(result, Failure):
        raise failure_error(result, what=what, text=text)
    return result


def failure_error(failure: Failure, *, what: str = "query", text: str | None = None) -> ServiceError:
    if failure.kind == "syntax":
        return SyntaxFailure(what, failure.message, failure.line, failure.column, text)
    return FAILURES.get(failure.kind, InternalError)(failure.message)


def _cacheable(result) -> bool:
    return not isinstance(result, (Answer, StreamedAnswer)) or result.body is not None


def _size(result) -> int:
    if isinstance(result, Answer):
        return len(result.body or b"") + 200
    return len(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
