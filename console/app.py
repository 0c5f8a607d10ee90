"""The console's WSGI app: routes to pages, the one POST (a model package decision), and the
checks every request passes (the Host names this machine, so a page from another site that
rebinds its DNS name to 127.0.0.1 cannot read or drive the console)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from botocore.exceptions import BotoCoreError, ClientError
from werkzeug.wrappers import Request, Response

from console import pages_dashboard, pages_models, pages_monitoring, pages_workflows
from console.page import frame, notice
from console.sources import Sources

Page = Callable[[Sources, Mapping[str, str]], tuple[str, str]]

PAGES: dict[str, Page] = {
    "/": pages_workflows.machines_page,
    "/machine": pages_workflows.machine_page,
    "/executions": pages_workflows.executions_page,
    "/execution": pages_workflows.execution_page,
    "/models": pages_models.models_page,
    "/endpoints": pages_monitoring.endpoints_page,
    "/endpoint": pages_monitoring.endpoint_page,
    "/alarms": pages_monitoring.alarms_page,
    "/alarm": pages_monitoring.alarm_page,
    "/dashboards": pages_dashboard.dashboards_page,
    "/dashboard": pages_dashboard.dashboard_page,
    "/events": pages_monitoring.events_page,
}
LOCAL_HOSTS = ("127.0.0.1", "localhost")
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


class ConsoleApp:
    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = self.respond(Request(environ))
        response.headers.update(_HEADERS)
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def _html(self, title: str, body: str, code: int = 200) -> Response:
        page = frame(title, body, self.sources.description)
        return Response(page, status=code, content_type="text/html; charset=utf-8")

    def respond(self, request: Request) -> Response:
        if request.host.rsplit(":", 1)[0] not in LOCAL_HOSTS:
            return self._html("Refused", notice("the console answers 127.0.0.1 only", True), 403)
        try:
            if request.path == "/models/decide":
                if request.method != "POST":
                    return self._html(
                        "Refused", notice("decide with the page's buttons", True), 405
                    )
                return self._decide(request.form)
            page = PAGES.get(request.path)
            if page is None:
                return self._html("Not found", notice(f"no page {request.path}", True), 404)
            title, body = page(self.sources, request.args)
            return self._html(title, body)
        except ClientError as error:
            code = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
            return self._html("AWS refused", notice(str(error), True), 404 if code == 404 else 400)
        except BotoCoreError as error:
            return self._html("AWS unreachable", notice(str(error), True), 502)

    def _decide(self, form: Mapping[str, str]) -> Response:
        try:
            done = pages_models.decide(self.sources, form)
        except pages_models.Refused as refused:
            return self._html("Refused", notice(str(refused), True), 400)
        # After a POST, a redirect: reloading the page does not decide twice.
        response = Response(status=303)
        response.headers["Location"] = "/models?" + urlencode({"done": done})
        return response
