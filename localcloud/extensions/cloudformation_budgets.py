"""`AWS::Budgets::Budget`, which moto 5.2.5 has no CloudFormation model for and skipped silently:
provisioned through the embedded cloud's Budgets API (CreateBudget with its notifications and
subscribers), so the deploy engine's reads find what a stack created. `Ref` is the budget's name
(CloudFormation's documented return value); it has no `Fn::GetAtt` attributes.

A change of the budget's name replaces it; any other change is UpdateBudget plus the
notifications' difference, as the deploy engine's provider does it (a notification is
identified by its type, operator, threshold and threshold type).
"""

from __future__ import annotations

import json
from typing import Any

from localcloud.extensions.cloudformation_types import Provisioned, aws_client, register
from localcloud.extensions.patching import PatchSet


def _notifications(properties: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        json.dumps(n["Notification"], sort_keys=True): n
        for n in properties.get("NotificationsWithSubscribers", [])
    }


class Budget(Provisioned):
    TYPE = "AWS::Budgets::Budget"

    @staticmethod
    def _name(name: str, properties: dict[str, Any]) -> str:
        return str(properties["Budget"].get("BudgetName", name))

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        budget_name = cls._name(name, properties)
        budgets = aws_client("budgets", region)
        account = aws_client("sts", region).get_caller_identity()["Account"]
        budgets.create_budget(
            AccountId=account,
            Budget={**properties["Budget"], "BudgetName": budget_name},
            NotificationsWithSubscribers=list(_notifications(properties).values()),
        )
        return cls(budget_name, region, account=account, properties=properties)

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if self._name(name, properties) != self.physical_id:
            return super().change(name, properties)
        account = self.attributes["account"]
        budgets = aws_client("budgets", self.region)
        budgets.update_budget(
            AccountId=account, NewBudget={**properties["Budget"], "BudgetName": self.physical_id}
        )
        have = _notifications(self.attributes["properties"])
        want = _notifications(properties)
        for key, notification in have.items():
            if want.get(key) != notification:
                budgets.delete_notification(
                    AccountId=account,
                    BudgetName=self.physical_id,
                    Notification=notification["Notification"],
                )
        for key, notification in want.items():
            if have.get(key) != notification:
                budgets.create_notification(
                    AccountId=account, BudgetName=self.physical_id, **notification
                )
        self.attributes["properties"] = properties
        return self

    def remove(self) -> None:
        aws_client("budgets", self.region).delete_budget(
            AccountId=self.attributes["account"], BudgetName=self.physical_id
        )


def install(patches: PatchSet) -> None:
    register(patches, Budget)
