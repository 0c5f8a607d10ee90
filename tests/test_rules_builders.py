"""Rule, target and schedule builders refuse what AWS would refuse, naming the field and the fix."""

from __future__ import annotations

import re
from typing import Any

import pytest

from event_rules.request_checks import RuleError, check_schedule_expression
from event_rules.rule import InputTransformer, RetryPolicy, Rule, Target
from event_rules.schedule import Schedule

DLQ = "arn:aws:sqs:us-east-1:123456789012:events-dlq"
ALIAS = "arn:aws:states:us-east-1:123456789012:stateMachine:retrain:live"
ROLE = "arn:aws:iam::123456789012:role/events"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:trigger"
TOPIC = "arn:aws:sns:us-east-1:123456789012:notifications"
RETRY = RetryPolicy(3600, 10)
PATTERN = {"source": ["aws.s3"]}


def target(**fields: Any) -> Target:
    values: dict[str, Any] = {
        "id": "t",
        "arn": FUNCTION,
        "retry": RETRY,
        "dead_letter_arn": DLQ,
        **fields,
    }
    return Target(**values)


def rule(**fields: Any) -> Rule:
    values: dict[str, Any] = {
        "name": "r",
        "description": "d",
        "targets": (target(),),
        "event_pattern": PATTERN,
        **fields,
    }
    return Rule(**values)


def schedule(**fields: Any) -> Schedule:
    values: dict[str, Any] = {
        "name": "s",
        "description": "d",
        "expression": "rate(1 day)",
        "timezone": "UTC",
        "target_arn": ALIAS,
        "role_arn": ROLE,
        "input": "{}",
        "retry": RETRY,
        "dead_letter_arn": DLQ,
        **fields,
    }
    return Schedule(**values)


def test_invalid_pattern_names_the_rule_and_gives_aws_reason() -> None:
    with pytest.raises(RuleError) as caught:
        rule(name="bad-one", event_pattern={"source": "aws.s3"})
    message = str(caught.value)
    assert message.startswith("rule bad-one: EventPattern: Event pattern is not valid. Reason:")
    assert "must be an object or an array" in message


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"name": "has space"}, "rule Name: 'has space' is not a valid name"),
        ({"name": "x" * 65}, "is not a valid name"),
        ({"targets": ()}, "0 targets; a rule takes 1 to 5"),
        ({"targets": tuple(target(id=f"t{i}") for i in range(6))}, "6 targets"),
        ({"targets": (target(), target())}, "target Id 't' is used twice"),
        ({"event_pattern": None}, "exactly one of event_pattern and schedule_expression"),
        ({"schedule_expression": "rate(1 day)"}, "exactly one of"),
        ({"description": "d" * 513}, "Description is over 512"),
        (
            {"event_pattern": None, "schedule_expression": "at(2030-01-01T00:00:00)"},
            "one-time at() schedules exist only in EventBridge Scheduler",
        ),
        (
            {"event_pattern": None, "schedule_expression": "rate(1 day)", "event_bus": "custom"},
            "scheduled rules exist only on the default event bus",
        ),
    ],
)
def test_rule_refuses(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RuleError, match=re.escape(fragment)):
        rule(**fields)


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"arn": ALIAS.rsplit(":", 1)[0], "role_arn": ROLE}, "not a state machine alias ARN"),
        ({"arn": ALIAS.replace(":live", ":3"), "role_arn": ROLE}, "never a version"),
        ({"arn": ALIAS}, "a Step Functions target needs RoleArn"),
        ({"role_arn": ROLE}, "lambda targets are authorised by the resource's own policy"),
        ({"arn": TOPIC, "role_arn": ROLE}, "sns targets are authorised"),
        ({"arn": "arn:aws:sqs:us-east-1:123456789012:q"}, "not a Step Functions, Lambda or SNS"),
        ({"input": "{}", "input_path": "$.detail"}, "Input and InputPath are exclusive"),
        ({"input": "{nope"}, "Input is not valid JSON"),
        ({"input_path": "detail"}, "InputPath 'detail' must start with '$'"),
        ({"dead_letter_arn": TOPIC}, "DeadLetterConfig.Arn"),
        ({"id": "a/b"}, "Id: 'a/b' is not a valid name"),
    ],
)
def test_target_refuses(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RuleError, match=re.escape(fragment)):
        target(**fields)


