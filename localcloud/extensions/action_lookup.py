"""`action_lookup`: each request's action is looked up on its response class directly.

moto listed every function of the response class (`inspect.getmembers`, a few hundred
attributes) on each request only to ask whether the action is one of them: about 4% of the CPU
of concurrent retrains. The answer is the same when asked of the one name; nothing is cached,
so methods an extension adds later are found as before.
"""

from __future__ import annotations

import inspect
from typing import Any

from localcloud.extensions.patching import PatchSet


class _FunctionNames:
    """The names of a class's functions, as `name in ...` asks: one attribute looked up."""

    def __init__(self, clazz: Any) -> None:
        self._clazz = clazz

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and inspect.isfunction(getattr(self._clazz, name, None))


def install(patches: PatchSet) -> None:
    from moto.core import responses

    patches.replace(responses, "method_names_from_class", _FunctionNames)
