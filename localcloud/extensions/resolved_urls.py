"""`resolved_urls`: which backend URL a request's URL reaches is worked out once per URL.

moto's stubber tried each request's URL against the URL pattern of every service in turn
(about two hundred regular expressions), then against each URL of the matching service's
backend. Which service and which of its URLs answer depends on the URL alone (moto's tables
are fixed), so the answer is kept for the most recent URLs. What can change while a cloud
runs is still asked for every request, as moto does: the passthrough and allow-list
configuration, the backend (per cloud), and its URL table (S3's can be reconfigured).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from localcloud.extensions.compiled_patterns import compile_once
from localcloud.extensions.patching import PatchSet

# URLs name buckets, keys and resources, so the memo is bounded.
URLS_KEPT = 2048

# The services whose pattern the URL matched, in moto's order, and the URL of the last one's
# backend that matched it (None: no backend URL did, moto's 404 or passthrough follows).
Resolution = tuple[tuple[str, ...], str | None]


def install(patches: PatchSet) -> None:
    import moto.backend_index as backend_index
    import moto.backends as backends
    from moto.core.base_backend import BackendDict
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
    from moto.core.exceptions import ServiceNotWhitelisted
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.core.request import normalize_request
    from moto.core.utils import get_equivalent_url_in_aws_domain
    from werkzeug.exceptions import HTTPException

    original = BotocoreStubber.process_request
    kept: OrderedDict[str, Resolution] = OrderedDict()
    lock = threading.Lock()
    not_implemented = compile_once(r"https?://.+\.amazonaws.com/.*")

    def backend_of(service: str) -> Any:
        backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
        if isinstance(backend_dict, BackendDict):
            if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID]:
                return backend_dict[DEFAULT_ACCOUNT_ID]["us-east-1"]
            return backend_dict[DEFAULT_ACCOUNT_ID]["aws"]
        return backend_dict["global"]

    def resolve(clean_url: str) -> Resolution:
        services: list[str] = []
        for service, pattern in backend_index.backend_url_patterns:
            if pattern.match(clean_url):
                services.append(service)
                for url in backend_of(service).urls:
                    if compile_once(url).match(clean_url):
                        return tuple(services), url
        return tuple(services), None

    def resolution(clean_url: str) -> Resolution:
        with lock:
            found = kept.get(clean_url)
            if found is not None:
                kept.move_to_end(clean_url)
                return found
        found = resolve(clean_url)
        with lock:
            kept[clean_url] = found
            if len(kept) > URLS_KEPT:
                kept.popitem(last=False)
        return found

    def process_request(self: Any, request: Any) -> Any:
        parsed_url, _ = get_equivalent_url_in_aws_domain(request.url)
        clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"
        if passthrough_url(clean_url):
            return None
        services, url = resolution(clean_url)
        for service in services:
            if passthrough_service(service):
                return None
            if not service_whitelisted(service):
                raise ServiceNotWhitelisted(service)
        if url is not None:
            # The backend's own table, asked again: it may have been reconfigured since.
            method_to_execute = backend_of(services[-1]).urls.get(url)
            if method_to_execute is None:  # the table changed: resolve as moto would
                with lock:
                    kept.pop(clean_url, None)
                return original(self, request)
            from moto.moto_api import recorder

            normalized_request = normalize_request(request)
            try:
                recorder._record_request(normalized_request)
                return method_to_execute(
                    normalized_request, normalized_request.raw_url, normalized_request.headers
                )
            except HTTPException as e:
                return e.code, e.get_headers(), e.get_body()
        if not_implemented.match(clean_url):
            return 404, {}, "Not yet implemented"
        return None

    patches.replace(BotocoreStubber, "process_request", process_request)
