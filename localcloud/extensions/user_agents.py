"""`user_agent_strings`: a client's User-Agent header is assembled once per set of features.

botocore rebuilt the header twice for every request (sanitizing each of its components
character by character), about a fifth of a call's CPU in the embedded cloud. The string is
a function of the client's fixed settings and of the features the request uses (a waiter, a
paginator, a retry mode), so it is kept per client and feature set. Only while a cloud runs:
outside one, botocore builds it as it always does.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.local_signatures import answered_in_process
from localcloud.extensions.patching import PatchSet

_STRINGS = "_localcloud_strings"


def install(patches: PatchSet) -> None:
    from botocore.context import get_context
    from botocore.useragent import UserAgentString

    original = UserAgentString.to_string

    def to_string(self: Any) -> str:
        if not answered_in_process():
            return str(original(self))
        context = get_context()
        key = (
            # The config itself (compared by identity), so a new one never takes a dead one's id.
            self._client_config,
            frozenset(self._client_features or ()),
            frozenset(context.features) if context is not None else frozenset(),
            self._session_user_agent_name,
            self._session_user_agent_version,
            self._session_user_agent_extra,
        )
        # Copies of the object (one per client) share this dict; the key tells them apart.
        strings: dict[Any, str] | None = self.__dict__.get(_STRINGS)
        if strings is None:
            strings = self.__dict__[_STRINGS] = {}
        found = strings.get(key)
        if found is None:
            found = strings[key] = str(original(self))
        return found

    patches.replace(UserAgentString, "to_string", to_string)
