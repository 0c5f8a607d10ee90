"""`direct_request_environ`: an in-process request's WSGI environ is written directly, not by
werkzeug's test `EnvironBuilder`.

moto turns every botocore request it intercepts into a werkzeug request through
`Request.from_values`, whose builder (a `Headers` object, properties re-reading it, stream
probing) cost ~190 us of a 2.2 ms call: close to a tenth of every in-process call. For the
requests botocore sends (a method, an absolute URL whose path has no query, string headers, a
body of bytes, text or a stream) the environ is a function of those four parts, built here
with werkzeug's own encoding helpers so every key and value is the builder's; anything else
(an empty body declared as a form, header values with line breaks, which werkzeug refuses)
goes through werkzeug as before. `tests/test_localcloud_request_environ.py` compares the two
for requests of every protocol the project uses, S3 keys with reserved characters among them.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlparse, urlsplit

from localcloud.extensions.patching import PatchSet

_LINE_BREAK = re.compile(r"[\r\n]")
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/_.~%-]*")
# An empty body with these content types is a form werkzeug would encode itself.
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def environ_of(method: str, url: str, headers: list[tuple[str, str]], body: Any) -> Any:
    """The environ `EnvironBuilder(method=, base_url=, path=, query_string=, data=, headers=)`
    builds for this request, or None where werkzeug's own path must build it. A streamed body
    is read by the caller (`from_primitives`), once for either path."""
    from werkzeug._internal import _wsgi_encoding_dance
    from werkzeug.urls import iri_to_uri

    if isinstance(body, str):
        body = body.encode()
    if body is None:
        body = b""
    if not isinstance(body, bytes):
        return None
    content_type: str | None = None
    combined: dict[str, list[str]] = {}
    for key, value in headers:
        text = value if isinstance(value, str) else str(value)
        if _LINE_BREAK.search(text):
            return None
        lowered = key.lower()
        if lowered == "content-type":
            content_type = text if content_type is None else content_type
            continue
        if lowered == "content-length":
            continue  # the builder drops it: the length is the body's
        combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(text)
    if not body and content_type is not None and content_type.partition(";")[0].strip() in _FORMS:
        return None
    parts = urlparse(url)  # as moto's from_primitives splits it (`;params` leave the path)
    scheme, host, server, port, script = _base(parts.scheme, parts.netloc)
    path = parts.path
    # iri_to_uri leaves unreserved characters and escapes as they are: only others need it.
    uri_path = path if _PLAIN_PATH.fullmatch(path) else iri_to_uri(urlsplit(path).path)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script,
        "PATH_INFO": _wsgi_encoding_dance(unquote(uri_path)),
        "QUERY_STRING": _wsgi_encoding_dance(parts.query),
        "REQUEST_URI": _wsgi_encoding_dance(path),
        "RAW_URI": _wsgi_encoding_dance(path),
        "SERVER_NAME": server,
        "SERVER_PORT": port,
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for key, values in combined.items():
        environ[key] = ", ".join(values)
    return environ


@lru_cache(maxsize=256)
def _base(scheme: str, netloc: str) -> tuple[str, str, str, str, str]:
    """(scheme, host, server name, port, script name) of the URL's base, as the builder's
    `base_url` reads them."""
    from werkzeug._internal import _wsgi_encoding_dance
    from werkzeug.urls import iri_to_uri

    base = urlsplit(iri_to_uri(f"{scheme}://{netloc}"))
    server, _, port = base.netloc.partition(":")
    number = _integer(port) if port else None
    if number is None:
        number = 443 if base.scheme == "https" else 80
    script = _wsgi_encoding_dance(unquote(base.path.rstrip("/")))
    return base.scheme, base.netloc, server, str(number), script


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def install(patches: PatchSet) -> None:
    from moto.core.request import (
        PRESERVED_HEADER_NAMES_ENVIRON_KEY,
        Request,
        environ_key_for_header,
        should_preserve_original_header_name,
    )

    original = Request.from_primitives.__func__  # type: ignore[attr-defined]

    def from_primitives(cls: Any, method: str, url: str, headers: Any, body: Any = None) -> Any:
        if hasattr(body, "read"):  # a stream, or botocore's AwsChunkedWrapper, as moto reads it
            body = body.read()  # once: werkzeug's path, if taken, gets the same bytes
        header_items = [
            (key, value.decode("utf-8") if isinstance(value, bytes) else value)
            for key, value in headers.items()
            if key.lower() not in ["transfer-encoding"]
        ]
        environ = environ_of(method, url, header_items, body)
        if environ is None:
            return original(cls, method, url, headers, body)
        request = cls(environ)
        # As moto's from_primitives finishes its request.
        request.environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {
            environ_key_for_header(key): key
            for key, _ in header_items
            if should_preserve_original_header_name(key)
        }
        request.environ.setdefault("CONTENT_LENGTH", "0")
        return request

    patches.replace(Request, "from_primitives", classmethod(from_primitives))
