"""The ``audit`` settings: whether the environment deploys its own CloudTrail trail.

CloudTrail delivers `AWS API Call via CloudTrail` events to EventBridge only while a trail with
management events logs, so the audit rules see nothing without one. An account that already has
such a trail (an organisation trail, say) keeps ``trail: false`` (the default) and the rules work
from it; ``trail: true`` deploys one, ``<project>-<environment>-audit``, writing its log files
under the artifacts bucket's ``cloudtrail/`` prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Where the trail's log files go in the artifacts bucket (CloudTrail adds AWSLogs/<account>/).
TRAIL_KEY_PREFIX = "cloudtrail"


@dataclass(frozen=True)
class Audit:
    trail: bool = False
    # `<project>-<environment>-audit`, set from the settings' prefix.
    trail_name: str = ""


def parse_audit(section: Mapping[str, Any], prefix: str, source: str) -> tuple[Audit, list[str]]:
    """The section with its defaults, and the problems (one line each). The schema checks the
    shape first; this says the fix when a document reaches here unchecked."""
    problems = []
    trail = section.get("trail", False)
    if not isinstance(trail, bool):
        problems.append(
            f"{source}: audit.trail: {trail!r} is not true or false; write `trail: true` to "
            "deploy the environment's trail, `trail: false` (the default) to rely on the "
            "account's"
        )
        trail = False
    unknown = sorted(set(section) - {"trail"})
    if unknown:
        problems.append(
            f"{source}: audit.{unknown[0]}: not a setting of the audit section; its only key "
            "is `trail`"
        )
    return Audit(trail=trail, trail_name=f"{prefix}-audit"), problems
