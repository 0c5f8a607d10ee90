"""Budgets calls moto 5.2.5 lacks, which the deploy engine's budget provider makes:
`UpdateBudget` (`budget_updates`: replaces the budget's definition, keeping its notifications,
as AWS does; a missing budget is NotFoundException) and `DescribeSubscribersForNotification`
(`budget_subscribers`: the subscribers moto already stores with each notification; a missing
budget or notification is NotFoundException).

moto's budgets keep no tags (no TagResource/ListTagsForResource), so the deploy owns its one
budget by name (deploy/providers/budgets.py).
"""

from __future__ import annotations

import json
from typing import Any

from localcloud.extensions.patching import PatchSet


def _budget(response: Any, name: str, doing: str) -> Any:
    """The named budget of the request's account, or NotFoundException as AWS words it."""
    from moto.budgets.exceptions import NotFoundException

    budget = response.backend.budgets[response._get_param("AccountId")].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to {doing} budget: {name} - the budget doesn't exist.")
    return budget


def install_budget_updates(patches: PatchSet) -> None:
    from moto.budgets.responses import BudgetsResponse
    from moto.core.utils import unix_time

    def update_budget(self: Any) -> str:
        new = dict(self._get_param("NewBudget"))
        budget = _budget(self, new["BudgetName"], "update")
        # What the request leaves out AWS keeps as it was (the period the budget started in).
        new.setdefault("TimePeriod", budget.budget.get("TimePeriod"))
        new["LastUpdatedTime"] = unix_time()
        budget.budget = new
        return json.dumps({})

    patches.replace(BudgetsResponse, "update_budget", update_budget)


def install_budget_subscribers(patches: PatchSet) -> None:
    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.responses import BudgetsResponse

    def describe_subscribers_for_notification(self: Any) -> str:
        budget = _budget(self, self._get_param("BudgetName"), "get")
        wanted = self._get_param("Notification")
        for notification in budget.notifications:
            if notification.details == wanted:
                return json.dumps({"Subscribers": notification.subscribers})
        raise NotFoundException(
            "Unable to get subscribers - the notification doesn't exist for budget "
            f"{self._get_param('BudgetName')}."
        )

    patches.replace(
        BudgetsResponse,
        "describe_subscribers_for_notification",
        describe_subscribers_for_notification,
    )
