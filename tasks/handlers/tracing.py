"""X-Ray tracing of the handlers: one Powertools Tracer, and the trace header a handler passes on.

Lambda (active tracing, which the deploy turns on) puts the invocation's trace header in
``_X_AMZN_TRACE_ID``. A handler that starts an execution passes it to StartExecution as
``traceHeader``, so the S3 event, the trigger, the retrain execution and the deploy it starts are
one X-Ray trace. Outside Lambda (tests, the embedded cloud: no ``LAMBDA_TASK_ROOT``) Powertools
turns the tracer off by itself, so nothing tries to reach an X-Ray daemon.

Outside Lambda the tracer is also given a provider that records nothing: Powertools would
otherwise import X-Ray's recorder only to disable it, and that import makes two botocore
clients for its sampler (0.4-0.8 s in every process that imports a handler).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

TRACE_HEADER_VARIABLE = "_X_AMZN_TRACE_ID"
# StartExecution's traceHeader: at most 256 ASCII characters (API reference).
MAX_TRACE_HEADER = 256


class _Unrecorded(BaseSegment):
    def close(self, end_time: int | None = None) -> None:
        pass

    def add_subsegment(self, subsegment: Any) -> None:
        pass

    def remove_subsegment(self, subsegment: Any) -> None:
        pass

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        pass


class _Unrecording(BaseProvider):
    """What Powertools' disabled tracer asks of a provider, answered by recording nothing."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _Unrecorded()

    @asynccontextmanager
    async def in_subsegment_async(
        self, name: str | None = None, **kwargs: Any
    ) -> AsyncIterator[BaseSegment]:
        yield _Unrecorded()

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


def _provider() -> BaseProvider | None:
    """X-Ray's recorder (Powertools' default) in Lambda; outside it, where Powertools turns the
    tracer off, one that records nothing."""
    return None if os.environ.get("LAMBDA_TASK_ROOT") else _Unrecording()


tracer = Tracer(service="ml-retraining", provider=_provider())


def trace_header() -> str | None:
    """This invocation's X-Ray trace header, or None when there is none StartExecution takes."""
    value = os.environ.get(TRACE_HEADER_VARIABLE, "")
    if not value or len(value) > MAX_TRACE_HEADER or not value.isascii():
        return None
    return value
