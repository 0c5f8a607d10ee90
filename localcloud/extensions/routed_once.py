"""`routed_once`: a request is routed to its operation once, however often it is asked.

For REST services (S3, Lambda, Step Functions' tags, ...) moto names a request's operation by
matching its path against a werkzeug map of every operation, and asks again for each step of
one dispatch (parsing parameters, calling the action, serializing its result), besides the
match that names the call for CloudTrail. Each match cost about a millisecond. The answer is a
function of the request (its method, host, path, query and headers, none of which dispatch
changes), so the first answer is kept on the request object itself, and dies with it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from localcloud.extensions.patching import PatchSet

_ROUTES = "_localcloud_routes"


def install(patches: PatchSet) -> None:
    from moto.core.routing import ServiceOperationRouter

    original = ServiceOperationRouter.match

    def match(self: Any, request: Any) -> tuple[Any, dict[str, Any]]:
        routes: dict[int, tuple[Any, dict[str, Any]]] | None = request.__dict__.get(_ROUTES)
        if routes is None:
            routes = request.__dict__[_ROUTES] = {}
        found = routes.get(id(self))
        if found is None:
            # A request that matches nothing raises each time, as moto's router does.
            found = routes[id(self)] = original(self, request)
        operation, params = found
        # Callers may add to the parameters they get; the kept ones stay as matched.
        return operation, dict(params)

    patches.replace(ServiceOperationRouter, "match", match)


# Paths name buckets, keys and resources, so the memo of matched paths is bounded.
PATHS_KEPT = 2048


def install_matched_paths(patches: PatchSet) -> None:
    """`matched_paths`: the werkzeug match of a REST path is made once per path and method.

    The match walks a state machine of every operation's path (S3's has a hundred) and cost
    most of a millisecond; its answer depends only on the service's rule map, the path and
    the method (the maps match no hosts), so it is kept for the most recent paths. A path that
    matches nothing raises each time, as werkzeug does.
    """
    import moto.core.routing

    original = moto.core.routing._match_path
    kept: OrderedDict[tuple[Any, str, str], tuple[Any, dict[str, Any]]] = OrderedDict()
    lock = threading.Lock()

    def match_path(matcher: Any, path_info: str, method: str) -> tuple[Any, dict[str, Any]]:
        if matcher.map.host_matching:
            rule, arguments = original(matcher, path_info, method)
            return rule, dict(arguments)
        key = (matcher.map, path_info, method)
        with lock:
            found = kept.get(key)
            if found is not None:
                kept.move_to_end(key)
        if found is None:
            rule, arguments = original(matcher, path_info, method)
            found = (rule, dict(arguments))
            with lock:
                kept[key] = found
                if len(kept) > PATHS_KEPT:
                    kept.popitem(last=False)
        rule, arguments = found
        return rule, dict(arguments)

    patches.replace(moto.core.routing, "_match_path", match_path)
