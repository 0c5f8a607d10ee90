"""`selfheal VERB [ARGS]`: every user verb of the project, each delegating to its package.

Generated files go to the current directory (or ``--out``), never into the installed package.
Exit 2 on a usage error (an unknown verb too); Ctrl-C exits 130 with `<program>: interrupted`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from commandline.interrupts import run_interruptibly

EXIT_USAGE = 2


@dataclass(frozen=True)
class Verb:
    summary: str
    run: Callable[[list[str]], int]
    # The name Ctrl-C reports: the demo keeps its own, as `make demo` always said `demo: ...`.
    program: str = ""


def _asl(argv: list[str]) -> int:
    from workflows.generate import main

    return main(argv, prog="selfheal asl")


def _validate(argv: list[str]) -> int:
    from asl_validation.cli import main

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
    from tasks.packaging import main

    return main(argv)


def _demo(argv: list[str]) -> int:
    from selfheal.demo import main

    return main(argv)


def _local(argv: list[str]) -> int:
    from localcloud.__main__ import main

    return main(argv)


VERBS: dict[str, Verb] = {
    "asl": Verb("write <out>/<name>.asl.json for every state machine (default ./asl)", _asl),
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
    "permissions": Verb("print the IAM policy the deployer needs", _deploy_command("permissions")),
    "package": Verb("build the Lambda zips and job code (default ./build)", _package),
    "demo": Verb("the whole self-healing loop in the embedded cloud", _demo, program="demo"),
    "local": Verb("the embedded cloud as a local server: up | down | serve", _local),
}


def usage() -> str:
    width = max(map(len, VERBS))
    lines = [f"  {name:<{width}}  {verb.summary}" for name, verb in VERBS.items()]
    return (
        "usage: selfheal VERB [ARGS]   (selfheal VERB --help for a verb's arguments)\n\n"
        + (__doc__ or "").split("\n")[0]
        + "\n\nverbs:\n"
        + "\n".join(lines)
        + "\n"
    )


def main(argv: list[str]) -> int:
    """The verb's exit code; Ctrl-C is left to the caller (see ``run``)."""
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


def run(argv: list[str] | None = None) -> int:
    """The console script's entry point."""
    args = sys.argv[1:] if argv is None else argv
    known = VERBS.get(args[0]) if args else None
    program = (known.program if known else "") or "selfheal"
    return run_interruptibly(lambda: main(args), program)
