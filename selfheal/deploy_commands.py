"""Deploy the project: plan, apply, rollback, destroy, or write a CloudFormation template.

    selfheal plan     [--env dev|prod] [--target local|aws] [-v]
    selfheal deploy   [--env dev|prod] [--target local|aws] [-v]
    selfheal rollback [--env dev|prod] [--target local|aws] [--machine NAME]...
    selfheal destroy  [--env dev|prod] [--target local|aws] [--yes] [--delete-data]
    selfheal unlock   [--env dev|prod] [--target local|aws] [--yes]
    selfheal template [--env dev|prod] [--out FILE]
    selfheal publish  [--env dev|prod] [--target local|aws] --code-bucket BUCKET
    selfheal permissions [--env dev|prod] [--boundary]

``destroy`` prints what it deletes and keeps, and deletes only with ``--yes`` or, in a
terminal, when the environment's name is typed; data (buckets holding objects, model package
groups holding packages) only with ``--delete-data``. ``unlock`` releases the environment lock
a crashed deploy left, after showing its holder (``--yes``, or the name typed).
``publish`` uploads what the template's stack needs (`deploy.publish`): run it before
creating or updating the stack, and again after the stack's first creation.
``permissions`` prints the IAM policy the deployer needs (every call of plan, apply, rollback
and destroy on the AWS target), as JSON; ``--boundary`` prints instead the managed policy every
role of the environment carries as its permissions boundary, which an administrator creates
once, named as it says (`deploy.boundary`).

``--engine cloudformation`` runs plan, deploy, rollback and destroy on the template as one
CloudFormation stack, through change sets (`selfheal.stack_commands`; ``--code-bucket`` names
the bucket for its Lambda zips and templates, made on the embedded cloud when not given).

``deploy`` shows one progress line with counts (rewritten in place on a terminal, a line per
phase otherwise); ``-v``/``--verbose`` prints a line per resource instead.

``--target local`` (default) deploys to the embedded cloud, starting its server when needed
(its state in ``.localcloud/`` under the current directory);
``aws`` uses the standard AWS environment. ``AWS_ENDPOINT_URL`` names another endpoint.
Exit 0 on success, 1 when the deploy was refused or failed, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from deploy import (
    AWS,
    LOCAL,
    DeployRefused,
    DestroyIncomplete,
    DestroyRefused,
    EnvironmentLocked,
    RollbackError,
    deploy,
    destroy,
    plan,
    rollback,
)
from deploy.boundary import boundary_name, boundary_policy
from deploy.calls import ClientFactory
from deploy.clients import TargetError, aws_clients, endpoint_clients
from deploy.lock import UnlockRefused, unlock
from deploy.permissions import deployer_policy
from deploy.progress import ProgressLine
from deploy.publish import PublishRefused, publish
from deploy.stack_engine import StackFailed
from deploy.target import DeployTarget
from deploy.template import template_blueprint, write_template
from environments.project import environment_argument
from environments.settings import Settings, SettingsError, environments, load_settings
from localcloud import server as local_server
from selfheal.stack_commands import (
    STACK_COMMANDS,
    StackRefused,
    code_bucket,
    run_stack_command,
)
from workflows.machines import BUILDERS

# "apply" is the deploy verb's name inside this module (`selfheal deploy` passes it on).
COMMANDS = (
    "plan",
    "apply",
    "rollback",
    "destroy",
    "unlock",
    "template",
    "publish",
    "permissions",
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="selfheal", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--env", default="dev", type=environment_argument, choices=environments())
    parser.add_argument("--target", default="local", choices=("local", "aws"))
    parser.add_argument(
        "--boundary", action="store_true", help="permissions: print the roles' boundary policy"
    )
    parser.add_argument(
        "--out", type=Path, help="template file (default build/<env>.template.json)"
    )
    parser.add_argument(
        "--code-bucket", help="publish: the existing bucket the template's CodeBucket names"
    )
    parser.add_argument(
        "--machine",
        action="append",
        choices=sorted(BUILDERS),
        help="rollback only this state machine (repeatable; default: every machine and function)",
    )
    parser.add_argument(
        "--engine",
        default="boto3",
        choices=("boto3", "cloudformation"),
        help="plan, deploy, rollback, destroy: the boto3 engine (default) or one CloudFormation "
        "stack through change sets",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="plan: list unchanged resources too; deploy: a line per resource, not a progress line",
    )
    parser.add_argument("--yes", action="store_true", help="destroy, unlock: do it without asking")
    parser.add_argument(
        "--delete-data",
        action="store_true",
        help="destroy: also buckets holding objects and model package groups holding packages",
    )
    return parser.parse_args(argv)


def _prompt() -> Callable[[str], str] | None:
    """A question on the terminal, or None without one (then only --yes confirms)."""
    if sys.stdin is None or not sys.stdin.isatty():
        return None

    def ask(question: str) -> str:
        try:
            return input(question)
        except EOFError:  # Ctrl-D: no answer, so no confirmation
            return ""

    return ask


def local_clients(settings: Settings) -> ClientFactory:
    """Clients for ``AWS_ENDPOINT_URL`` when set, else for the embedded cloud's server (started,
    or the running one reused), signed with the credentials it requires."""
    url = os.environ.get("AWS_ENDPOINT_URL")
    if url:
        return endpoint_clients(settings, url)
    # The folder's running server whatever its port (`make local-up PORT=N`), else the default.
    running = local_server.running(Path.cwd())
    port = running.port if running is not None else local_server.DEFAULT_PORT
    try:
        info, _started = local_server.up(port, Path.cwd())
    except RuntimeError as error:
        raise TargetError(f"the embedded cloud did not start: {error}") from error
    credentials = info.client_credentials()
    credentials.pop("endpoint_url")
    return endpoint_clients(settings, info.url, credentials)


def _deploy(
    settings: Settings, clients: ClientFactory, target: DeployTarget, *, verbose: bool
) -> None:
    if verbose:
        deploy(settings, clients, target=target)
        return
    progress = ProgressLine()
    try:
        deploy(settings, clients, progress.line, target=target, steps=progress.step)
    finally:
        progress.close()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        settings = load_settings(args.env)
        if args.command == "template":
            # The user's directory, never the installed package's.
            out = args.out or Path("build") / f"{args.env}.template.json"
            write_template(settings, out)
            print(f"template: wrote {out}")
            return 0
        if args.command == "permissions" and args.boundary:
            print(f"{boundary_name(settings)}:", file=sys.stderr)
            print(json.dumps(boundary_policy(settings), indent=2))
            return 0
        if args.command == "permissions":
            print(json.dumps(deployer_policy(settings), indent=2))
            return 0
        target = AWS if args.target == "aws" else LOCAL
        clients = aws_clients(settings) if target is AWS else local_clients(settings)
        if args.engine == "cloudformation" and args.command in STACK_COMMANDS:
            bucket = code_bucket(settings, clients, args.code_bucket, local=target is LOCAL)
            return run_stack_command(
                args.command, settings, clients, bucket, args.yes, _prompt(), target
            )
        if args.command == "publish":
            if not args.code_bucket:
                print("publish: name the template's CodeBucket with --code-bucket", file=sys.stderr)
                return 2
            publish(template_blueprint(settings), clients, args.code_bucket)
        elif args.command == "plan":
            plan(settings, clients, target=target, verbose=args.verbose)
        elif args.command == "apply":
            _deploy(settings, clients, target, verbose=args.verbose)
        elif args.command == "rollback":
            rollback(settings, clients, machines=args.machine)
        elif args.command == "unlock":
            unlock(settings, clients, yes=args.yes, ask=_prompt())
        else:
            destroy(settings, clients, yes=args.yes, ask=_prompt(), delete_data=args.delete_data)
    except (
        DeployRefused,
        RollbackError,
        DestroyIncomplete,
        DestroyRefused,
        EnvironmentLocked,
        PublishRefused,
        StackFailed,
        StackRefused,
        UnlockRefused,
        SettingsError,
        TargetError,
    ) as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as error:
        print(f"{args.command}: AWS call failed: {error}", file=sys.stderr)
        return 1
    return 0
