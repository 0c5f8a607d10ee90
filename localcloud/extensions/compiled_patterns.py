"""`compiled_patterns`: the regular expressions on the request path are compiled once.

moto's stubber tries every URL pattern of every service against each request, and werkzeug's
router compiles each dynamic part of a REST path as it matches, all through `re.compile`.
Python's own cache holds 512 patterns; moto's URL patterns across services are more than that,
so it thrashed: a steady-state deploy of 279 calls compiled 2,447 patterns. These two modules
get an `re` whose `compile` keeps every pattern it made. The patterns come from moto's and the
routers' fixed tables (not from requests), so the cache is bounded by them; a compiled pattern
is immutable, so it holds no cloud's state.
"""

from __future__ import annotations

import re
import threading
from types import ModuleType
from typing import Any

from localcloud.extensions.patching import PatchSet

_compiled: dict[tuple[Any, int], re.Pattern[Any]] = {}
_lock = threading.Lock()


def compile_once(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
    key = (pattern, int(flags))
    found = _compiled.get(key)
    if found is None:
        found = re.compile(pattern, flags)
        with _lock:
            _compiled.setdefault(key, found)
    return found


class _RegexModule(ModuleType):
    """`re` itself for every name but `compile`."""

    compile = staticmethod(compile_once)

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)


_shim = _RegexModule("re")


def install(patches: PatchSet) -> None:
    import moto.core.botocore_stubber
    import werkzeug.routing.matcher

    for module in (moto.core.botocore_stubber, werkzeug.routing.matcher):
        patches.replace(module, "re", _shim)
