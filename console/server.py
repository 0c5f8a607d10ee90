"""`selfheal console [--port N]`: serve the console on 127.0.0.1 over the standard AWS
environment (AWS_ENDPOINT_URL for the embedded cloud: `eval "$(selfheal local up)"` first)."""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from console.app import ConsoleApp
from console.server_records import ServerRecordings, is_local_endpoint
from console.sources import Sources

DEFAULT_PORT = 8321
HOST = "127.0.0.1"


def serve_in_thread(sources: Sources, port: int = 0) -> tuple[BaseWSGIServer, str]:
    """Start serving from a daemon thread (port 0: any free one); (server, its base URL).
    Stop it with `server.shutdown()`."""
    server = make_server(HOST, port, ConsoleApp(sources), threaded=True)
    threading.Thread(target=server.serve_forever, name="console", daemon=True).start()
    return server, f"http://{HOST}:{server.server_port}"


def boto3_sources() -> Sources:
    import boto3

    session = boto3.session.Session()
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    where = endpoint or f"AWS account in {session.region_name or 'the default region'}"

    def client(service: str) -> Any:
        return session.client(service)  # type: ignore[call-overload]

    credentials = session.get_credentials()
    recordings = None
    if endpoint and is_local_endpoint(endpoint) and credentials is not None:
        # Perhaps the embedded cloud's server: its records route says, when the page asks.
        recordings = ServerRecordings(endpoint, credentials.get_frozen_credentials())
    return Sources(client=client, description=where, recordings=recordings)


def main(
    argv: list[str],
    prog: str = "selfheal console",
    find_sources: Callable[[], Sources] = boto3_sources,
) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default %(default)s")
    parser.add_argument(
        "--host", default=HOST, help="only 127.0.0.1: the console can approve models"
    )
    args = parser.parse_args(argv)
    if args.host != HOST:
        parser.error(
            f"--host {args.host} refused: the console binds {HOST} only (it can approve models)"
        )
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port}: give a port between 1 and 65535")
    sources = find_sources()
    try:
        server = make_server(HOST, args.port, ConsoleApp(sources), threaded=True)
    except OSError as error:
        parser.exit(1, f"{prog}: cannot listen on {HOST}:{args.port} ({error}); try --port N\n")
    print(
        f"console on http://{HOST}:{args.port}/ reading {sources.description} (Ctrl-C stops it)",
        flush=True,
    )
    server.serve_forever()
    return 0
