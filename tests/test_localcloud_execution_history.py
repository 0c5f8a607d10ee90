"""`execution_history_pages`: GetExecutionHistory honours maxResults, reverseOrder and nextToken."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from localcloud_helpers import THREE_PASSES, create_machine

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

_MAP = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            "End": True,
        }
    },
}


def _run(cloud: LocalCloud, name: str, definition: dict[str, Any], input: Any = None) -> str:
    machine = create_machine(cloud, definition, name)
    return str(cloud.start_and_wait(machine, input or {})["executionArn"])


def _ids(page: dict[str, Any]) -> list[int]:
    return [event["id"] for event in page["events"]]


def test_pages_follow_max_results_order_and_tokens() -> None:
    with LocalCloud() as cloud:
        sfn = cloud.client("stepfunctions")
        execution = _run(cloud, "paged", THREE_PASSES)
        everything = sfn.get_execution_history(executionArn=execution)
        assert _ids(everything) == list(range(1, 9)) and "nextToken" not in everything

        forward = sfn.get_execution_history(executionArn=execution, maxResults=3)
        assert _ids(forward) == [1, 2, 3]
        second = sfn.get_execution_history(
            executionArn=execution, maxResults=3, nextToken=forward["nextToken"]
        )
        assert _ids(second) == [4, 5, 6]
        last = sfn.get_execution_history(
            executionArn=execution, maxResults=3, nextToken=second["nextToken"]
        )
        assert _ids(last) == [7, 8] and "nextToken" not in last
        assert forward["events"] + second["events"] + last["events"] == everything["events"]

        newest = sfn.get_execution_history(executionArn=execution, maxResults=3, reverseOrder=True)
        assert _ids(newest) == [8, 7, 6]
        assert newest["events"][0]["type"] == "ExecutionSucceeded"
        pages = sfn.get_paginator("get_execution_history").paginate(
            executionArn=execution, reverseOrder=True, PaginationConfig={"PageSize": 3}
        )
        assert [_ids(page) for page in pages] == [[8, 7, 6], [5, 4, 3], [2, 1]]


def test_a_hundred_events_by_default_and_at_most_a_thousand() -> None:
    with LocalCloud() as cloud:
        sfn = cloud.client("stepfunctions")
        execution = _run(cloud, "long", _MAP, {"items": list(range(30))})
        page = sfn.get_execution_history(executionArn=execution)
        assert _ids(page) == list(range(1, 101)) and page["nextToken"]
        assert _ids(sfn.get_execution_history(executionArn=execution, maxResults=0)) == _ids(page)
        rest = sfn.get_execution_history(executionArn=execution, nextToken=page["nextToken"])
        assert _ids(rest)[0] == 101 and "nextToken" not in rest
        with pytest.raises(ClientError) as refused:
            sfn.get_execution_history(executionArn=execution, maxResults=1001)
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        assert "maxResults" in refused.value.response["Error"]["Message"]


def test_a_token_not_issued_for_the_execution_is_invalid() -> None:
    with LocalCloud() as cloud:
        sfn = cloud.client("stepfunctions")
        first = _run(cloud, "one", THREE_PASSES)
        other = _run(cloud, "two", THREE_PASSES)
        token = sfn.get_execution_history(executionArn=first, maxResults=2)["nextToken"]
        for execution, bad in ((other, token), (first, "not-a-token")):
            with pytest.raises(ClientError) as refused:
                sfn.get_execution_history(executionArn=execution, maxResults=2, nextToken=bad)
            assert refused.value.response["Error"]["Code"] == "InvalidToken"


def test_without_the_extension_every_event_comes_at_once() -> None:
    with extensions_disabled("execution_history_pages"), LocalCloud() as cloud:
        execution = _run(cloud, "unpaged", THREE_PASSES)
        page = cloud.client("stepfunctions").get_execution_history(
            executionArn=execution, maxResults=3
        )
    assert len(page["events"]) == 8
