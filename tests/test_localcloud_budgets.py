"""Budgets as AWS keeps them, where moto 5.2.5 lacks the call: UpdateBudget, the subscribers of a
notification, and AWS::Budgets::Budget in a stack."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.cloudformation_helpers import create_stack, events_of

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
NOTIFICATION = {
    "NotificationType": "FORECASTED",
    "ComparisonOperator": "GREATER_THAN",
    "Threshold": 100.0,
    "ThresholdType": "PERCENTAGE",
}
SUBSCRIBERS = [{"SubscriptionType": "SNS", "Address": TOPIC}]


def _budget(amount: str = "100.0") -> dict[str, Any]:
    return {
        "BudgetName": "monthly",
        "BudgetLimit": {"Amount": amount, "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
    }


def _create(cloud: LocalCloud) -> Any:
    budgets = cloud.client("budgets")
    budgets.create_budget(
        AccountId=ACCOUNT,
        Budget=_budget(),
        NotificationsWithSubscribers=[{"Notification": NOTIFICATION, "Subscribers": SUBSCRIBERS}],
    )
    return budgets


def test_update_budget_replaces_the_definition_and_keeps_the_notifications(
    localcloud: LocalCloud,
) -> None:
    budgets = _create(localcloud)
    started = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="monthly")["Budget"]
    budgets.update_budget(AccountId=ACCOUNT, NewBudget=_budget("250.0"))
    budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="monthly")["Budget"]
    assert budget["BudgetLimit"] == {"Amount": "250.0", "Unit": "USD"}
    assert budget["TimePeriod"] == started["TimePeriod"]
    notifications = budgets.describe_notifications_for_budget(
        AccountId=ACCOUNT, BudgetName="monthly"
    )["Notifications"]
    assert [n["NotificationType"] for n in notifications] == ["FORECASTED"]


def test_update_budget_of_a_missing_budget_is_not_found(localcloud: LocalCloud) -> None:
    with pytest.raises(ClientError) as missing:
        localcloud.client("budgets").update_budget(AccountId=ACCOUNT, NewBudget=_budget())
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_without_the_extension_update_budget_is_not_implemented() -> None:
    with extensions_disabled("budget_updates"), LocalCloud() as cloud:
        budgets = _create(cloud)
        with pytest.raises(NotImplementedError, match="update_budget"):
            budgets.update_budget(AccountId=ACCOUNT, NewBudget=_budget("250.0"))


def test_the_subscribers_of_a_notification_are_the_ones_it_was_created_with(
    localcloud: LocalCloud,
) -> None:
    budgets = _create(localcloud)
    found = budgets.describe_subscribers_for_notification(
        AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTIFICATION
    )
    assert found["Subscribers"] == SUBSCRIBERS
    other = {**NOTIFICATION, "NotificationType": "ACTUAL"}
    with pytest.raises(ClientError) as missing:
        budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="monthly", Notification=other
        )
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_without_the_extension_subscribers_are_not_implemented() -> None:
    with extensions_disabled("budget_subscribers"), LocalCloud() as cloud:
        budgets = _create(cloud)
        with pytest.raises(NotImplementedError, match="describe_subscribers_for_notification"):
            budgets.describe_subscribers_for_notification(
                AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTIFICATION
            )


STACK_BUDGET = {
    "Type": "AWS::Budgets::Budget",
    "Properties": {
        "Budget": _budget(),
        "NotificationsWithSubscribers": [
            {"Notification": NOTIFICATION, "Subscribers": SUBSCRIBERS}
        ],
    },
}


def test_a_stack_creates_the_budget_through_the_budgets_api(localcloud: LocalCloud) -> None:
    stack = create_stack(localcloud, {"Budget": STACK_BUDGET}, {"Name": {"Ref": "Budget"}})
    assert stack["StackStatus"] == "CREATE_COMPLETE", events_of(localcloud)
    assert stack["Outputs"][0]["OutputValue"] == "monthly"
    budgets = localcloud.client("budgets")
    budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="monthly")["Budget"]
    assert budget["BudgetLimit"]["Amount"] == "100.0"
    assert (
        budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTIFICATION
        )["Subscribers"]
        == SUBSCRIBERS
    )
    localcloud.client("cloudformation").delete_stack(StackName="stack")
    assert budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"] == []


def test_without_the_extension_a_stack_creates_no_budget() -> None:
    with extensions_disabled("cloudformation_budgets"), LocalCloud() as cloud:
        create_stack(cloud, {"Budget": STACK_BUDGET})
        budgets = cloud.client("budgets").describe_budgets(AccountId=ACCOUNT)["Budgets"]
        assert budgets == []
