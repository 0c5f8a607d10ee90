"""Who may reach the local server: the user's own AWS tools, never a web page.

The server runs code it is sent (Lambda handlers in-process, job entrypoints as processes), so a
page open in the user's browser must not be able to call it. `RequestGuard` wraps moto's server
app and answers 403, before any handler runs, to a request that

- names another `Host` than the loopback address or `localhost` with the server's port (a DNS
  rebinding page reaches 127.0.0.1 under its own name, and sends that name);
- carries an `Origin` other than the server's own, or a `Sec-Fetch-Site` other than
  `same-origin` / `none` (browsers set both on cross-site requests and pages cannot forge them);
- is not signed the way AWS clients sign (an `Authorization` header, which no page can send
  cross-origin without a preflight, or a presigned query);
- is signed with another access key than the server's own, when the server has one (a page does
  not know it, so it cannot forge a presigned query, nor can another user on the machine).

Signatures themselves are not verified (moto does not either): the access key stands for the
secret. Responses carry no `Access-Control-*` headers, so no browser may read them.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
SIGV2_ALGORITHM = "AWS"
# "none": the user typed or pasted the URL (a presigned link); anything else came from a page.
_TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})
_LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class TrustPolicy:
    """What the server on 127.0.0.1:`port` accepts; `access_key_id` None accepts any key."""

    port: int
    access_key_id: str | None = None

    @property
    def own_origins(self) -> frozenset[str]:
        return frozenset(f"http://{name}:{self.port}" for name in _LOOPBACK_NAMES)

    def refusal(self, environ: Environ) -> str | None:
        """Why the request must not reach a handler, or None when it may."""
        return (
            self._host_refusal(environ.get("HTTP_HOST"))
            or self._browser_refusal(environ)
            or self._signature_refusal(environ)
        )

    def _host_refusal(self, host: str | None) -> str | None:
        if self._host_allowed(host):
            return None
        return (
            f"Host {host!r} does not name this server; use http://127.0.0.1:{self.port} or "
            f"http://localhost:{self.port} (other names are refused against DNS rebinding)"
        )

    def _host_allowed(self, host: str | None) -> bool:
        if not host:
            return False
        name, _, port = host.strip().lower().rpartition(":")
        if port != str(self.port):
            return False
        # `<bucket>.localhost` is S3's virtual-hosted style; browsers resolve *.localhost to
        # loopback themselves, so no rebinding page can send such a name.
        return name in _LOOPBACK_NAMES or name.endswith(".localhost")

    def _browser_refusal(self, environ: Environ) -> str | None:
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and origin.lower() not in self.own_origins:
            return (
                f"cross-origin request from Origin {origin!r}: the local server runs the code "
                "it is sent, so only the user's own tools may call it, never a web page"
            )
        fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
        if fetch_site is not None and fetch_site.lower() not in _TRUSTED_FETCH_SITES:
            return (
                f"request sent by a web page (Sec-Fetch-Site: {fetch_site}): the local server "
                "runs the code it is sent, so only the user's own tools may call it"
            )
        return None

    def _signature_refusal(self, environ: Environ) -> str | None:
        access_key = signing_access_key(environ)
        if access_key is None:
            return (
                "unsigned request: sign it as AWS clients do (a SigV4 Authorization header, "
                "or a presigned URL with X-Amz-Credential and X-Amz-Signature)"
            )
        if self.access_key_id is not None and not hmac.compare_digest(
            access_key.encode(), self.access_key_id.encode()
        ):
            return (
                f"signed with access key {access_key!r}, not this server's: export the "
                "credentials `python -m localcloud up` prints (AWS_ACCESS_KEY_ID, "
                "AWS_SECRET_ACCESS_KEY)"
            )
        return None


def signing_access_key(environ: Environ) -> str | None:
    """The access key a request is signed with, else None. SigV4 (`Authorization` header or
    presigned query) and SigV2 (`AWS key:signature` header; the presigned query boto3 still
    makes for S3 in us-east-1) count; any other `Authorization` value does not."""
    authorization = str(environ.get("HTTP_AUTHORIZATION") or "").strip()
    algorithm, _, fields = authorization.partition(" ")
    if algorithm == SIGV4_ALGORITHM:
        parts = dict(
            field.strip().partition("=")[::2] for field in fields.split(",") if "=" in field
        )
        if parts.get("Signature") and parts.get("SignedHeaders"):
            return _credential_key(parts.get("Credential"))
        return None
    if algorithm == SIGV2_ALGORITHM:
        key, _, signature = fields.strip().partition(":")
        return key if key and signature else None
    query = parse_qs(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True)

    def first(name: str) -> str:
        return query.get(name, [""])[0]

    if first("X-Amz-Algorithm") == SIGV4_ALGORITHM and first("X-Amz-Signature"):
        return _credential_key(first("X-Amz-Credential"))
    if first("AWSAccessKeyId") and first("Signature") and first("Expires"):
        return first("AWSAccessKeyId")
    return None


def _credential_key(credential: str | None) -> str | None:
    """`AKID/20240101/us-east-1/s3/aws4_request` -> `AKID` (None unless the scope is whole)."""
    parts = (credential or "").split("/")
    if len(parts) != 5 or not parts[0] or parts[4] != "aws4_request":
        return None
    return parts[0]


class RequestGuard:
    """WSGI middleware: refused requests get 403 with the reason; the rest reach `app`."""

    def __init__(self, app: WSGIApp, policy: TrustPolicy) -> None:
        self.app = app
        self.policy = policy

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        reason = self.policy.refusal(environ)
        if reason is not None:
            return _forbidden(environ, start_response, reason)

        def without_cors(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept, *exc)

        return self.app(environ, without_cors)


def _forbidden(environ: Environ, start_response: StartResponse, reason: str) -> list[bytes]:
    """403 in the error shape the caller's protocol parses, so the SDKs show the reason."""
    message = f"localcloud refused the request: {reason}"
    content_type = str(environ.get("CONTENT_TYPE") or "")
    if environ.get("HTTP_X_AMZ_TARGET") or "json" in content_type:
        body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
        kind = "application/x-amz-json-1.1"
    else:
        body = (
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
            f"<Message>{escape(message)}</Message></Error></ErrorResponse>\n"
        ).encode()
        kind = "text/xml"
    # The request body is left unread: werkzeug's server closes every connection after its
    # response, so nothing of it can be taken for a next request.
    start_response("403 Forbidden", [("Content-Type", kind), ("Content-Length", str(len(body)))])
    return [body]
