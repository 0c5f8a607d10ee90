"""The monthly cost budget: deployed from the ``budget`` settings by both engines, filtered on the
project's and the environment's tags, notifying the topic (whose policy lets Budgets publish),
owned by its name (the embedded cloud's Budgets keep no tags), and destroyed with the rest."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from deploy import LOCAL, deploy, destroy, plan
from deploy.template import write_template
from environments.budget import Budget
from environments.settings import Settings
from localcloud import LocalCloud
from tests.cloudformation_helpers import create_stack, events_of
from tests.deploy_helpers import dev_settings, quiet

BUDGET = Budget(250.0, "USD", (80.0, 100.0), (100.0,))


def _with_budget(budget: Budget | None = BUDGET) -> Settings:
    return dataclasses.replace(dev_settings(), budget=budget)


@pytest.fixture
def deployed(localcloud: LocalCloud) -> Settings:
    settings = _with_budget()
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    return settings


def _described(cloud: LocalCloud, settings: Settings) -> dict[str, Any]:
    budget: dict[str, Any] = cloud.client("budgets").describe_budget(
        AccountId=settings.location.account, BudgetName=settings.budget_name
    )["Budget"]
    return budget


def _notifications(cloud: LocalCloud, settings: Settings) -> list[tuple[str, float, list[Any]]]:
    budgets = cloud.client("budgets")
    account, name = settings.location.account, settings.budget_name
    out = []
    for n in budgets.describe_notifications_for_budget(AccountId=account, BudgetName=name)[
        "Notifications"
    ]:
        subscribers = budgets.describe_subscribers_for_notification(
            AccountId=account, BudgetName=name, Notification=n
        )["Subscribers"]
        out.append((n["NotificationType"], float(n["Threshold"]), subscribers))
    return sorted(out)


def test_the_budget_counts_costs_tagged_with_both_the_project_and_the_environment(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    budget = _described(localcloud, deployed)
    assert (budget["BudgetType"], budget["TimeUnit"]) == ("COST", "MONTHLY")
    assert budget["BudgetLimit"] == {"Amount": "250.0", "Unit": "USD"}
    assert budget["FilterExpression"] == {
        "And": [
            {"Tags": {"Key": "project", "Values": ["churn"], "MatchOptions": ["EQUALS"]}},
            {"Tags": {"Key": "environment", "Values": ["dev"], "MatchOptions": ["EQUALS"]}},
        ]
    }


def test_each_actual_and_forecast_threshold_notifies_the_topic(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    topic = deployed.location.topic(deployed.topic_name)
    sns = [{"SubscriptionType": "SNS", "Address": topic}]
    assert _notifications(localcloud, deployed) == [
        ("ACTUAL", 80.0, sns),
        ("ACTUAL", 100.0, sns),
        ("FORECASTED", 100.0, sns),
    ]
    policy = json.loads(
        localcloud.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    )
    [statement] = [s for s in policy["Statement"] if s.get("Sid") == "BudgetsPublishes"]
    assert statement["Principal"] == {"Service": ["budgets.amazonaws.com"]}
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": [deployed.location.budget(deployed.budget_name)]
    }


def test_settings_without_the_section_deploy_no_budget_and_no_budgets_statement(
    localcloud: LocalCloud,
) -> None:
    settings = _with_budget(None)
    deploy(settings, localcloud.client, quiet, target=LOCAL)
    account = settings.location.account
    assert localcloud.client("budgets").describe_budgets(AccountId=account)["Budgets"] == []
    topic = settings.location.topic(settings.topic_name)
    policy = localcloud.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    assert "budgets.amazonaws.com" not in policy


def test_a_changed_amount_and_threshold_update_the_budget_in_place(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    assert plan(deployed, localcloud.client, quiet, target=LOCAL).plan.pending == []
    changed = _with_budget(Budget(400.0, "USD", (50.0, 100.0), (100.0,)))
    report = plan(changed, localcloud.client, quiet, target=LOCAL)
    assert [c.resource.key for c in report.plan.pending] == [f"cost-budget/{changed.budget_name}"]
    deploy(changed, localcloud.client, quiet, target=LOCAL)
    assert _described(localcloud, changed)["BudgetLimit"]["Amount"] == "400.0"
    assert [(kind, t) for kind, t, _ in _notifications(localcloud, changed)] == [
        ("ACTUAL", 50.0),
        ("ACTUAL", 100.0),
        ("FORECASTED", 100.0),
    ]
    assert plan(changed, localcloud.client, quiet, target=LOCAL).plan.pending == []


def test_removing_the_section_deletes_the_budget_and_destroy_leaves_other_budgets(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    budgets = localcloud.client("budgets")
    account = deployed.location.account
    # Someone's budget under a name that starts with the prefix is not the project's.
    budgets.create_budget(
        AccountId=account,
        Budget={
            "BudgetName": f"{deployed.prefix}-by-hand",
            "BudgetLimit": {"Amount": "5", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    deploy(_with_budget(None), localcloud.client, quiet, target=LOCAL)
    names = [b["BudgetName"] for b in budgets.describe_budgets(AccountId=account)["Budgets"]]
    assert names == [f"{deployed.prefix}-by-hand"]

    deploy(deployed, localcloud.client, quiet, target=LOCAL)
    report = destroy(deployed, localcloud.client, quiet, yes=True, delete_data=True)
    assert f"cost-budget {deployed.budget_name}" in report.deleted
    names = [b["BudgetName"] for b in budgets.describe_budgets(AccountId=account)["Budgets"]]
    assert names == [f"{deployed.prefix}-by-hand"]


def test_the_template_renders_the_budget_and_a_stack_creates_updates_and_deletes_it(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    settings = _with_budget()
    template = write_template(settings, tmp_path / "dev.json")
    [(logical, resource)] = [
        (k, r) for k, r in template["Resources"].items() if r["Type"] == "AWS::Budgets::Budget"
    ]
    properties = resource["Properties"]
    assert properties["Budget"]["BudgetName"] == settings.budget_name
    assert len(properties["NotificationsWithSubscribers"]) == 3

    # The embedded cloud provisions it through its Budgets API (Ref: the name).
    topic = settings.location.topic(settings.topic_name)
    for n in properties["NotificationsWithSubscribers"]:
        n["Subscribers"] = [{"SubscriptionType": "SNS", "Address": topic}]
    stack = create_stack(localcloud, {logical: resource}, {"Name": {"Ref": logical}})
    assert stack["StackStatus"] == "CREATE_COMPLETE", events_of(localcloud)
    assert stack["Outputs"][0]["OutputValue"] == settings.budget_name
    assert _described(localcloud, settings)["BudgetLimit"]["Amount"] == "250.0"
    assert len(_notifications(localcloud, settings)) == 3

    cloudformation = localcloud.client("cloudformation")
    properties["Budget"]["BudgetLimit"]["Amount"] = "300.0"
    properties["NotificationsWithSubscribers"] = properties["NotificationsWithSubscribers"][:1]
    cloudformation.update_stack(
        StackName="stack",
        TemplateBody=json.dumps(
            {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {logical: resource}}
        ),
    )
    assert _described(localcloud, settings)["BudgetLimit"]["Amount"] == "300.0"
    assert [t for _, t, _ in _notifications(localcloud, settings)] == [80.0]

    cloudformation.delete_stack(StackName="stack")
    account = settings.location.account
    assert localcloud.client("budgets").describe_budgets(AccountId=account)["Budgets"] == []
