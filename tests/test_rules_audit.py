"""The endpoint timeline and audit rules against real-shaped events: who is reported, who is not,
and what the notification says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from environments.settings import Settings, load_settings
from event_rules.catalogue import project_rules
from event_rules.rule import Rule
from localcloud.event_routing import transform_input
from tests.test_rules_catalogue import changed, fired, sample


@pytest.fixture(scope="module")
def dev() -> Settings:
    return load_settings("dev")


@pytest.fixture(scope="module")
def dev_rules(dev: Settings) -> list[Rule]:
    return project_rules(dev)


def _text(rule: Rule, event: dict[str, Any]) -> str:
    """The message EventBridge sends to the topic for `event`."""
    transformer = dict(rule.targets[0].to_request()["InputTransformer"])
    text: str = json.loads(transform_input(transformer, event, "arn", rule.name, "t"))
    return text


def _rule(rules: list[Rule], suffix: str) -> Rule:
    return next(rule for rule in rules if rule.name == f"churn-dev-{suffix}")


@pytest.mark.parametrize(
    "status", ["Creating", "Updating", "RollingBack", "ROLLING_BACK", "InService", "Deleting"]
)
def test_each_transition_is_one_timeline_line(status: str, dev_rules: list[Rule]) -> None:
    event = changed(sample("sagemaker-endpoint-in-service"), {"detail.EndpointStatus": status})
    assert fired(dev_rules, event) == {"endpoint-timeline"}


@pytest.mark.parametrize("status", ["Failed", "FAILED"])
def test_failed_is_announced_by_its_own_rule_only(status: str, dev_rules: list[Rule]) -> None:
    event = changed(sample("sagemaker-endpoint-in-service"), {"detail.EndpointStatus": status})
    assert fired(dev_rules, event) == {"endpoint-failed"}


def test_timeline_line_is_readable(dev_rules: list[Rule]) -> None:
    text = _text(_rule(dev_rules, "endpoint-timeline"), sample("sagemaker-endpoint-in-service"))
    assert text == (
        "[churn-dev] 2024-05-01T07:36:12Z endpoint churn-dev is now IN_SERVICE "
        "(endpoint config churn-dev-epc-s3-2024-05-01-csv-4f1c2a9b7e)."
    )


DELETE = "cloudtrail-sagemaker-delete-endpoint"
OWN = "cloudtrail-sagemaker-update-endpoint-by-project"
IAM_USER = {
    "type": "IAMUser",
    "principalId": "AIDAEXAMPLEUSERID123",
    "arn": "arn:aws:iam::123456789012:user/bob",
    "accountId": "123456789012",
    "userName": "bob",
}

REPORTED = [
    # An IAM user (no session, no issuer) is never the project's own role.
    (DELETE, {"detail.userIdentity": IAM_USER}),
    (OWN, {"detail.eventName": "UpdateEndpoint", "detail.userIdentity": IAM_USER}),
    # Another environment's role is not this one's.
    (
        OWN,
        {
            "detail.userIdentity.sessionContext.sessionIssuer.arn": (
                "arn:aws:iam::123456789012:role/churn-prod-sfn-deploy-model"
            )
        },
    ),
    (
        DELETE,
        {
            "detail.eventName": "DeleteModel",
            "detail.requestParameters": {"modelName": "churn-dev-model-x"},
        },
    ),
    (
        DELETE,
        {
            "detail.eventName": "DeleteEndpointConfig",
            "detail.requestParameters": {"endpointConfigName": "churn-dev-epc-x"},
        },
    ),
]


@pytest.mark.parametrize(("name", "changes"), REPORTED)
def test_out_of_band_sagemaker_calls_are_reported(
    name: str, changes: dict[str, Any], dev_rules: list[Rule]
) -> None:
    assert fired(dev_rules, changed(sample(name), changes)) == {"audit-sagemaker"}


NOT_REPORTED = [
    # The project's own roles deploy: not out-of-band.
    (OWN, {}),
    (
        OWN,
        {
            "detail.eventName": "DeleteModel",
            "detail.requestParameters": {"modelName": "churn-dev-m"},
        },
    ),
    # Someone else's endpoint or model, or a read.
    (DELETE, {"detail.requestParameters": {"endpointName": "churn-prod"}}),
    (
        DELETE,
        {"detail.eventName": "DeleteModel", "detail.requestParameters": {"modelName": "other-m"}},
    ),
    (DELETE, {"detail.eventName": "DescribeEndpoint"}),
    (DELETE, {"detail-type": "SageMaker Endpoint State Change"}),
]


@pytest.mark.parametrize(("name", "changes"), NOT_REPORTED)
def test_project_deployments_and_other_resources_are_not(
    name: str, changes: dict[str, Any], dev_rules: list[Rule]
) -> None:
    assert fired(dev_rules, changed(sample(name), changes)) == set()


def _call(source: str, name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return changed(
        sample(DELETE),
        {
            "source": f"aws.{source}",
            "detail.eventSource": f"{source}.amazonaws.com",
            "detail.eventName": name,
            "detail.requestParameters": parameters,
        },
    )


MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:churn-dev-retrain"
OTHER_CALLS = [
    ("states", "DeleteStateMachine", {"stateMachineArn": MACHINE}, "audit-state-machines"),
    ("events", "DeleteRule", {"name": "churn-dev-drift-detected"}, "audit-rules"),
    ("events", "DisableRule", {"name": "churn-dev-drift-detected"}, "audit-rules"),
    (
        "events",
        "RemoveTargets",
        {"rule": "churn-dev-model-approved", "ids": ["approval"]},
        "audit-rules",
    ),
    ("s3", "DeleteBucket", {"bucketName": "churn-dev-artifacts-123456789012"}, "audit-buckets"),
    # Any trail of the account: the one feeding the audit rules may be an organisation's.
    ("cloudtrail", "StopLogging", {"name": "org-trail"}, "audit-trail"),
    (
        "cloudtrail",
        "DeleteTrail",
        {"name": "arn:aws:cloudtrail:us-east-1:123456789012:trail/management"},
        "audit-trail",
    ),
]


@pytest.mark.parametrize(("source", "name", "parameters", "rule"), OTHER_CALLS)
def test_destructive_calls_on_project_resources_are_reported(
    source: str, name: str, parameters: dict[str, Any], rule: str, dev_rules: list[Rule]
) -> None:
    assert fired(dev_rules, _call(source, name, parameters)) == {rule}


OTHER_MISSES = [
    (
        "states",
        "DeleteStateMachine",
        {"stateMachineArn": MACHINE.replace("churn-dev", "churn-prod")},
    ),
    ("states", "StartExecution", {"stateMachineArn": MACHINE}),
    ("events", "DeleteRule", {"name": "someone-elses-rule"}),
    ("events", "EnableRule", {"name": "churn-dev-drift-detected"}),
    ("s3", "DeleteBucket", {"bucketName": "churn-prod-data-123456789012"}),
    ("cloudtrail", "StartLogging", {"name": "org-trail"}),
]


@pytest.mark.parametrize(("source", "name", "parameters"), OTHER_MISSES)
def test_other_resources_and_harmless_calls_are_not(
    source: str, name: str, parameters: dict[str, Any], dev_rules: list[Rule]
) -> None:
    assert fired(dev_rules, _call(source, name, parameters)) == set()


def test_notification_names_who_from_where_when_and_what(dev_rules: list[Rule]) -> None:
    text = _text(_rule(dev_rules, "audit-sagemaker"), sample(DELETE))
    lines = text.splitlines()
    assert lines[0] == (
        "[churn-dev] DeleteEndpoint on sagemaker.amazonaws.com by "
        "arn:aws:sts::123456789012:assumed-role/Admin/alice (AssumedRole)."
    )
    assert "Source IP: 203.0.113.24" in lines
    assert "Time: 2024-05-02T09:14:03Z" in lines
    assert 'Request: {"endpointName": "churn-dev"}' in lines
