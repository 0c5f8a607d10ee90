"""The Security Hub rule against real-shaped findings: which findings are the environment's (by
resource ARN or tag), which states notify, and the text the topic receives."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from environments.settings import Settings, load_settings
from event_rules.catalogue_security import security_rules
from event_rules.rule import Rule
from localcloud.event_routing import transform_input

SAMPLE = Path(__file__).resolve().parents[1] / "event_rules" / "samples"
FINDING = json.loads((SAMPLE / "securityhub-finding-s3-public-access.json").read_text())


@pytest.fixture(scope="module")
def dev() -> Settings:
    return load_settings("dev")


@pytest.fixture(scope="module")
def rule(dev: Settings) -> Rule:
    [only] = security_rules(dev)
    return only


def finding(**changes: Any) -> dict[str, Any]:
    """The sample with fields of its one finding replaced (None removes the field)."""
    event = copy.deepcopy(FINDING)
    body = event["detail"]["findings"][0]
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return event


def resource(arn: str, tags: dict[str, str] | None = None) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"Type": "Other", "Id": arn, "Partition": "aws", "Region": "us-east-1"}
    if tags is not None:
        entry["Tags"] = tags
    return [entry]


ACCOUNT = "arn:aws:{service}:us-east-1:123456789012:{name}"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:::churn-dev-artifacts-123456789012",
        ACCOUNT.format(service="lambda", name="function:churn-dev-trigger"),
        ACCOUNT.format(service="states", name="stateMachine:churn-dev-retrain"),
        ACCOUNT.format(service="sagemaker", name="endpoint/churn-dev"),
        ACCOUNT.format(service="sagemaker", name="model/churn-dev-s3-2024-05-01"),
        "arn:aws:iam::123456789012:role/churn-dev-trigger",
    ],
)
def test_a_finding_on_a_project_resource_by_arn_notifies(rule: Rule, arn: str) -> None:
    assert rule.matches(finding(Resources=resource(arn)))


def test_a_finding_on_a_resource_tagged_for_the_environment_notifies(rule: Rule) -> None:
    tagged = resource(
        "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc",
        {
            "project": "churn",
            "environment": "dev",
        },
    )
    assert rule.matches(finding(Resources=tagged))


@pytest.mark.parametrize(
    "changes",
    [
        # Another project's or environment's resources.
        {"Resources": resource("arn:aws:s3:::churn-prod-data-123456789012")},
        {"Resources": resource(ACCOUNT.format(service="lambda", name="function:other-dev-x"))},
        {
            "Resources": resource(
                "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc",
                {"project": "churn", "environment": "prod"},
            )
        },
        # What a passed control reports, and findings someone already took up or archived.
        {"Severity": {"Label": "INFORMATIONAL", "Normalized": 0}},
        {"Workflow": {"Status": "NOTIFIED"}},
        {"Workflow": {"Status": "RESOLVED"}},
        {"RecordState": "ARCHIVED"},
    ],
)
def test_close_misses_do_not_notify(rule: Rule, changes: dict[str, Any]) -> None:
    assert not rule.matches(finding(**changes))


def test_other_security_hub_events_do_not_notify(rule: Rule) -> None:
    custom = {**FINDING, "detail-type": "Security Hub Findings - Custom Action"}
    assert not rule.matches(custom)


def test_the_topic_gets_severity_title_resource_and_remediation(rule: Rule) -> None:
    [target] = rule.targets
    assert target.input_transformer is not None
    text = json.loads(
        transform_input(
            target.input_transformer.to_request(),  # type: ignore[arg-type]
            FINDING,
            "arn:aws:events:us-east-1:123456789012:rule/churn-dev-security-finding",
            "churn-dev-security-finding",
            "2024-05-01T09:14:08Z",
        )
    )
    assert text.splitlines() == [
        "[churn-dev] Security Hub finding (HIGH): S3 general purpose buckets should block "
        "public access",
        "Resource: arn:aws:s3:::churn-dev-data-123456789012 (AwsS3Bucket)",
        "Remediation: For information on how to correct this issue, consult the AWS Security "
        "Hub controls documentation.",
        "More: https://docs.aws.amazon.com/console/securityhub/S3.8/remediation",
        "Found by: Security Hub, account 123456789012, us-east-1",
        "Finding: " + FINDING["detail"]["findings"][0]["Id"],
        "Time: 2024-05-01T09:13:51.240Z",
    ]
