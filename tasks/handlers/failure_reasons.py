"""The part of a Step Functions error Cause that says what went wrong, on one line.

A Cause is often a JSON document: a failed SageMaker job's Describe*Job output (`.sync`), a Lambda
function error, a nested execution's DescribeExecution output. A person needs its FailureReason,
errorMessage or the nested error and cause, not the whole document.
"""

from __future__ import annotations

import json
from typing import Any

REASON_LIMIT = 300  # characters


def reason_of(cause: str) -> str:
    """One line (at most REASON_LIMIT characters); empty for a document that holds no reason."""
    text = cause.strip()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict):
        text = _from_document(document) or ""
    line = " ".join(text.split())
    return line if len(line) <= REASON_LIMIT else line[: REASON_LIMIT - 3] + "..."


def _from_document(document: dict[str, Any]) -> str | None:
    # A failed SageMaker job's Describe*Job output: SageMaker's own one-line reason.
    for key in ("FailureReason", "ExitMessage"):
        if document.get(key):
            return str(document[key])
    # A Lambda function error: {"errorType", "errorMessage", "stackTrace"}.
    if document.get("errorMessage"):
        return str(document["errorMessage"])
    # A nested execution (states:startExecution.sync): its DescribeExecution output.
    nested_error = document.get("Error") or document.get("error")
    nested_cause = document.get("Cause") or document.get("cause")
    if nested_error or nested_cause:
        inner = reason_of(str(nested_cause or ""))
        return f"{nested_error}: {inner}" if nested_error and inner else str(nested_error or inner)
    return None
