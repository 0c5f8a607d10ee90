"""The desired monthly cost budget (``budget`` in the settings; none without the section).

It counts the costs tagged with both the project's and the environment's tag (a FilterExpression
``And`` of two tag filters: CostFilters' ``TagKeyValue`` ORs its values, so it could not ask for
both), which only counts once both are activated as cost allocation tags in the billing console.
Each threshold notifies the project's topic, whose policy lets budgets.amazonaws.com publish.
"""

from __future__ import annotations

from deploy.model import Json, Kind, Resource
from environments.settings import Settings


def amount_text(amount: float) -> str:
    """A Spend amount as Budgets reads it back (a decimal string with its fraction: "100.0")."""
    return f"{float(amount):.1f}" if float(amount).is_integer() else f"{float(amount)!r}"


def _tag(key: str, value: str) -> Json:
    return {"Tags": {"Key": key, "Values": [value], "MatchOptions": ["EQUALS"]}}


def budget(settings: Settings) -> list[Resource]:
    """The budget, or nothing when the settings ask for none."""
    wanted = settings.budget
    if wanted is None:
        return []
    topic = settings.location.topic(settings.topic_name)
    definition = {
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": amount_text(wanted.amount), "Unit": wanted.currency},
        "FilterExpression": {
            "And": [
                _tag("project", settings.project),
                _tag("environment", settings.environment),
            ]
        },
    }
    notifications = [
        {
            "Notification": {
                "NotificationType": kind,
                "ComparisonOperator": "GREATER_THAN",
                "Threshold": threshold,
                "ThresholdType": "PERCENTAGE",
            },
            "Subscribers": [{"SubscriptionType": "SNS", "Address": topic}],
        }
        for kind, threshold in wanted.thresholds()
    ]
    owner = {"project": settings.project, "environment": settings.environment}
    return [
        Resource(
            Kind.BUDGET,
            settings.budget_name,
            {"Budget": definition, "Notifications": notifications},
            owner,
            identifiers=(settings.location.budget(settings.budget_name),),
            # Created after the topic (whose policy must already let Budgets publish).
            references=(topic,),
        )
    ]
