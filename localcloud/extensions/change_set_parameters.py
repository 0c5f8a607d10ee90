"""`change_set_parameters`: a change set lists the resources a changed parameter changes.

moto's change set compares the templates alone, so a stack update that only passes another
parameter value (an instance type, say) was described as changing nothing, although executing it
updates every resource that refers to the parameter, as CloudFormation both describes and does.
The description here uses the same comparison as the update itself, parameters included.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.cloudformation.models import Change, ChangeSet

    def diff(self: ChangeSet) -> list[Any]:
        resource_map = self.stack.resource_map
        by_action = resource_map.build_resource_diff(self.template_dict, self.parameters)
        new, old = self.template_dict.get("Resources", {}), resource_map._resource_json_map
        changes = []
        for action, names in by_action.items():
            for name in names:
                kind = (old if action == "Remove" else new)[name]["Type"]
                changes.append(Change(action, name, kind))
        return changes

    patches.replace(ChangeSet, "diff", diff)
