"""The `python -m event_rules` command line: a registry of subcommands and a dispatcher.

A subcommand is a `Command` (name, help, argument setup, handler returning the exit code);
adding one is a `register(...)` call, so new verbs need no change to the dispatcher.
Exit codes: 0 success/match, 1 no match, 2 invalid pattern, unreadable input or bad usage,
141 when the output's reader closed it early.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from event_rules import explain_cli, generate
from event_rules.command_input import (
    EXIT_BROKEN_PIPE,
    EXIT_ERROR,
    EXIT_MATCH,
    EXIT_NO_MATCH,
    InputError,
    read_event,
    read_pattern_text,
)
from event_rules.pattern import InvalidEventPattern, compile_pattern


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    COMMANDS[command.name] = command
    return command


def _configure_test_pattern(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pattern", metavar="PATTERN.json", help="event pattern file")
    parser.add_argument("event", metavar="EVENT.json", help="event file (one JSON object)")


def _run_test_pattern(args: argparse.Namespace) -> int:
    pattern_text = read_pattern_text(args.pattern)
    event = read_event(args.event)
    try:
        pattern = compile_pattern(pattern_text)
    except InvalidEventPattern as error:
        print(f"{args.pattern}: {error}")
        return EXIT_ERROR
    matched = pattern.matches(event)
    print("match" if matched else "no-match")
    return EXIT_MATCH if matched else EXIT_NO_MATCH


register(
    Command(
        name="test-pattern",
        help="test one event against one pattern, as EventBridge's TestEventPattern does",
        configure=_configure_test_pattern,
        run=_run_test_pattern,
    )
)

register(
    Command(
        name="explain",
        help=explain_cli.HELP,
        configure=explain_cli.configure,
        run=explain_cli.run,
    )
)
register(
    Command(
        name="generate",
        help="write (or --check) the generated rule and schedule files of each environment",
        configure=generate.configure,
        run=generate.run,
    )
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m event_rules", description="EventBridge rule and pattern tools."
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        sub = subcommands.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one subcommand; argparse exits with 2 on bad usage."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    for stream in (sys.stdout, sys.stderr):
        # A lone surrogate (from a pattern's key, or a file name that is not UTF-8) is written
        # as its escape instead of ending the command with UnicodeEncodeError.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        status = handler(args)
        # Flushed here so that a reader gone away is seen here, not in Python's exit flush.
        sys.stdout.flush()
        return status
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader stopped early (`... | head -1`): stop quietly, as Unix tools do. Python
        # flushes stdout again at exit, so it is pointed at devnull first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
