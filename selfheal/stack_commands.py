"""`selfheal plan|deploy|rollback|destroy --engine cloudformation`: the environment as one
CloudFormation stack (named like every resource: ``<project>-<environment>``).

    plan      the change set of the template against the stack, printed as the boto3 engine
              prints its plan, then deleted again;
    deploy    publish the code the stack needs, execute that change set and follow the stack's
              events; publish again when the stack has just created the artifacts bucket;
    rollback  the template and parameters current before the newest deploy not rolled back yet,
              as a change set (as the boto3 engine chooses: a second rollback walks further back);
    destroy   delete the stack (asks first); the buckets and the model package group stay.

Each deployed template is kept in the code bucket (``templates/<stack>/``) with a history of
what each deploy and rollback made current (a rollback names the deploy it undid), which is what
rollback goes back to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from deploy.boundary import require_boundary
from deploy.calls import ClientFactory
from deploy.providers.base import error_code
from deploy.publish import publish
from deploy.stack_engine import (
    TEMPLATE_PREFIX,
    StackFailed,
    deploy_stack,
    destroy_stack,
    plan_stack,
    template_text,
)
from deploy.target import LOCAL, DeployTarget
from deploy.template import render_template, template_blueprint
from deploy.template_resources import CODE_BUCKET_PARAMETER, logical_id
from environments.settings import Settings

HISTORY = "history.json"
STACK_COMMANDS = ("plan", "apply", "rollback", "destroy")


class StackRefused(RuntimeError):
    """The stack command cannot go on (no earlier deploy to roll back to, not confirmed)."""


@dataclass(frozen=True)
class Rendered:
    template: dict[str, Any]
    described: dict[str, str]  # logical id -> the boto3 engine's name of the resource


def rendered(settings: Settings, target: DeployTarget) -> tuple[Any, Rendered]:
    design = template_blueprint(settings, target)
    described = {logical_id(r): r.describe() for r in design.state}
    return design, Rendered(render_template(design, settings), described)


def _history_key(stack: str) -> str:
    return f"{TEMPLATE_PREFIX}{stack}/{HISTORY}"


def _history(s3: Any, bucket: str, stack: str) -> list[dict[str, Any]]:
    try:
        body = s3.get_object(Bucket=bucket, Key=_history_key(stack))["Body"].read()
    except ClientError as error:
        if error_code(error) in ("NoSuchKey", "404"):
            return []
        raise
    history: list[dict[str, Any]] = json.loads(body)
    return history


def _record(
    s3: Any,
    bucket: str,
    stack: str,
    template: dict[str, Any],
    parameters: dict[str, str],
    undid: int | None = None,
) -> None:
    """Append what a deploy (or, with `undid`, a rollback of the deploy at that index) made
    current to the stack's history."""
    history = _history(s3, bucket, stack)
    entry: dict[str, Any] = {"template": template_text(template), "parameters": parameters}
    if undid is not None:
        entry["undid"] = undid
    history.append(entry)
    s3.put_object(Bucket=bucket, Key=_history_key(stack), Body=json.dumps(history).encode("utf-8"))


