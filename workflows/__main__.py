"""`python -m workflows COMMAND ...`: asl, render, validate."""

from __future__ import annotations

import sys

USAGE = """usage: python -m workflows COMMAND [ARGS]

commands:
  asl                 write asl/<name>.asl.json for every state machine
  render NAME         draw a state machine's graph (Mermaid, and SVG through graphviz)
  validate FILE...    validate Amazon States Language definitions

The IAM roles derived from the definitions: selfheal iam [--env ENV] [--role NAME]
"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "validate":
        from asl_validation.cli import main as validate_main

        return int(validate_main(rest))
    if command == "asl":
        from workflows.generate import main as asl_main

        return asl_main(rest)
    if command == "render":
        from workflows.render import main as render_main

        return int(render_main(rest))
    sys.stderr.write(f"unknown command {command!r}\n{USAGE}")
    return 2


if __name__ == "__main__":
    from commandline.interrupts import run_interruptibly
    from commandline.process_exit import exit_with

    exit_with(run_interruptibly(lambda: main(sys.argv[1:]), "python -m workflows"))
