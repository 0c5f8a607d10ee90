"""The server process's HTTP app and the credentials it requires.

Each server gets its own random credentials. The process adopts them for every caller inside it
(Lambda handlers and job workers sign with the environment's, moto's interpreter with the ones its
client factory is given) and requires them of every request (`request_guard`); `up` hands them to
the user's tools through the state file and the `export` lines it prints.
"""

from __future__ import annotations

import os
import secrets
import threading
import types
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from localcloud.request_guard import RequestGuard, TrustPolicy
from localcloud.server_records import RecordsRoute

# A real AWS session or profile must not leak into a process that runs jobs' code, nor be what
# its callers sign with (the server would refuse them).
_FOREIGN_CREDENTIAL_VARIABLES = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE")


@dataclass(frozen=True)
class ServerCredentials:
    access_key_id: str
    secret_access_key: str


def new_credentials() -> ServerCredentials:
    # 20 characters like an AWS key id; never 12 digits, which moto would take for an account.
    return ServerCredentials(
        access_key_id="LOCAL" + secrets.token_hex(8).upper()[:15],
        secret_access_key=secrets.token_urlsafe(30),
    )


def adopt_credentials(credentials: ServerCredentials, port: int) -> None:
    """Make every caller inside this process reach this server, signed with `credentials`."""
    for name in _FOREIGN_CREDENTIAL_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(
        {
            "MOTO_PORT": str(port),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        }
    )
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    _sign_interpreter_calls(credentials)


def _sign_interpreter_calls(credentials: ServerCredentials) -> None:
    """moto's interpreter builds its clients with the fixed keys "ak"/"sk" through the module's
    `boto3`; give that module a `boto3` whose clients carry the server's keys instead."""
    import boto3
    from moto.stepfunctions.parser.asl.utils import boto_client

    def client(*args: Any, **kwargs: Any) -> Any:
        kwargs["aws_access_key_id"] = credentials.access_key_id
        kwargs["aws_secret_access_key"] = credentials.secret_access_key
        return boto3.client(*args, **kwargs)

    boto_client.boto3 = types.SimpleNamespace(client=client)  # type: ignore[assignment]


def start_http_server(port: int, credentials: ServerCredentials) -> BaseWSGIServer:
    """moto's server app behind `RequestGuard`, served from a daemon thread on 127.0.0.1."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    app = RequestGuard(
        RecordsRoute(DomainDispatcherApplication(create_backend_app)),
        TrustPolicy(port=port, access_key_id=credentials.access_key_id),
    )
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, name="localcloud-http", daemon=True).start()
    return server
