"""`cloudtrail_api_events`: every management write made to the embedded cloud (in-process through
botocore, or over the server's HTTP) is recorded as CloudTrail records it, and sent to the
default event bus as `AWS API Call via CloudTrail` while a trail logs (`cloudtrail_events.py`).
`cloudtrail_lookup_events`: LookupEvents answers from that record (moto had no LookupEvents).

A call is named before moto handles it (moto records every request it is about to dispatch, in
both modes) and recorded after, with its status, so a refused call is not recorded. Calls nest
on one thread (Invoke runs the handler, whose calls run inside it), so each dispatch has its own
frame on a per-thread stack.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from localcloud.extensions.patching import PatchSet

LOG = logging.getLogger(__name__)

_frames = threading.local()


def _stack() -> list[list[Any]]:
    stack: list[list[Any]] | None = getattr(_frames, "stack", None)
    if stack is None:
        stack = _frames.stack = []
    return stack


def _name_call(request: Any) -> None:
    stack = _stack()
    if not stack or stack[-1]:
        return
    from localcloud import api_calls

    try:
        call = api_calls.identify(request)
    except Exception:  # naming a call must never fail the call
        LOG.debug("could not name the call to %s", getattr(request, "url", "?"), exc_info=True)
        call = None
    stack[-1][:] = [request, call]


def _record(frame: list[Any], status: int, body: Any) -> None:
    if len(frame) != 2 or frame[1] is None:
        return
    request, call = frame
    if call.read_only or call.data_event or status >= 300:
        return
    from localcloud import cloudtrail_events

    try:
        cloudtrail_events.record_call(request, call, status, body)
    except Exception:  # the call happened; a record that cannot be made must not undo it
        LOG.warning("could not record %s as a CloudTrail event", call.event_name, exc_info=True)


def install(patches: PatchSet) -> None:
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.utils import convert_to_flask_response
    from moto.moto_api import recorder as moto_recorder

    original_record = moto_recorder._record_request
    original_process = BotocoreStubber.process_request
    original_flask_call = convert_to_flask_response.__call__

    def record_request(request: Any, body: bytes | None = None) -> None:
        _name_call(request)
        original_record(request, body)

    def process_request(self: Any, request: Any) -> Any:
        stack = _stack()
        frame: list[Any] = []
        stack.append(frame)
        try:
            response = original_process(self, request)
        finally:
            stack.pop()
        if response is not None:
            _record(frame, int(response[0]), response[2])
        return response

    def flask_call(self: Any, args: Any = None, **kwargs: Any) -> Any:
        stack = _stack()
        frame: list[Any] = []
        stack.append(frame)
        try:
            response = original_flask_call(self, args, **kwargs)
        finally:
            stack.pop()
        if frame and frame[1] is not None:
            body = b"" if response.is_streamed else response.get_data()
            _record(frame, int(response.status_code), body)
        return response

    patches.replace(moto_recorder, "_record_request", record_request)
    patches.replace(BotocoreStubber, "process_request", process_request)
    patches.replace(convert_to_flask_response, "__call__", flask_call)


def install_lookup_events(patches: PatchSet) -> None:
    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError

    from localcloud import cloudtrail_events

    def lookup_events(self: Any) -> str:
        params = json.loads(self.body or "{}")
        try:
            return json.dumps(cloudtrail_events.lookup_events(params))
        except cloudtrail_events.LookupError_ as error:
            raise JsonRESTError(error.code, str(error)) from None

    patches.replace(CloudTrailResponse, "lookup_events", lookup_events)
