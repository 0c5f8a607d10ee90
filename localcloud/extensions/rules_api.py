"""EventBridge's rule APIs judged by the project's pattern engine, as AWS judges them.

`put_rule_patterns`: PutRule (creating or updating a rule, also from CloudFormation) rejects a
pattern AWS rejects with `InvalidEventPatternException` and AWS's reason. moto 5.2.5 accepted
such patterns, and the next PutEvents then failed inside delivery with an HTTP 500, after some
rules had already been served.

`test_event_pattern`: TestEventPattern answers `{"Result": bool}` (moto's handler returned
nothing); an invalid pattern is `InvalidEventPatternException`, an event that is not a JSON
object with AWS's mandatory envelope fields is `ValidationException`.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from localcloud.extensions.patching import PatchSet

# The API reference also lists `resources`, but AWS accepts an event without it.
MANDATORY_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def compile_or_reject(raw_pattern: Any) -> Any:
    """The compiled pattern, or the error AWS answers for it (text is the engine's, AWS's)."""
    from moto.core.exceptions import JsonRESTError

    from event_rules.pattern import InvalidEventPattern, compile_pattern
    from localcloud import event_routing

    try:
        if isinstance(raw_pattern, str):
            return event_routing.compiled(raw_pattern)
        return compile_pattern(raw_pattern)
    except InvalidEventPattern as error:
        raise JsonRESTError("InvalidEventPatternException", str(error)) from None


def _event(raw_event: Any) -> dict[str, Any]:
    from moto.events.exceptions import ValidationException

    try:
        event = json.loads(raw_event) if isinstance(raw_event, str) else None
    except json.JSONDecodeError:
        event = None
    if not isinstance(event, dict) or any(f not in event for f in MANDATORY_EVENT_FIELDS):
        raise ValidationException("Parameter Event is not valid.")
    return event


def install_put_rule_patterns(patches: PatchSet) -> None:
    from moto.events.models import EventsBackend

    original = EventsBackend.put_rule
    signature = inspect.signature(original)

    def put_rule(self: Any, *args: Any, **kwargs: Any) -> Any:
        pattern = signature.bind(self, *args, **kwargs).arguments.get("event_pattern")
        # Checked before moto replaces the rule, so an update that fails keeps the old one.
        if pattern:
            compile_or_reject(pattern)
        return original(self, *args, **kwargs)

    patches.replace(EventsBackend, "put_rule", put_rule)


def install_test_event_pattern(patches: PatchSet) -> None:
    from moto.events.responses import EventsHandler

    def test_event_pattern(self: Any) -> tuple[str, dict[str, Any]]:
        pattern = compile_or_reject(self._get_param("EventPattern"))
        event = _event(self._get_param("Event"))
        return json.dumps({"Result": bool(pattern.matches(event))}), self.response_headers

    patches.replace(EventsHandler, "test_event_pattern", test_event_pattern)
