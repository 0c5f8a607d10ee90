"""`selfheal [--project DIR] VERB [ARGS]`: every user verb, each delegating to its package.

A verb works on one project directory (settings per environment, optionally the team's own job
code): DIR, else $SELFHEAL_PROJECT, else the current directory. Generated files go to the current
directory (or ``--out``), never into the installed package. Exit 2 on a usage error (an unknown
verb too); Ctrl-C exits 130 with `<program>: interrupted`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from commandline.interrupts import run_interruptibly
from commandline.process_exit import exit_with
from environments.project import PROJECT_VARIABLE

EXIT_USAGE = 2


@dataclass(frozen=True)
class Verb:
    summary: str
    run: Callable[[list[str]], int]
    # The name Ctrl-C reports: the demo keeps its own, as `make demo` always said `demo: ...`.
    program: str = ""


def _init(argv: list[str]) -> int:
    from selfheal.init_command import main

    return main(argv)


def _asl(argv: list[str]) -> int:
    from workflows.generate import main

    return main(argv, prog="selfheal asl")


def _validate(argv: list[str]) -> int:
    from asl_validation.cli import main

    return int(main(argv))


def _rules(argv: list[str]) -> int:
    from event_rules.cli import main

    return main(argv)


def _render(argv: list[str]) -> int:
    from workflows.render import main

    return int(main(argv))


def _iam(argv: list[str]) -> int:
    from selfheal.iam_command import main

    return main(argv)


def _deploy_command(command: str) -> Callable[[list[str]], int]:
    def run(argv: list[str]) -> int:
        from selfheal.deploy_commands import main

        return main([command, *argv])

    return run


def _package(argv: list[str]) -> int:
    from selfheal.package_command import main

    return main(argv)


def _audit(argv: list[str]) -> int:
    from selfheal.audit_command import main

    return main(argv)


def _demo(argv: list[str]) -> int:
    from selfheal.demo import main

    return main(argv)


def _console(argv: list[str]) -> int:
    from selfheal.console_command import main

    return main(argv)


def _local(argv: list[str]) -> int:
    from localcloud.__main__ import main

    return main(argv)


VERBS: dict[str, Verb] = {
    "init": Verb("make a project directory for a CSV: DIR --data FILE.csv --target COLUMN", _init),
    "asl": Verb("write <out>/<name>.asl.json for every state machine (default ./asl)", _asl),
    "rules": Verb(
        "the rule and schedule files (generate, ./rules), explain an event, test-pattern",
        _rules,
    ),
    "render": Verb("draw a state machine's graph: NAME (Mermaid, and SVG with graphviz)", _render),
    "validate": Verb("validate Amazon States Language definitions: FILE...", _validate),
    "iam": Verb("print the least-privilege IAM roles derived from the definitions, linted", _iam),
    "plan": Verb("what a deploy would change", _deploy_command("plan")),
    "deploy": Verb("deploy the environment (--target local|aws)", _deploy_command("apply")),
    "rollback": Verb("make live what was live before the last deploy", _deploy_command("rollback")),
    "destroy": Verb("delete the environment's resources (asks first)", _deploy_command("destroy")),
    "unlock": Verb("release the lock a crashed deploy left", _deploy_command("unlock")),
    "template": Verb(
        "write a CloudFormation template (default ./build/<env>.template.json)",
        _deploy_command("template"),
    ),
    "publish": Verb(
        "upload the Lambda zips and job code the template's stack needs (--code-bucket)",
        _deploy_command("publish"),
    ),
    "permissions": Verb("print the IAM policy the deployer needs", _deploy_command("permissions")),
    "audit": Verb(
        "who changed a resource (default: who deleted or changed the endpoint), from CloudTrail",
        _audit,
    ),
    "package": Verb("build the Lambda zips and job code (default ./build)", _package),
    "demo": Verb("the whole self-healing loop in the embedded cloud", _demo, program="demo"),
    "console": Verb(
        "a web console on 127.0.0.1:8321 (--port): executions, models, endpoint, alarms",
        _console,
    ),
    "local": Verb("the embedded cloud as a local server: up | down | serve", _local),
}


def usage() -> str:
    width = max(map(len, VERBS))
    lines = [f"  {name:<{width}}  {verb.summary}" for name, verb in VERBS.items()]
    return (
        "usage: selfheal [--project DIR] VERB [ARGS]   (selfheal VERB --help for its arguments)\n\n"
        + (__doc__ or "").split("\n")[0]
        + "\n\nverbs:\n"
        + "\n".join(lines)
        + "\n"
    )


def _split_project(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """(DIR of a leading ``--project DIR``, the arguments after it); None when DIR is missing."""
    if argv and argv[0].startswith("--project="):
        return argv[0].split("=", 1)[1], argv[1:]
    if argv and argv[0] == "--project":
        return (argv[1], argv[2:]) if len(argv) > 1 else None
    return None, argv


def main(argv: list[str]) -> int:
    """The verb's exit code; Ctrl-C is left to the caller (see ``run``)."""
    split = _split_project(argv)
    if split is None:
        sys.stderr.write(f"selfheal: --project needs a directory\n{usage()}")
        return EXIT_USAGE
    project, argv = split
    if project is not None:
        # Every verb, and every process it starts, works on this project from here on.
        os.environ[PROJECT_VARIABLE] = os.path.abspath(project)
    if not argv or argv[0] in {"-h", "--help"}:
        sys.stdout.write(usage())
        return 0 if argv else EXIT_USAGE
    verb = VERBS.get(argv[0])
    if verb is None:
        sys.stderr.write(f"selfheal: unknown verb {argv[0]!r}\n{usage()}")
        return EXIT_USAGE
    try:
        return verb.run(argv[1:])
    except SystemExit as exit_:  # argparse's usage errors inside a verb
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)


def command() -> NoReturn:
    """The console script's entry point: `run()`, then the process ends."""
    exit_with(run())


def run(argv: list[str] | None = None) -> int:
    """Every verb, as the `selfheal` command runs it; the exit code."""
    args = sys.argv[1:] if argv is None else argv
    split = _split_project(args)
    verb = split[1][:1] if split is not None else []
    known = VERBS.get(verb[0]) if verb else None
    program = (known.program if known else "") or "selfheal"
    return run_interruptibly(lambda: main(args), program)
