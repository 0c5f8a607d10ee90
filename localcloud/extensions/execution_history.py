"""`execution_history_pages`: GetExecutionHistory pages as Step Functions pages it.

moto returned every event at once, whatever `maxResults`, `reverseOrder` or `nextToken` said,
and copied the whole history to do so. AWS answers at most `maxResults` events (100 when absent
or 0, at most 1000), oldest first unless `reverseOrder`, with a `nextToken` while events are
left, and refuses a token it did not issue for this execution with `InvalidToken`. A caller
following a running execution can then read only its newest events, as it would on AWS.

The token names the last event id returned: ids are the events' positions, so a history that
grows between two pages is read on from where the first ended, in either order.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

from localcloud.extensions.patching import PatchSet

DEFAULT_PAGE = 100
LARGEST_PAGE = 1000


def _token(execution_arn: str, last_id: int) -> str:
    raw = json.dumps({"execution": _digest(execution_arn), "after": last_id})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _digest(execution_arn: str) -> str:
    return hashlib.sha256(execution_arn.encode()).hexdigest()[:16]


def _position(token: str, execution_arn: str) -> int | None:
    try:
        found = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = found["after"]
        if found["execution"] == _digest(execution_arn) and isinstance(after, int):
            return after
    except (ValueError, TypeError, KeyError):
        pass
    return None


def page_of(
    events: list[dict[str, Any]], execution_arn: str, size: int, reverse: bool, token: str | None
) -> tuple[list[dict[str, Any]], str | None] | None:
    """(the page, the next token) of `events` (oldest first, ids 1..n); None for a bad token."""
    count = len(events)
    after: int | None = None
    if token is not None:
        after = _position(token, execution_arn)
        if after is None:
            return None
    # Event ids are 1-based positions: id k is events[k - 1].
    if reverse:
        end = count if after is None else min(max(after - 1, 0), count)
        first = max(end - size, 0)
        chosen = events[first:end][::-1]
        more = first > 0
    else:
        begin = 0 if after is None else max(after, 0)
        chosen = events[begin : begin + size]
        more = begin + size < count
    if not chosen:
        return [], None
    return chosen, _token(execution_arn, int(chosen[-1]["id"])) if more else None


def install(patches: PatchSet) -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import InvalidToken, ValidationException
    from moto.stepfunctions.responses import StepFunctionResponse

    def get_execution_history(self: Any) -> Any:
        execution_arn = self._get_param("executionArn")
        size = self._get_int_param("maxResults") or DEFAULT_PAGE
        if size > LARGEST_PAGE:
            raise ValidationException(
                f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
                f"constraint: Member must have value less than or equal to {LARGEST_PAGE}"
            )
        execution = self.stepfunction_backend.describe_execution(execution_arn)
        env = execution.exec_worker.env if execution.exec_worker else None
        manager = env.event_manager if env is not None else None
        reverse = bool(self._get_bool_param("reverseOrder", False))
        token = self._get_param("nextToken")
        if manager is None:  # not started yet
            found = page_of([], execution_arn, size, reverse, token)
        else:
            with manager._mutex:
                found = page_of(manager._history_event_list, execution_arn, size, reverse, token)
                # Only the page is copied (moto copied the whole history), under the lock:
                # an ending execution may still complete an event's details.
                if found is not None:
                    found = copy.deepcopy(found[0]), found[1]
        if found is None:
            raise InvalidToken()
        page, next_token = found
        answer: dict[str, Any] = {"events": page}
        if next_token is not None:
            answer["nextToken"] = next_token
        return ActionResult(answer)

    patches.replace(StepFunctionResponse, "get_execution_history", get_execution_history)
