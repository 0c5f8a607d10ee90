"""AWS Budgets cost budgets. Properties: ``Budget`` (the CreateBudget definition without its
name) and ``Notifications`` (each ``Notification`` with its ``Subscribers``).

Owned by name: the embedded cloud's Budgets keep no tags, so a budget is this project's and
environment's when its name is the one the settings give (``<prefix>-monthly-cost``), and
``read`` returns the owner tags that name stands for. No other budget is ever listed as owned.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from deploy.desired_budget import amount_text
from deploy.model import Json, Kind, Resource
from deploy.providers.base import Current, Provider, unless_missing

NOT_FOUND = "NotFoundException"
# What the desired definition states; AWS adds the rest (spend, cost types, time period).
DEFINITION_KEYS = ("BudgetType", "TimeUnit", "BudgetLimit", "FilterExpression")
NOTIFICATION_KEYS = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")


def _notification(found: Mapping[str, Json]) -> dict[str, Json]:
    """A notification's identity (AWS adds NotificationState)."""
    out = {k: found[k] for k in NOTIFICATION_KEYS if k in found}
    out["Threshold"] = float(out["Threshold"])
    return out


def _key(notification: Mapping[str, Json]) -> str:
    return json.dumps(_notification(notification), sort_keys=True)


def _order(notification: Mapping[str, Json]) -> tuple[str, float]:
    return str(notification["NotificationType"]), float(notification["Threshold"])


class BudgetProvider(Provider):
    kind = Kind.BUDGET

    @property
    def budgets(self) -> Any:
        return self.clients("budgets")

    @property
    def account(self) -> str:
        return self.settings.location.account

    def _notifications(self, name: str) -> list[dict[str, Json]]:
        found = self.budgets.describe_notifications_for_budget(
            AccountId=self.account, BudgetName=name
        ).get("Notifications", [])
        out = []
        for notification in found:
            wanted = _notification(notification)
            subscribers = self.budgets.describe_subscribers_for_notification(
                AccountId=self.account, BudgetName=name, Notification=wanted
            ).get("Subscribers", [])
            out.append({"Notification": wanted, "Subscribers": subscribers})
        # The desired order (desired_budget.py): by type, then threshold.
        return sorted(out, key=lambda n: _order(n["Notification"]))

    def read(self, resource: Resource) -> Current | None:
        found = unless_missing(
            lambda: self.budgets.describe_budget(AccountId=self.account, BudgetName=resource.name),
            NOT_FOUND,
        )
        if found is None:
            return None
        definition = {k: found["Budget"][k] for k in DEFINITION_KEYS if k in found["Budget"]}
        if "BudgetLimit" in definition:
            limit = definition["BudgetLimit"]
            definition["BudgetLimit"] = {**limit, "Amount": amount_text(float(limit["Amount"]))}
        properties = {"Budget": definition, "Notifications": self._notifications(resource.name)}
        owner = {"project": self.settings.project, "environment": self.settings.environment}
        return Current(properties, owner)

    def create(self, resource: Resource) -> str:
        notifications = list(resource.properties["Notifications"])
        self.budgets.create_budget(
            AccountId=self.account,
            Budget={**resource.properties["Budget"], "BudgetName": resource.name},
            NotificationsWithSubscribers=notifications,
        )
        return f"created with {len(notifications)} notifications"

    def update(self, resource: Resource, current: Current) -> str:
        notes = []
        if resource.properties["Budget"] != current.properties["Budget"]:
            self.budgets.update_budget(
                AccountId=self.account,
                NewBudget={**resource.properties["Budget"], "BudgetName": resource.name},
            )
            notes.append("updated")
        have = {_key(n["Notification"]): n for n in current.properties["Notifications"]}
        want = {_key(n["Notification"]): n for n in resource.properties["Notifications"]}
        # A notification whose subscribers changed is deleted and created again: one call each
        # way, where the subscriber calls would take one per subscriber.
        for key, notification in have.items():
            if want.get(key) != notification:
                self.budgets.delete_notification(
                    AccountId=self.account,
                    BudgetName=resource.name,
                    Notification=notification["Notification"],
                )
                notes.append(f"removed notification {key}")
        for key, notification in want.items():
            if have.get(key) != notification:
                self.budgets.create_notification(
                    AccountId=self.account, BudgetName=resource.name, **notification
                )
                notes.append(f"added notification {key}")
        return "; ".join(notes)

    def owned(self, known: Collection[str] = ()) -> list[str]:
        name = self.settings.budget_name
        if name in known:
            return []
        found = unless_missing(
            lambda: self.budgets.describe_budget(AccountId=self.account, BudgetName=name),
            NOT_FOUND,
        )
        return [] if found is None else [name]

    def delete(self, name: str) -> None:
        self.budgets.delete_budget(AccountId=self.account, BudgetName=name)
