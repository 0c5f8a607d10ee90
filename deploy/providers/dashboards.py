"""CloudWatch dashboards. Properties: ``DashboardBody`` as JSON (PutDashboard takes it as text
and replaces the whole dashboard, so an update sends all of it).

A dashboard cannot be tagged: its owner line (dashboard_body.py) stands for the owner tags, so
``read`` returns the tags the line states, and ``owned`` keeps the dashboards whose line names
this project and environment; one without the line is no one's and is never deleted.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from deploy.dashboard_body import body_text, owner_of
from deploy.model import Json, Kind, Resource
from deploy.providers.base import Current, Provider, unless_missing

NOT_FOUND = "ResourceNotFound"


class DashboardProvider(Provider):
    kind = Kind.DASHBOARD

    @property
    def cloudwatch(self) -> Any:
        return self.clients("cloudwatch")

    def _body(self, name: str) -> Json | None:
        found = unless_missing(lambda: self.cloudwatch.get_dashboard(DashboardName=name), NOT_FOUND)
        if found is None:
            return None
        try:
            return json.loads(found.get("DashboardBody", "{}"))
        except json.JSONDecodeError:
            return {}  # not one the deploy wrote: no owner line, so no one's

    def read(self, resource: Resource) -> Current | None:
        body = self._body(resource.name)
        if body is None:
            return None
        return Current({"DashboardBody": body}, owner_of(body))

    def _put(self, resource: Resource) -> None:
        self.cloudwatch.put_dashboard(
            DashboardName=resource.name,
            DashboardBody=body_text(resource.properties["DashboardBody"]),
        )

    def create(self, resource: Resource) -> str:
        self._put(resource)
        widgets = len(resource.properties["DashboardBody"]["widgets"])
        return f"created with {widgets} widgets"

    def update(self, resource: Resource, current: Current) -> str:
        self._put(resource)  # the owner line travels in the body
        return "updated"

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        paginator = self.cloudwatch.get_paginator("list_dashboards")
        for page in paginator.paginate(DashboardNamePrefix=self.settings.prefix):
            for entry in page.get("DashboardEntries", []):
                name = entry["DashboardName"]
                if name in known or not self.is_own_name(name):
                    continue
                body = self._body(name)
                if body is not None and self.owns(owner_of(body)):
                    names.append(name)
        return names

    def delete(self, name: str) -> None:
        self.cloudwatch.delete_dashboards(DashboardNames=[name])