def rollback_target(stack: str, history: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """(index of the deploy to undo, the entry current before it): the newest recorded deploy
    not yet rolled back, as the boto3 engine chooses (deploy/rollback.py). So deploy 1, 2,
    rollback, deploy 3, rollback returns to 1 (current before 3), and a rollback right after a
    rollback undoes the deploy before the one already undone instead of redoing it."""
    undone = {entry["undid"] for entry in history if "undid" in entry}
    for index in range(len(history) - 1, 0, -1):
        if "undid" not in history[index] and index not in undone:
            return index, history[index - 1]
    raise StackRefused(
        f"stack {stack}: no recorded deploy replaced an earlier one without being rolled back "
        f"already ({len(history)} recorded); rollback needs a deploy to undo"
    )


def stack_plan(
    settings: Settings,
    clients: ClientFactory,
    code_bucket: str,
    out: Callable[[str], None],
    target: DeployTarget = LOCAL,
) -> None:
    _, view = rendered(settings, target)
    parameters = {CODE_BUCKET_PARAMETER: code_bucket}
    plan = plan_stack(
        clients, settings.prefix, view.template, parameters, code_bucket, view.described
    )
    for line in plan.render():
        out(line)
    if plan.change_set is not None:
        # A plan changes nothing: its change set goes, and so does the stack a CREATE change
        # set made (empty, REVIEW_IN_PROGRESS), which the deploy's own change set makes again.
        cfn = clients("cloudformation")
        cfn.delete_change_set(StackName=settings.prefix, ChangeSetName=plan.change_set)
        if plan.new_stack:
            cfn.delete_stack(StackName=settings.prefix)


def _apply(
    settings: Settings,
    clients: ClientFactory,
    code_bucket: str,
    template: dict[str, Any],
    parameters: dict[str, str],
    described: dict[str, str],
    out: Callable[[str], None],
    undid: int | None = None,
) -> str:
    plan = plan_stack(clients, settings.prefix, template, parameters, code_bucket, described)
    for line in plan.render():
        out(line)
    status = deploy_stack(clients, plan, out)
    # A rollback is recorded even when the stack already held its template: the deploy it
    # undid counts as undone, or the next rollback would pick it again.
    if status != "UNCHANGED" or undid is not None:
        _record(clients("s3"), code_bucket, settings.prefix, template, parameters, undid)
    return status


def _require_boundary(settings: Settings, clients: ClientFactory, target: DeployTarget) -> None:
    """On AWS the template's roles carry the environment's boundary: without it CloudFormation
    would create the stack's first resources, fail at the first role and roll back. Refused
    here, before the code is uploaded or a change set made, as the boto3 engine refuses."""
    if target.boundary_required:
        require_boundary(settings, clients("iam"))


def stack_deploy(
    settings: Settings,
    clients: ClientFactory,
    code_bucket: str,
    out: Callable[[str], None],
    target: DeployTarget = LOCAL,
) -> str:
    _require_boundary(settings, clients, target)
    design, view = rendered(settings, target)
    report = publish(design, clients, code_bucket, out)
    parameters = {CODE_BUCKET_PARAMETER: code_bucket}
    status = _apply(settings, clients, code_bucket, view.template, parameters, view.described, out)
    if report.pending:  # the stack has just created the bucket the job code goes to
        publish(design, clients, code_bucket, out)
    return status


def stack_rollback(
    settings: Settings,
    clients: ClientFactory,
    code_bucket: str,
    out: Callable[[str], None],
    target: DeployTarget = LOCAL,
) -> str:
    history = _history(clients("s3"), code_bucket, settings.prefix)
    undone, earlier = rollback_target(settings.prefix, history)
    _require_boundary(settings, clients, target)
    _, view = rendered(settings, target)
    template = json.loads(earlier["template"])
    return _apply(
        settings,
        clients,
        code_bucket,
        template,
        earlier["parameters"],
        view.described,
        out,
        undid=undone,
    )


def stack_destroy(
    settings: Settings,
    clients: ClientFactory,
    yes: bool,
    ask: Callable[[str], str] | None,
    out: Callable[[str], None],
    target: DeployTarget = LOCAL,
) -> list[str]:
    _, view = rendered(settings, target)
    stack = settings.prefix
    out(f"destroy deletes the stack {stack} and its resources but the retained ones")
    if not yes:
        answer = ask(f"type the stack's name ({stack}) to delete it: ") if ask else ""
        if answer.strip() != stack:
            raise StackRefused(
                f"stack {stack} not deleted: not confirmed (--yes, or type its name)"
            )
    try:
        return destroy_stack(clients, stack, view.template, view.described, out)
    except StackFailed as error:
        raise StackRefused(str(error)) from error


def code_bucket(
    settings: Settings, clients: ClientFactory, given: str | None, *, local: bool
) -> str:
    """The bucket the stack's Lambda zips and templates go to: ``--code-bucket``, or on the
    embedded cloud ``<project>-<environment>-code-<account>``, made when missing."""
    if given:
        return given
    if not local:
        raise StackRefused(
            "--engine cloudformation on AWS needs --code-bucket BUCKET: an existing bucket for "
            "the Lambda zips and templates (aws s3 mb s3://BUCKET)"
        )
    name = f"{settings.prefix}-code-{settings.location.account}"
    s3 = clients("s3")
    try:
        s3.head_bucket(Bucket=name)
    except ClientError:
        s3.create_bucket(Bucket=name)
    return name


def run_stack_command(
    command: str,
    settings: Settings,
    clients: ClientFactory,
    bucket: str,
    yes: bool,
    ask: Callable[[str], str] | None,
    target: DeployTarget,
) -> int:
    if command == "plan":
        stack_plan(settings, clients, bucket, print, target)
    elif command == "apply":
        stack_deploy(settings, clients, bucket, print, target)
    elif command == "rollback":
        stack_rollback(settings, clients, bucket, print, target)
    else:
        stack_destroy(settings, clients, yes, ask, print, target)
    return 0
