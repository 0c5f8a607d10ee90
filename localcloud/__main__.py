"""`python -m localcloud serve|up|down [--port N]`: the embedded cloud as a local server.

`up` prints the `export` lines (endpoint and the server's credentials) its clients need."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from localcloud import server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("serve", "run the server in the foreground"),
        ("up", "start the server in the background, or reuse a running one"),
        ("down", "stop the server started by 'up'"),
    ):
        command = commands.add_parser(name, help=text)
        if name != "down":
            command.add_argument(
                "--port",
                type=int,
                default=server.DEFAULT_PORT,
                help=f"port on 127.0.0.1 (default {server.DEFAULT_PORT})",
            )
    args = parser.parse_args(argv)
    workdir = Path.cwd()
    if args.command == "serve":
        server.serve(args.port, workdir)
        return 0
    if args.command == "up":
        try:
            info, started = server.up(args.port, workdir)
        except RuntimeError as error:
            print(f"localcloud: {error}", file=sys.stderr)
            return 1
        verb = "started" if started else "already running"
        # A comment and export lines: `eval "$(python -m localcloud up)"` points the shell's
        # AWS tools at the server, signed with the credentials it requires.
        print(f"# localcloud: {verb} at {info.url} (pid {info.pid})")
        print("\n".join(info.exports()))
        return 0
    try:
        stopped = server.down(workdir)
    except server.NotOurServer as error:
        print(f"localcloud: {error}", file=sys.stderr)
        stopped = None
    print("localcloud: stopped" if stopped else "localcloud: not running")
    return 0


if __name__ == "__main__":
    from commandline.interrupts import run_interruptibly

    sys.exit(run_interruptibly(main, "localcloud"))
