"""EventBridge in the embedded cloud: targets, input transformers, S3 events, schedules."""

from __future__ import annotations

import json
import re
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from localcloud import LocalCloud
from localcloud.event_routing import compiled, rule_matches, transform_input
from localcloud.extensions import extensions_disabled

ROLE = "arn:aws:iam::123456789012:role/events"
ECHO = {
    "QueryLanguage": "JSONata",
    "StartAt": "Echo",
    "States": {"Echo": {"Type": "Pass", "End": True}},
}


def _echo_machine(cloud: LocalCloud, publish: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = cloud.client("stepfunctions").create_state_machine(
        name="retrain", definition=json.dumps(ECHO), roleArn=ROLE, publish=publish
    )
    return result


def _executions(cloud: LocalCloud, machine_arn: str) -> list[dict[str, Any]]:
    sfn = cloud.client("stepfunctions")
    found = []
    for item in sfn.list_executions(stateMachineArn=machine_arn)["executions"]:
        found.append(cloud.wait_for_execution(item["executionArn"]))
    return found


def test_put_events_starts_state_machine_through_input_transformer(localcloud: LocalCloud) -> None:
    machine = _echo_machine(localcloud)["stateMachineArn"]
    events = localcloud.client("events")
    events.put_rule(
        Name="drift",
        EventPattern=json.dumps(
            {"source": ["selfheal.drift"], "detail": {"score": [{"numeric": [">", 0.3]}]}}
        ),
    )
    events.put_targets(
        Rule="drift",
        Targets=[
            {
                "Id": "sfn",
                "Arn": machine,
                "RoleArn": ROLE,
                "InputTransformer": {
                    "InputPathsMap": {"score": "$.detail.score", "model": "$.detail.model"},
                    "InputTemplate": '{"reason": "drift <score> on <model>", "score": <score>, '
                    '"model": <model>}',
                },
            }
        ],
    )
    result = localcloud.put_events(
        [
            {
                "Source": "selfheal.drift",
                "DetailType": "Model Drift Detected",
                "Detail": {"score": 0.42, "model": "churn"},
            },
            {
                "Source": "selfheal.drift",
                "DetailType": "Model Drift Detected",
                "Detail": {"score": 0.1, "model": "churn"},
            },
        ]
    )
    assert result["FailedEntryCount"] == 0
    runs = _executions(localcloud, machine)
    assert len(runs) == 1
    assert json.loads(runs[0]["input"]) == {
        "reason": "drift 0.42 on churn",
        "score": 0.42,
        "model": "churn",
    }
    assert localcloud.delivery_failures() == []


def test_alias_target_and_sns_target_get_the_event(localcloud: LocalCloud) -> None:
    created = _echo_machine(localcloud, publish=True)
    sfn = localcloud.client("stepfunctions")
    alias = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}
        ],
    )["stateMachineAliasArn"]
    topic = localcloud.client("sns").create_topic(Name="ops")["TopicArn"]
    events = localcloud.client("events")
    events.put_rule(Name="any", EventPattern=json.dumps({"source": ["selfheal.test"]}))
    events.put_targets(
        Rule="any",
        Targets=[
            {"Id": "a", "Arn": alias, "RoleArn": ROLE, "InputPath": "$.detail"},
            {"Id": "b", "Arn": topic},
        ],
    )
    localcloud.put_events([{"Source": "selfheal.test", "DetailType": "Ping", "Detail": {"n": 1}}])
    runs = _executions(localcloud, created["stateMachineArn"])
    assert [json.loads(r["input"]) for r in runs] == [{"n": 1}]
    message = json.loads(localcloud.sns_messages(topic)[0]["Message"])
    assert message["detail-type"] == "Ping"
    assert message["time"].endswith("Z")
    assert "ingestion-time" not in message


