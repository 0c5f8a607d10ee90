"""`eventbridge_targets`: rules matched by the project's pattern engine; Step Functions, Lambda,
SNS and SQS targets; S3 `Object Created` events with AWS's envelope."""

from __future__ import annotations

from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.events.models import Rule
    from moto.s3 import notifications

    from localcloud import event_routing

    patches.replace(event_routing, "ORIGINAL_SEND", Rule.send_to_targets)
    patches.replace(Rule, "send_to_targets", event_routing.send_to_targets)
    patches.replace(notifications, "_send_event_bridge_message", event_routing.send_s3_event)