@pytest.mark.parametrize(
    ("age", "attempts", "fragment"),
    [
        (59, 0, "MaximumEventAgeInSeconds: 59 is outside 60..86400"),
        (86401, 0, "outside 60..86400"),
        (60, 186, "MaximumRetryAttempts: 186 is outside 0..185"),
        (60, -1, "outside 0..185"),
    ],
)
def test_retry_policy_refuses_out_of_range(age: int, attempts: int, fragment: str) -> None:
    with pytest.raises(RuleError, match=re.escape(fragment)):
        RetryPolicy(age, attempts)


@pytest.mark.parametrize(
    ("paths", "template", "fragment"),
    [
        ({"a": "$.detail.a"}, '"<a> and <b>"', "<b> is not defined"),
        ({"a": "detail.a"}, '"<a>"', "is not a JSON path"),
        ({"aws-x": "$.a"}, '"<aws-x>"', "variable name 'aws-x' is not allowed"),
        ({}, "", "length 0 is outside"),
        ({f"v{i}": "$.a" for i in range(101)}, '"x"', "101 variables"),
    ],
)
def test_input_transformer_refuses(paths: dict[str, str], template: str, fragment: str) -> None:
    with pytest.raises(RuleError, match=re.escape(fragment)):
        InputTransformer(paths, template)


def test_input_transformer_accepts_predefined_variables() -> None:
    transformer = InputTransformer({}, '{"rule": <aws.events.rule-name>}')
    assert transformer.to_request() == {
        "InputPathsMap": {},
        "InputTemplate": '{"rule": <aws.events.rule-name>}',
    }


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(2 hours)",
        "cron(0 6 * * ? *)",
        "cron(0/15 * ? * MON-FRI *)",
    ],
)
def test_schedule_expressions_accepted(expression: str) -> None:
    check_schedule_expression(expression, "x", allow_at=False)


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("rate(1 days)", "write rate(1 day)"),
        ("rate(2 day)", "write rate(2 days)"),
        ("rate(0 minutes)", "the rate must be 1 or more"),
        ("rate(1 week)", "not a schedule expression"),
        ("cron(0 6 * * *)", "has 5 fields; AWS cron has six"),
        ("cron(0 6 * * MON *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 6 ? * ? *)", "exactly one of"),
        ("every day", "not a schedule expression"),
    ],
)
def test_schedule_expressions_refused(expression: str, fragment: str) -> None:
    with pytest.raises(RuleError, match=re.escape(fragment)):
        check_schedule_expression(expression, "x", allow_at=True)


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"timezone": "Mars/Olympus"}, "'Mars/Olympus' is not a time zone name"),
        ({"flexible_window_minutes": 0}, "MaximumWindowInMinutes: 0 is outside 1..1440"),
        ({"flexible_window_minutes": 1441}, "outside 1..1440"),
        ({"role_arn": "events"}, "Target.RoleArn 'events' is not an IAM role ARN"),
        ({"target_arn": TOPIC}, "not a state machine alias or a Lambda function ARN"),
        ({"target_arn": ALIAS.replace(":live", ":2")}, "not a state machine alias ARN"),
        ({"input": "not json"}, "Target.Input is not valid JSON"),
        ({"name": "a b"}, "schedule Name"),
        ({"expression": "cron(1 2 3)"}, "has 3 fields"),
    ],
)
def test_schedule_refuses(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RuleError, match=re.escape(fragment)):
        schedule(**fields)


def test_one_time_schedule_and_flexible_window_render() -> None:
    request = schedule(
        expression="at(2030-01-01T06:00:00)", flexible_window_minutes=15, state="DISABLED"
    ).to_create_schedule()
    assert request["ScheduleExpression"] == "at(2030-01-01T06:00:00)"
    assert request["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert request["State"] == "DISABLED"
    assert request["Target"]["DeadLetterConfig"] == {"Arn": DLQ}


def test_target_request_carries_only_the_fields_given() -> None:
    transformer = InputTransformer({"k": "$.detail.key"}, '{"key": <k>}')
    request = target(arn=ALIAS, role_arn=ROLE, input_transformer=transformer).to_request()
    assert request == {
        "Id": "t",
        "Arn": ALIAS,
        "RoleArn": ROLE,
        "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10},
        "DeadLetterConfig": {"Arn": DLQ},
        "InputTransformer": {
            "InputPathsMap": {"k": "$.detail.key"},
            "InputTemplate": '{"key": <k>}',
        },
    }
