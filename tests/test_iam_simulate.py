"""The policy evaluator follows IAM's evaluation logic.

Facts from the IAM User Guide: "Policy evaluation logic" (explicit Deny overrides Allow; no
Allow is an implicit deny), "IAM JSON policy elements: Action" (action names are not case
sensitive), "IAM JSON policy elements: Resource" (ARNs are case sensitive; ``*`` and ``?``
wildcards may span segments), "IAM JSON policy elements: Condition operators" (a missing key
fails the operator unless ``...IfExists``; ``Null``; ARN operators match each of the six ARN
components), "Multiple values in a condition" (values of one key are ORed; keys and operators
are ANDed), "Single-valued vs. multivalued context keys" (``ForAllValues`` holds for a missing
key).
"""

from __future__ import annotations

from typing import Any

import pytest

from iam.simulate import Request, UnsupportedPolicyError, evaluate, is_allowed

ROLE = "arn:aws:iam::123456789012:role/r"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def test_no_matching_allow_is_an_implicit_deny() -> None:
    assert evaluate(policy(allow("s3:GetObject", "*")), Request("s3:PutObject", "x")) == (
        "ImplicitDeny"
    )


def test_explicit_deny_overrides_an_allow() -> None:
    document = policy(
        allow("s3:GetObject", "arn:aws:s3:::b/*"),
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/secret/*"},
    )
    assert evaluate(document, Request("s3:GetObject", "arn:aws:s3:::b/public/x")) == "Allow"
    assert evaluate(document, Request("s3:GetObject", "arn:aws:s3:::b/secret/x")) == (
        "ExplicitDeny"
    )


def test_actions_match_case_insensitively_and_with_wildcards() -> None:
    document = policy(allow(["sagemaker:Describe*", "sns:publish"], "*"))
    assert is_allowed(document, "sagemaker:DescribeTrainingJob", "x")
    assert is_allowed(document, "SNS:Publish", "x")
    assert not is_allowed(document, "sagemaker:CreateTrainingJob", "x")


def test_resources_match_case_sensitively_and_star_spans_segments() -> None:
    document = policy(allow("states:DescribeExecution", "arn:aws:states:us-east-1:1:execution:m:*"))
    assert is_allowed(
        document, "states:DescribeExecution", "arn:aws:states:us-east-1:1:execution:m:a:b"
    )
    assert not is_allowed(
        document, "states:DescribeExecution", "arn:aws:states:us-east-1:1:execution:M:a"
    )
    question = policy(allow("s3:GetObject", "arn:aws:s3:::b/file?.csv"))
    assert is_allowed(question, "s3:GetObject", "arn:aws:s3:::b/file1.csv")
    assert not is_allowed(question, "s3:GetObject", "arn:aws:s3:::b/file12.csv")


def test_not_action_and_not_resource() -> None:
    document = policy(
        {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::private/*"}
    )
    assert is_allowed(document, "s3:GetObject", "arn:aws:s3:::public/x")
    assert not is_allowed(document, "iam:PassRole", ROLE)
    assert not is_allowed(document, "s3:GetObject", "arn:aws:s3:::private/x")


def test_string_equals_needs_the_key_and_one_matching_value() -> None:
    document = policy(
        allow(
            "iam:PassRole",
            ROLE,
            {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        )
    )
    assert is_allowed(
        document, "iam:PassRole", ROLE, {"iam:PassedToService": "sagemaker.amazonaws.com"}
    )
    assert not is_allowed(
        document, "iam:PassRole", ROLE, {"iam:PassedToService": "lambda.amazonaws.com"}
    )
    assert not is_allowed(document, "iam:PassRole", ROLE)


def test_condition_keys_are_case_insensitive_values_are_not() -> None:
    document = policy(
        allow(
            "states:StartExecution", "*", {"StringEquals": {"states:StateMachineQualifier": "live"}}
        )
    )
    assert is_allowed(
        document, "states:StartExecution", "x", {"STATES:statemachinequalifier": "live"}
    )
    assert not is_allowed(
        document, "states:StartExecution", "x", {"states:StateMachineQualifier": "LIVE"}
    )


def test_values_of_a_key_are_ored_and_keys_are_anded() -> None:
    document = policy(
        allow(
            "application-autoscaling:RegisterScalableTarget",
            "*",
            {
                "StringEquals": {
                    "application-autoscaling:service-namespace": ["sagemaker", "ecs"],
                    "application-autoscaling:scalable-dimension": DIMENSION,
                }
            },
        )
    )
    both = {
        "application-autoscaling:service-namespace": "ecs",
        "application-autoscaling:scalable-dimension": DIMENSION,
    }
    assert is_allowed(document, "application-autoscaling:RegisterScalableTarget", "x", both)
    one = {"application-autoscaling:service-namespace": "sagemaker"}
    assert not is_allowed(document, "application-autoscaling:RegisterScalableTarget", "x", one)


def test_string_like_and_not_like() -> None:
    like = policy(
        allow("s3:ListBucket", "arn:aws:s3:::b", {"StringLike": {"s3:prefix": ["runs/*"]}})
    )
    assert is_allowed(like, "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "runs/r1/"})
    assert not is_allowed(like, "s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "code/"})
    not_like = policy(allow("s3:ListBucket", "*", {"StringNotLike": {"s3:prefix": "secret/*"}}))
    assert is_allowed(not_like, "s3:ListBucket", "x", {"s3:prefix": "runs/"})
    assert not is_allowed(not_like, "s3:ListBucket", "x", {"s3:prefix": "secret/a"})
    assert not is_allowed(not_like, "s3:ListBucket", "x")


def test_if_exists_holds_for_a_missing_key_and_null_tests_presence() -> None:
    if_exists = policy(
        allow("s3:GetObject", "*", {"StringEqualsIfExists": {"aws:SourceAccount": "1"}})
    )
    assert is_allowed(if_exists, "s3:GetObject", "x")
    assert not is_allowed(if_exists, "s3:GetObject", "x", {"aws:SourceAccount": "2"})
    null = policy(allow("sagemaker:AddTags", "*", {"Null": {"sagemaker:TaggingAction": "false"}}))
    assert is_allowed(null, "sagemaker:AddTags", "x", {"sagemaker:TaggingAction": "CreateModel"})
    assert not is_allowed(null, "sagemaker:AddTags", "x")


def test_arn_like_matches_each_component() -> None:
    document = policy(
        allow(
            "sts:AssumeRole",
            "*",
            {"ArnLike": {"aws:SourceArn": "arn:aws:states:us-east-1:1:stateMachine:m:*"}},
        )
    )
    assert is_allowed(
        document,
        "sts:AssumeRole",
        "x",
        {"aws:SourceArn": "arn:aws:states:us-east-1:1:stateMachine:m:live"},
    )
    assert not is_allowed(
        document,
        "sts:AssumeRole",
        "x",
        {"aws:SourceArn": "arn:aws:states:us-east-1:2:stateMachine:m:live"},
    )
    assert not is_allowed(document, "sts:AssumeRole", "x", {"aws:SourceArn": "not-an-arn"})


def test_for_all_values_holds_when_every_request_value_matches() -> None:
    document = policy(
        allow("sagemaker:AddTags", "*", {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})
    )
    assert is_allowed(document, "sagemaker:AddTags", "x", {"aws:TagKeys": ["a", "b"]})
    assert not is_allowed(document, "sagemaker:AddTags", "x", {"aws:TagKeys": ["a", "c"]})
    assert is_allowed(document, "sagemaker:AddTags", "x")


def test_unsupported_operators_and_variables_are_refused() -> None:
    with pytest.raises(UnsupportedPolicyError, match="NumericLessThan"):
        is_allowed(
            policy(allow("s3:GetObject", "*", {"NumericLessThan": {"s3:max-keys": "10"}})),
            "s3:GetObject",
            "x",
            {"s3:max-keys": "1"},
        )
    with pytest.raises(UnsupportedPolicyError, match="policy variable"):
        is_allowed(
            policy(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")),
            "s3:GetObject",
            "arn:aws:s3:::b/u/x",
        )
