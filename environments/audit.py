"""The ``audit`` settings: whether the environment deploys its own CloudTrail trail.

CloudTrail delivers `AWS API Call via CloudTrail` events to EventBridge only while a trail with
management events logs, so the audit rules see nothing without one. An account that already has
such a trail (an organisation trail, say) keeps ``trail: false`` (the default) and the rules work
from it; ``trail: true`` deploys one, named ``<project>-<environment>-audit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Audit:
    trail: bool = False
    # `<project>-<environment>-audit`, set from the settings' prefix.
    trail_name: str = ""


def parse_audit(section: Mapping[str, Any], prefix: str) -> Audit:
    """The section (already checked against the schema) with its defaults."""
    return Audit(trail=bool(section.get("trail", False)), trail_name=f"{prefix}-audit")