def test_s3_object_created_event_has_the_aws_envelope(localcloud: LocalCloud) -> None:
    s3 = localcloud.client("s3")
    s3.create_bucket(Bucket="ml-data")
    s3.put_bucket_notification_configuration(
        Bucket="ml-data", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    topic = localcloud.client("sns").create_topic(Name="uploads")["TopicArn"]
    events = localcloud.client("events")
    events.put_rule(
        Name="upload",
        EventPattern=json.dumps(
            {
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {"object": {"key": [{"prefix": "incoming/"}]}},
            }
        ),
    )
    events.put_targets(
        Rule="upload",
        Targets=[
            {
                "Id": "t",
                "Arn": topic,
                "InputTransformer": {
                    "InputPathsMap": {
                        "key": "$.detail.object.key",
                        "bucket": "$.detail.bucket.name",
                    },
                    "InputTemplate": '"s3://<bucket>/<key>"',
                },
            }
        ],
    )
    events.put_rule(Name="raw", EventPattern=json.dumps({"source": ["aws.s3"]}))
    events.put_targets(Rule="raw", Targets=[{"Id": "t", "Arn": topic}])
    s3.put_object(Bucket="ml-data", Key="incoming/day1.csv", Body=b"a,b\n")
    messages = [m["Message"] for m in localcloud.sns_messages(topic)]
    assert '"s3://ml-data/incoming/day1.csv"' in messages
    envelope = next(json.loads(m) for m in messages if m.startswith("{"))
    assert envelope["source"] == "aws.s3"
    assert envelope["resources"] == ["arn:aws:s3:::ml-data"]
    detail = envelope["detail"]
    assert detail["bucket"] == {"name": "ml-data"}
    assert detail["object"]["key"] == "incoming/day1.csv"
    assert detail["object"]["size"] == 4
    assert set(detail["object"]) >= {"etag", "sequencer"}
    assert detail["reason"] == "PutObject"
    assert set(envelope) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }


def test_schedule_only_rule_matches_no_event(localcloud: LocalCloud) -> None:
    machine = _echo_machine(localcloud)["stateMachineArn"]
    events = localcloud.client("events")
    events.put_rule(Name="nightly", ScheduleExpression="cron(0 3 * * ? *)")
    events.put_targets(Rule="nightly", Targets=[{"Id": "s", "Arn": machine, "RoleArn": ROLE}])
    localcloud.put_events([{"Source": "anything", "DetailType": "x", "Detail": {}}])
    assert _executions(localcloud, machine) == []
    started = localcloud.fire_schedule("nightly")
    run = localcloud.wait_for_execution(started)
    scheduled = json.loads(run["input"])
    assert scheduled["detail-type"] == "Scheduled Event"
    assert scheduled["source"] == "aws.events"


def test_fire_scheduler_schedule(localcloud: LocalCloud) -> None:
    machine = _echo_machine(localcloud)["stateMachineArn"]
    localcloud.client("scheduler").create_schedule(
        Name="drift-check",
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": machine, "RoleArn": ROLE, "Input": json.dumps({"why": "schedule"})},
    )
    run = localcloud.wait_for_execution(localcloud.fire_schedule("drift-check"))
    assert json.loads(run["input"]) == {"why": "schedule"}
    with pytest.raises(LookupError, match="no Scheduler schedule default/missing"):
        localcloud.fire_schedule("missing")


def test_fired_schedule_fills_the_scheduler_context_attributes(localcloud: LocalCloud) -> None:
    machine = _echo_machine(localcloud)["stateMachineArn"]
    scheduler = localcloud.client("scheduler")
    template = {
        "arn": "<aws.scheduler.schedule-arn>",
        "time": "<aws.scheduler.scheduled-time>",
        "id": "<aws.scheduler.execution-id>",
        "attempt": "<aws.scheduler.attempt-number>",
    }
    scheduler.create_schedule(
        Name="nightly-retrain",
        ScheduleExpression="cron(0 3 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": machine, "RoleArn": ROLE, "Input": json.dumps(template)},
    )
    arn = scheduler.get_schedule(Name="nightly-retrain")["Arn"]
    first = json.loads(
        localcloud.wait_for_execution(localcloud.fire_schedule("nightly-retrain"))["input"]
    )
    second = json.loads(
        localcloud.wait_for_execution(localcloud.fire_schedule("nightly-retrain"))["input"]
    )
    assert (first["arn"], first["attempt"]) == (arn, "1")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["time"])
    assert first["id"] != second["id"] and "<" not in json.dumps(first)


def test_transformer_quotes_inside_strings_and_json_outside() -> None:
    event = {"detail": {"name": 'a "b"', "n": [1, 2]}, "time": "2026-01-01T00:00:00Z"}
    text = transform_input(
        {
            "InputPathsMap": {"name": "$.detail.name", "n": "$.detail.n"},
            "InputTemplate": '{"msg": "<name> has <n>", "n": <n>}',
        },
        event,
        "arn:rule",
        "rule",
        "t",
    )
    assert json.loads(text) == {"msg": 'a "b" has [1, 2]', "n": [1, 2]}


