"""Where a deploy goes, and what differs between AWS and the embedded cloud.

The embedded cloud (``localcloud``) runs Lambda handlers in its own Python, with the project's
pinned packages, so the public Powertools layer does not exist there and is not needed; and it
serves plain HTTP on 127.0.0.1, where a bucket policy denying insecure transport would refuse
every request.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeployTarget:
    name: str
    powertools_layer: bool  # attach the public Powertools layer to the functions
    tls_only_buckets: bool  # bucket policies deny requests not made over TLS
    # The account's administrator made the roles' permissions boundary (boundary.py); the
    # embedded cloud is its own administrator and has none to check.
    boundary_required: bool


AWS = DeployTarget("aws", powertools_layer=True, tls_only_buckets=True, boundary_required=True)
LOCAL = DeployTarget(
    "local", powertools_layer=False, tls_only_buckets=False, boundary_required=False
)
