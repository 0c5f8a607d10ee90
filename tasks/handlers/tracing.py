"""X-Ray tracing of the handlers: one Powertools Tracer, and the trace header a handler passes on.

Lambda (active tracing, which the deploy turns on) puts the invocation's trace header in
``_X_AMZN_TRACE_ID``. A handler that starts an execution passes it to StartExecution as
``traceHeader``, so the S3 event, the trigger, the retrain execution and the deploy it starts are
one X-Ray trace. Outside Lambda (tests, the embedded cloud: no ``LAMBDA_TASK_ROOT``) Powertools
turns the tracer off by itself, so nothing tries to reach an X-Ray daemon.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Tracer

TRACE_HEADER_VARIABLE = "_X_AMZN_TRACE_ID"
# StartExecution's traceHeader: at most 256 ASCII characters (API reference).
MAX_TRACE_HEADER = 256

tracer = Tracer(service="ml-retraining")


def trace_header() -> str | None:
    """This invocation's X-Ray trace header, or None when there is none StartExecution takes."""
    value = os.environ.get(TRACE_HEADER_VARIABLE, "")
    if not value or len(value) > MAX_TRACE_HEADER or not value.isascii():
        return None
    return value
