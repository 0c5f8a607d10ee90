"""One X-Ray trace from the S3 event to the deployed endpoint: the handlers that start executions
pass their invocation's trace header (``_X_AMZN_TRACE_ID``) to StartExecution as ``traceHeader``,
and the tracer stays off where no X-Ray daemon listens."""

from __future__ import annotations

from typing import Any

import pytest

from tasks.handlers import approval, aws_clients, trigger
from tasks.handlers.tracing import trace_header, tracer
from tests.tasks_helpers import aws, churn_group  # noqa: F401  (aws: the fixture)
from tests.test_tasks_approval import package_event
from tests.test_tasks_trigger import s3_event

# The shape Lambda puts in _X_AMZN_TRACE_ID under active tracing.
HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def sent_start_requests() -> list[dict[str, Any]]:
    """The StartExecution parameters the handlers' client really sends (after validation)."""
    sent: list[dict[str, Any]] = []
    client = aws_clients.client("stepfunctions")

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    client.meta.events.register("before-parameter-build.sfn.StartExecution", record)
    return sent


def test_the_trigger_passes_its_trace_header_to_start_execution(
    aws: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", HEADER)
    sent = sent_start_requests()
    result = trigger.handler(s3_event(), None)
    assert result["duplicate"] is False
    assert [request.get("traceHeader") for request in sent] == [HEADER]


def test_an_approval_passes_its_trace_header_to_the_deployment(
    aws: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", HEADER)
    event = package_event(churn_group(), "Approved", "manual", include_metadata=False)
    sent = sent_start_requests()
    assert approval.handler(event, None)["action"] == "deploy"
    assert [request.get("traceHeader") for request in sent] == [HEADER]


def test_without_a_trace_header_none_is_sent(
    aws: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    sent = sent_start_requests()
    trigger.handler(s3_event(event_id="s3-untraced"), None)
    assert len(sent) == 1 and "traceHeader" not in sent[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HEADER, HEADER),
        ("", None),
        # StartExecution refuses a traceHeader over 256 characters or outside ASCII: start the
        # execution untraced rather than fail the retrain.
        ("Root=" + "a" * 300, None),
        ("Root=1-é", None),
    ],
)
def test_trace_header_is_one_start_execution_takes(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str | None
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", value)
    assert trace_header() == expected


def test_the_tracer_is_off_outside_lambda() -> None:
    # No LAMBDA_TASK_ROOT (tests, the embedded cloud): segments would go to a daemon that is
    # not there.
    assert tracer.disabled


def _imported_after(code: str, env: dict[str, str]) -> list[str]:
    import json
    import os
    import subprocess
    import sys

    probe = f"import json, sys; {code}; print(json.dumps(sorted(sys.modules)))"
    environ = {k: v for k, v in os.environ.items() if k != "LAMBDA_TASK_ROOT"} | env
    done = subprocess.run(
        [sys.executable, "-c", probe], env=environ, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def test_outside_lambda_the_x_ray_recorder_is_never_imported() -> None:
    code = "from tasks.handlers import trigger; assert trigger.tracer.disabled"
    assert "aws_xray_sdk.core" not in _imported_after(code, {})


def test_in_lambda_the_tracer_records_through_x_ray(tmp_path: Any) -> None:
    code = (
        "from tasks.handlers.tracing import tracer; "
        "assert not tracer.disabled and 'aws_xray_sdk' in type(tracer.provider).__module__"
    )
    assert "aws_xray_sdk.core" in _imported_after(code, {"LAMBDA_TASK_ROOT": str(tmp_path)})
