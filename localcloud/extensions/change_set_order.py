"""`change_set_order`: an executed change set creates resources in dependency order.

CreateStack creates a template's resources in dependency order, but moto's ExecuteChangeSet
created the added ones in the order the template lists them, so a resource that names another by
a literal name and waits for it with `DependsOn` (a schedule in its schedule group, say) was
created first and failed. CloudFormation orders both the same way; so does this.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from localcloud.extensions.patching import PatchSet


def _references(node: Any) -> Iterator[str]:
    """The logical ids a resource's JSON refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                yield str(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if isinstance(text, str):
                    yield from (part.split("}")[0].split(".")[0] for part in text.split("${")[1:])
                yield from _references(value)
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Every logical id after those it depends on (template order among equals)."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting or name not in resources:
            return
        visiting.add(name)
        body = resources[name]
        depends = body.get("DependsOn", [])
        for needed in [*([depends] if isinstance(depends, str) else depends), *_references(body)]:
            visit(needed)
        visiting.discard(name)
        ordered.append(name)

    for name in resources:
        visit(name)
    return ordered


def install(patches: PatchSet) -> None:
    from moto.cloudformation.parsing import ResourceMap

    original = ResourceMap.build_resource_diff

    def build_resource_diff(
        self: ResourceMap, other_template: dict[str, Any], parameters: Any = None
    ) -> dict[str, Any]:
        diff: dict[str, Any] = original(self, other_template, parameters)
        rank = {n: i for i, n in enumerate(dependency_order(other_template["Resources"]))}
        diff["Add"] = sorted(diff["Add"], key=lambda name: rank.get(name, len(rank)))
        return diff

    patches.replace(ResourceMap, "build_resource_diff", build_resource_diff)
