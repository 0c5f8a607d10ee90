"""A literal `null` in a template's properties is kept, as CloudFormation keeps it.

moto 5.2.5's `clean_json` (which resolves Ref, Fn::GetAtt, Fn::Sub and the rest) drops every
key whose resolved value is None, which is right for `Ref: AWS::NoValue` but also dropped JSON
nulls written in the template: a state machine `Definition` object whose `Assign` sets a
variable to null lost that variable, so the deployed machine differed from the template. Literal
nulls are swapped for a marker before a resource is resolved and restored after it.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.patching import PatchSet


class _Null:
    """Stands for a literal null while moto resolves the template."""


NULL = _Null()


def _mark(value: Any) -> Any:
    if value is None:
        return NULL
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark(v) for v in value]
    return value


def _unmark(value: Any) -> Any:
    if value is NULL:
        return None
    if isinstance(value, dict):
        return {k: _unmark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmark(v) for v in value]
    return value


def install(patches: PatchSet) -> None:
    from moto.cloudformation import parsing

    original = parsing.parse_resource

    # parse_resource resolves one resource's template (clean_json); a resource it reaches
    # through Ref or Fn::GetAtt is created through parse_resource again, so marked as well.
    def parse_resource(resource_json: dict[str, Any], resources_map: Any) -> Any:
        marked = _mark(resource_json)
        parsed = original(marked, resources_map)
        resource_json.setdefault("Properties", marked.get("Properties", {}))
        if not parsed:
            return parsed
        resource_class, cleaned, resource_type = parsed
        return resource_class, _unmark(cleaned), resource_type

    patches.replace(parsing, "parse_resource", parse_resource)
