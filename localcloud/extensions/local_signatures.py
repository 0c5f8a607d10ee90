"""`local_signatures`: requests bound for the embedded cloud carry SigV4's Authorization header
without its HMACs.

moto answers every botocore request in-process while a cloud runs, and checks no signature
(unless IAM authentication is switched on, which the embedded cloud does not do), yet botocore
built the canonical request, hashed it and chained five HMACs for each call: about a tenth of
a call's CPU. What the cloud does read is kept whole: the header's
`Credential=AKID/date/region/service/aws4_request` scope (CloudTrail's accessKeyId, the
service a call is named under, the server's access-key check) and `SignedHeaders`, and every
header signing adds (X-Amz-Date, X-Amz-Security-Token, S3's X-Amz-Content-SHA256).

Signed in full, as botocore does, whenever a request could leave the process: no cloud runs
(moto's stubber is off), moto checks signatures (INITIAL_NO_AUTH_ACTION_COUNT is set), moto is
configured to pass some requests through, the request goes to another host than AWS's (a
server on 127.0.0.1 is not moto's stubber), or the signature goes into a URL (presigned URLs are
handed to other programs).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from localcloud.extensions.patching import PatchSet

# The shape of a SigV4 signature (64 hex digits), so parsers of the header accept it.
UNSIGNED = "0" * 64
_NO_AUTHENTICATION = float("inf")


def answered_in_process() -> bool:
    """Whether moto answers botocore's requests here without checking their signatures."""
    from moto import settings
    from moto.core.models import botocore_stubber

    enabled = bool(botocore_stubber.enabled)
    return enabled and settings.INITIAL_NO_AUTH_ACTION_COUNT == _NO_AUTHENTICATION


def _answered_by_moto(url: str) -> bool:
    """Whether moto's stubber, not a server, answers a request to `url` (AWS's own hosts,
    with nothing configured to pass through to AWS)."""
    from moto.core.config import default_user_config

    passthrough = default_user_config.get("core", {}).get("passthrough") or {}
    if any(passthrough.values()):
        return False
    host = urlsplit(url).hostname or ""
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def install(patches: PatchSet) -> None:
    import botocore.auth
    from botocore.exceptions import NoCredentialsError

    original = botocore.auth.SigV4Auth.add_auth

    def add_auth(self: Any, request: Any) -> None:
        if (
            isinstance(self, botocore.auth.SigV4QueryAuth)
            or not answered_in_process()
            or not _answered_by_moto(request.url)
        ):
            original(self, request)
            return
        if self.credentials is None:
            raise NoCredentialsError()
        now = botocore.auth.get_current_datetime()  # type: ignore[attr-defined]
        request.context["timestamp"] = now.strftime(botocore.auth.SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        self._inject_signature_to_request(request, UNSIGNED)

    patches.replace(botocore.auth.SigV4Auth, "add_auth", add_auth)
