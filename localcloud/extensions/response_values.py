"""`response_attribute_keys`: moto's response serializer works out where a member's value lives
once per kind of object and member, not once per value.

For every member of every structure it serializes, moto asks six alias providers which
attribute or key of the Python object might hold the value (the name, its snake_case form, the
name without the shape's or the class's prefix, ...), building a provider object per question.
For a history of 60 events of a 60-member shape that is thousands of providers per response:
the largest single cost of a GetExecutionHistory, and a visible one of every JSON response. The
candidate names depend only on the object's class, the member's shape (with its parent) and
its name, so they are kept per (class, shape, name). Objects that name their own aliases
(a `Meta` class) and pickers with response transformers are asked in full each time, as moto
does; the candidates are still tried in moto's order against each object.
"""

from __future__ import annotations

import threading
from typing import Any

from localcloud.extensions.patching import PatchSet

# Shapes come from the shared service models and classes from moto's code, so the set is small;
# the bound only guards against a caller that builds models per request.
KEYS_KEPT = 20_000


def install(patches: PatchSet) -> None:
    from moto.core.serialize import (
        DEFAULT_ALIAS_PROVIDERS,
        AttributePickerContext,
        ResponseSerializer,
        XFormedAttributePicker,
    )
    from moto.core.utils import MISSING, get_value

    original = ResponseSerializer.get_value
    # (class, id(shape), member name) -> (shape, candidate names). The shape is held so its id
    # is never reused by another shape while the entry lives.
    kept: dict[tuple[type, int, str], tuple[Any, tuple[str, ...]]] = {}
    lock = threading.Lock()

    def candidates_for(serializer: Any, picker: Any, value: Any, key: str, shape: Any) -> Any:
        context = AttributePickerContext(
            obj=value,
            key=key,
            shape=shape,
            operation_model=serializer.operation_model,
            service_model=serializer.operation_model.service_model,
            key_path=".".join(serializer.path),
        )
        return tuple(picker.get_possible_keys(context))

    def picked(self: Any, value: Any, key: str, shape: Any) -> Any:
        picker = self._value_picker
        if (
            type(picker) is not XFormedAttributePicker
            or picker.response_transformers
            or picker.alias_providers is not DEFAULT_ALIAS_PROVIDERS
            or hasattr(value, "Meta")
        ):
            return original(self, value, key, shape)
        found = kept.get((type(value), id(shape), key))
        if found is None:
            candidates = candidates_for(self, picker, value, key, shape)
            with lock:
                if len(kept) >= KEYS_KEPT:
                    kept.clear()
                kept[(type(value), id(shape), key)] = (shape, candidates)
        else:
            candidates = found[1]
        if type(value) is dict:
            # moto's get_value on a dict: a lookup, or a walk for a dotted name.
            for candidate in candidates:
                picked_value = (
                    value.get(candidate, MISSING)
                    if "." not in candidate
                    else get_value(value, candidate, MISSING)
                )
                if picked_value is not MISSING:
                    return picked_value
            return None
        for candidate in candidates:
            picked_value = get_value(value, candidate, MISSING)
            if picked_value is not MISSING:
                return picked_value
        return None

    patches.replace(ResponseSerializer, "get_value", picked)
