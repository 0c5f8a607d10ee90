"""The policy lint, on every derived role and on planted defects; and the ``iam`` command.

IAM facts: a Sid holds only A-Z, a-z and 0-9 ("IAM JSON policy elements: Sid"); the inline
policies of a role total at most 10,240 characters, whitespace excluded ("IAM and AWS STS
quotas"); ``iam:PassRole`` should be conditioned on ``iam:PassedToService`` ("Granting a user
permissions to pass a role to an AWS service").
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest

from environments.settings import environments, load_settings
from iam import RoleSpec, lint_policy, lint_role
from selfheal.iam_command import main
from tests.iam_helpers import derived_roles


@cache
def roles(environment: str) -> list[RoleSpec]:
    return derived_roles(load_settings(environment))


@pytest.mark.parametrize("environment", environments())
def test_every_derived_role_is_lint_clean(environment: str) -> None:
    findings = [f for role in roles(environment) for f in lint_role(role)]
    assert findings == []


def clean() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Publish",
                "Effect": "Allow",
                "Action": ["sns:Publish"],
                "Resource": ["arn:aws:sns:us-east-1:123456789012:topic"],
            }
        ],
    }


def with_statement(**fields: Any) -> dict[str, Any]:
    document = clean()
    document["Statement"][0].update(fields)
    return document


def test_a_clean_policy_has_no_findings() -> None:
    assert lint_policy(clean()) == []


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({**clean(), "Version": "2008-10-17"}, "Version must be '2012-10-17'"),
        ({"Version": "2012-10-17", "Statement": []}, "non-empty list"),
        (with_statement(Sid="publish-topic"), "Sid of A-Z, a-z and 0-9"),
        (with_statement(Action=["sns:*"]), "is a wildcard"),
        (with_statement(Action=["sns:Pub?ish"]), "is a wildcard"),
        (with_statement(Action="*"), "is a wildcard"),
        (with_statement(Resource="*"), "Resource '*' without a recorded reason"),
        (with_statement(Resource="arn:aws:sns:us-east-1:123456789012:*"), "every resource"),
        (with_statement(NotResource="arn:aws:sns:us-east-1:123456789012:x"), "NotResource"),
        (
            with_statement(Action=["iam:PassRole"], Resource="arn:aws:iam::123456789012:role/r"),
            "without a StringEquals iam:PassedToService",
        ),
        (
            with_statement(
                Action=["iam:PassRole"],
                Resource="arn:aws:iam::123456789012:role/*",
                Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            ),
            "iam:PassRole on a wildcard resource",
        ),
        (with_statement(Action=["sns:Pubish"]), "parliament UNKNOWN_ACTION"),
        (
            with_statement(Action=["s3:GetObject"], Resource="arn:aws:s3:::bucket"),
            "parliament RESOURCE_MISMATCH",
        ),
        (
            with_statement(
                Action=["iam:PutRolePolicy"], Resource="arn:aws:iam::123456789012:role/r"
            ),
            "parliament",
        ),
    ],
)
def test_planted_defects_are_found(document: dict[str, Any], expected: str) -> None:
    findings = lint_policy(document)
    assert any(expected in f for f in findings), findings


def test_duplicate_sids_are_found() -> None:
    document = clean()
    document["Statement"].append(copy.deepcopy(document["Statement"][0]))
    assert "Sid Publish: used by two statements" in lint_policy(document)


def test_a_recorded_wildcard_reason_is_accepted_and_a_stale_one_is_found() -> None:
    document = with_statement(Action=["xray:PutTraceSegments"], Resource="*")
    assert lint_policy(document, {"Publish": "X-Ray has no resource type"}) == []
    stale = lint_policy(clean(), {"Gone": "reason"})
    assert stale == ["wildcard_resources names Sid Gone, which the policy does not have"]


def test_an_oversized_policy_is_found() -> None:
    document = clean()
    resource = "arn:aws:sns:us-east-1:123456789012:topic-{:05d}"
    document["Statement"][0]["Resource"] = [resource.format(i) for i in range(250)]
    assert any("inline role policy limit of 10240" in f for f in lint_policy(document))


def test_sensitive_actions_outside_the_accepted_list_stay_findings() -> None:
    """parliament's PERMISSIONS_MANAGEMENT_ACTIONS is ignored only for the documented needs."""
    accepted = with_statement(
        Action=["iam:PassRole"],
        Resource="arn:aws:iam::123456789012:role/r",
        Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    )
    assert lint_policy(accepted) == []
    other = with_statement(
        Action=["iam:AttachRolePolicy"], Resource="arn:aws:iam::123456789012:role/r"
    )
    assert any("PERMISSIONS_MANAGEMENT_ACTIONS" in f for f in lint_policy(other))


def test_describe_execution_on_standard_executions_is_not_a_mismatch() -> None:
    """states:DescribeExecution accepts an execution *or* an express execution ARN."""
    document = with_statement(
        Action=["states:DescribeExecution"],
        Resource="arn:aws:states:us-east-1:123456789012:execution:m:*",
    )
    assert lint_policy(document) == []


def test_a_role_with_a_bad_trust_policy_is_found() -> None:
    role = roles("dev")[0]
    trust = copy.deepcopy(role.trust_policy)
    trust["Statement"][0]["Principal"] = {"AWS": "*"}
    broken = RoleSpec(role.name, role.description, trust, role.policy, role.wildcard_resources)
    assert any("principal must be an AWS service" in f for f in lint_role(broken))


def test_iam_command_prints_the_roles_and_exits_0_when_clean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--env", "dev", "--role", "churn-dev-scheduler"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in document["roles"]] == ["churn-dev-scheduler"]
    assert document["findings"] == []


def test_iam_command_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env", "nowhere"]) == 2
    assert "no settings for environment 'nowhere'" in capsys.readouterr().err
    assert main(["--role", "no-such-role"]) == 2
    assert "no role no-such-role" in capsys.readouterr().err
    assert main(["--bogus"]) == 2