def test_without_the_extension_state_machine_targets_fail() -> None:
    with extensions_disabled("eventbridge_targets"), LocalCloud() as cloud:
        machine = _echo_machine(cloud)["stateMachineArn"]
        events = cloud.client("events")
        events.put_rule(Name="any", EventPattern=json.dumps({"source": ["t"]}))
        events.put_targets(Rule="any", Targets=[{"Id": "a", "Arn": machine, "RoleArn": ROLE}])
        # moto delivers to no Step Functions target: its NotImplementedError fails PutEvents.
        with pytest.raises(NotImplementedError, match="Expr not defined"):
            cloud.put_events([{"Source": "t", "DetailType": "x", "Detail": {}}])


def test_duplicate_deliveries_reach_a_target_twice(localcloud: LocalCloud) -> None:
    topic = localcloud.client("sns").create_topic(Name="ops")["TopicArn"]
    events = localcloud.client("events")
    events.put_rule(Name="any", EventPattern=json.dumps({"source": ["selfheal.test"]}))
    events.put_targets(Rule="any", Targets=[{"Id": "b", "Arn": topic}])
    entry = {"Source": "selfheal.test", "DetailType": "Ping", "Detail": {"n": 1}}
    with localcloud.duplicate_deliveries(2):
        localcloud.put_events([entry])
    localcloud.put_events([entry])
    ids = [json.loads(m["Message"])["id"] for m in localcloud.sns_messages(topic)]
    assert len(ids) == 3
    assert ids[0] == ids[1] != ids[2]  # a redelivery is the same event, id and all
    assert [(d["rule"], d["target"], d["event"]) for d in localcloud.deliveries("any")] == [
        ("any", topic, ids[0]),
        ("any", topic, ids[1]),
        ("any", topic, ids[2]),
    ]


def _queue(cloud: LocalCloud, name: str, **attributes: str) -> tuple[str, str]:
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def _bodies(cloud: LocalCloud, url: str) -> list[str]:
    received = cloud.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [m["Body"] for m in received.get("Messages", [])]


def test_sqs_targets_get_the_event_or_the_transformed_input(localcloud: LocalCloud) -> None:
    """AWS sends an SQS target the event JSON (AWS's envelope, as other targets get it), or
    what Input/InputPath/InputTransformer make of it. moto's fallback crashed PutEvents here
    (its default template writes `<time>` unquoted and got ISO text: invalid JSON)."""
    raw_url, raw_arn = _queue(localcloud, "raw")
    path_url, path_arn = _queue(localcloud, "path")
    fifo_url, fifo_arn = _queue(
        localcloud, "ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true"
    )
    events = localcloud.client("events")
    events.put_rule(Name="any", EventPattern=json.dumps({"source": ["selfheal.test"]}))
    events.put_targets(
        Rule="any",
        Targets=[
            {"Id": "raw", "Arn": raw_arn},
            {"Id": "path", "Arn": path_arn, "InputPath": "$.detail"},
            {"Id": "fifo", "Arn": fifo_arn, "SqsParameters": {"MessageGroupId": "models"}},
        ],
    )
    result = localcloud.put_events(
        [{"Source": "selfheal.test", "DetailType": "Ping", "Detail": {"n": 1}}]
    )
    assert result["FailedEntryCount"] == 0
    [envelope] = [json.loads(b) for b in _bodies(localcloud, raw_url)]
    assert envelope["id"] == result["Entries"][0]["EventId"]
    assert envelope["account"] == "123456789012"
    assert envelope["detail"] == {"n": 1}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", envelope["time"])
    assert "ingestion-time" not in envelope
    assert [json.loads(b) for b in _bodies(localcloud, path_url)] == [{"n": 1}]
    fifo = localcloud.client("sqs").receive_message(
        QueueUrl=fifo_url, AttributeNames=["MessageGroupId"]
    )["Messages"]
    assert fifo[0]["Attributes"]["MessageGroupId"] == "models"
    assert localcloud.delivery_failures() == []
    assert len(localcloud.deliveries("any")) == 3


