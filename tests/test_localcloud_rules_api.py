"""EventBridge's PutRule and TestEventPattern judged as AWS judges them (the `put_rule_patterns`
and `test_event_pattern` extensions), through the project's pattern engine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from event_rules.pattern import InvalidEventPattern, compile_pattern
from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

PREFIX_IN_CAPITALS = {"source": [{"PREFIX": "selfheal."}]}
CIDR_TOO_WIDE = {"detail": {"ip": [{"cidr": "10.0.0.0/33"}]}}
EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "Model Drift Detected",
    "source": "selfheal.drift",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"score": 0.42},
}


def _reason(pattern: dict[str, Any]) -> str:
    with pytest.raises(InvalidEventPattern) as invalid:
        compile_pattern(pattern)
    return str(invalid.value)


def _error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = raised.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


@pytest.mark.parametrize("pattern", [PREFIX_IN_CAPITALS, CIDR_TOO_WIDE])
def test_put_rule_rejects_a_pattern_aws_rejects(
    localcloud: LocalCloud, pattern: dict[str, Any]
) -> None:
    """AWS answers PutRule with InvalidEventPatternException, `Event pattern is not valid.
    Reason: ...` (operators are lower case; an IPv4 prefix is at most /32)."""
    events = localcloud.client("events")
    with pytest.raises(ClientError) as rejected:
        events.put_rule(Name="bad", EventPattern=json.dumps(pattern))
    assert _error(rejected) == ("InvalidEventPatternException", _reason(pattern))
    assert _error(rejected)[1].startswith("Event pattern is not valid. Reason: ")
    assert events.list_rules()["Rules"] == []


def test_a_rejected_update_keeps_the_rule_and_put_events_serves_it(
    localcloud: LocalCloud,
) -> None:
    """AWS leaves a rule as it was when PutRule updating it is rejected; PutEvents then
    delivers to every matching rule."""
    topic = localcloud.client("sns").create_topic(Name="ops")["TopicArn"]
    events = localcloud.client("events")
    valid = json.dumps({"source": ["selfheal.drift"]})
    events.put_rule(Name="drift", EventPattern=valid)
    events.put_targets(Rule="drift", Targets=[{"Id": "t", "Arn": topic}])
    with pytest.raises(ClientError) as rejected:
        events.put_rule(Name="drift", EventPattern=json.dumps(PREFIX_IN_CAPITALS))
    assert _error(rejected)[0] == "InvalidEventPatternException"
    assert events.describe_rule(Name="drift")["EventPattern"] == valid
    result = localcloud.put_events(
        [{"Source": "selfheal.drift", "DetailType": "Model Drift Detected", "Detail": {}}]
    )
    assert result["FailedEntryCount"] == 0
    assert len(localcloud.sns_messages(topic)) == 1


def test_without_the_extension_put_rule_accepts_and_put_events_breaks() -> None:
    with extensions_disabled("put_rule_patterns"), LocalCloud() as cloud:
        events = cloud.client("events")
        events.put_rule(Name="bad", EventPattern=json.dumps(PREFIX_IN_CAPITALS))
        with pytest.raises(InvalidEventPattern):
            cloud.put_events([{"Source": "selfheal.x", "DetailType": "x", "Detail": {}}])


def _test(cloud: LocalCloud, pattern: Any, event: Any) -> dict[str, Any]:
    result: dict[str, Any] = cloud.client("events").test_event_pattern(
        EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern),
        Event=event if isinstance(event, str) else json.dumps(event),
    )
    return result


def test_test_event_pattern_answers_with_the_engine(localcloud: LocalCloud) -> None:
    """AWS answers `{"Result": true|false}`; an event need not carry `resources` or
    `detail`."""
    drift = {"source": ["selfheal.drift"], "detail": {"score": [{"numeric": [">", 0.3]}]}}
    assert _test(localcloud, drift, EVENT)["Result"] is True
    assert _test(localcloud, drift, {**EVENT, "detail": {"score": 0.1}})["Result"] is False
    bare = {k: v for k, v in EVENT.items() if k not in ("resources", "detail")}
    assert _test(localcloud, {"source": ["selfheal.drift"]}, bare)["Result"] is True


def test_test_event_pattern_rejects_what_aws_rejects(localcloud: LocalCloud) -> None:
    """An invalid pattern is InvalidEventPatternException with AWS's reason; an event that is
    not JSON, or lacks one of id, account, source, time, region, detail-type, is
    ValidationException `Parameter Event is not valid.`"""
    with pytest.raises(ClientError) as invalid:
        _test(localcloud, CIDR_TOO_WIDE, EVENT)
    assert _error(invalid) == ("InvalidEventPatternException", _reason(CIDR_TOO_WIDE))
    for event in ("{not json", [EVENT], {k: v for k, v in EVENT.items() if k != "id"}):
        with pytest.raises(ClientError) as bad_event:
            _test(localcloud, {"source": ["selfheal.drift"]}, event)
        assert _error(bad_event) == ("ValidationException", "Parameter Event is not valid.")


def test_without_the_extension_test_event_pattern_has_no_result() -> None:
    with extensions_disabled("test_event_pattern"), LocalCloud() as cloud:
        assert "Result" not in _test(cloud, {"source": ["selfheal.drift"]}, EVENT)