def test_a_fifo_queue_without_content_deduplication_fails_delivery_only(
    localcloud: LocalCloud,
) -> None:
    """AWS requires content-based deduplication on a FIFO target queue; without it the
    delivery fails, and PutEvents (asynchronous delivery) still succeeds."""
    url, arn = _queue(localcloud, "strict.fifo", FifoQueue="true")
    events = localcloud.client("events")
    events.put_rule(Name="any", EventPattern=json.dumps({"source": ["selfheal.test"]}))
    events.put_targets(
        Rule="any", Targets=[{"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "g"}}]
    )
    result = localcloud.put_events([{"Source": "selfheal.test", "DetailType": "x", "Detail": {}}])
    assert result["FailedEntryCount"] == 0
    assert _bodies(localcloud, url) == []
    assert [f["target"] for f in localcloud.delivery_failures()] == [arn]


def test_targets_moto_delivers_no_longer_fail_put_events(localcloud: LocalCloud) -> None:
    """A CloudWatch Logs target is delivered by moto's own code; AWS writes the event to the
    log group. Handing moto ISO time text made its template invalid JSON and PutEvents fail."""
    logs = localcloud.client("logs")
    logs.create_log_group(logGroupName="/aws/events/test")
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/test"
    events = localcloud.client("events")
    events.put_rule(Name="any", EventPattern=json.dumps({"source": ["selfheal.test"]}))
    events.put_targets(Rule="any", Targets=[{"Id": "logs", "Arn": group}])
    result = localcloud.put_events(
        [{"Source": "selfheal.test", "DetailType": "Ping", "Detail": {"n": 1}}]
    )
    assert result["FailedEntryCount"] == 0
    written = logs.filter_log_events(logGroupName="/aws/events/test")["events"]
    assert [json.loads(e["message"])["detail"] for e in written] == [{"n": 1}]
    assert localcloud.delivery_failures() == []


def test_rules_are_matched_only_by_the_project_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS's matching is what `event_rules.pattern` reproduces; moto's matcher disagrees with
    AWS on many patterns, so an engine that cannot be imported is an error, never a quiet
    fallback to moto's matcher."""
    rule = SimpleNamespace(
        event_pattern=SimpleNamespace(
            dump=lambda: json.dumps({"source": ["only.the.engine"]}),
            matches_event=lambda event: True,
        )
    )
    compiled.cache_clear()
    monkeypatch.setitem(sys.modules, "event_rules.pattern", None)
    try:
        with pytest.raises(ImportError):
            rule_matches(rule, {"source": "only.the.engine"})
    finally:
        compiled.cache_clear()


def test_a_service_event_is_built_once_for_every_rule(
    localcloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards the cost: moto's PutEvents deep-copied and re-parsed the event for every rule on
    # the bus, matching or not; the event a service emits is built once, and each rule it
    # matches gets AWS's envelope (the same id) and its own copy.
    from moto.events import models as events_models

    from localcloud.event_routing import put_event

    def no_put_events(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the service event went through moto's PutEvents")

    monkeypatch.setattr(events_models.EventsBackend, "put_events", no_put_events)
    events = localcloud.client("events")
    urls = []
    for n in range(5):
        url, arn = _queue(localcloud, f"q{n}")
        urls.append(url)
        source = "aws.sagemaker" if n < 3 else "other.source"
        events.put_rule(Name=f"r{n}", EventPattern=json.dumps({"source": [source]}))
        events.put_targets(Rule=f"r{n}", Targets=[{"Id": "q", "Arn": arn}])
    detail = {"ModelPackageGroupName": "g", "nested": {"n": [1]}}
    put_event(
        localcloud.account_id, localcloud.region, "aws.sagemaker", "Ping", detail, ["arn:x"], 0
    )
    detail["nested"]["n"].append(2)
    got = [[json.loads(b) for b in _bodies(localcloud, url)] for url in urls]
    assert [len(bodies) for bodies in got] == [1, 1, 1, 0, 0]
    envelopes = [bodies[0] for bodies in got[:3]]
    assert len({envelope["id"] for envelope in envelopes}) == 1
    for envelope in envelopes:
        assert envelope["detail"] == {"ModelPackageGroupName": "g", "nested": {"n": [1]}}
        assert envelope["time"] == "1970-01-01T00:00:00Z"
        assert envelope["resources"] == ["arn:x"]
        assert envelope["source"] == "aws.sagemaker"
        assert envelope["detail-type"] == "Ping"
        assert envelope["version"] == "0"
        assert envelope["account"] == localcloud.account_id
        assert envelope["region"] == localcloud.region
        assert "ingestion-time" not in envelope
    assert localcloud.delivery_failures() == []
