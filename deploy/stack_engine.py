"""The CloudFormation engine: the template as one stack, changed through reviewed change sets.

    plan     create a change set against the stack (CREATE when there is none), print it in the
             format of the boto3 engine's plan, and delete it again;
    deploy   the same change set, executed; progress from the stack's events until it settles;
             a failed change is rolled back by CloudFormation and reported with the resource
             that failed and why;
    destroy  delete the stack; what the template keeps (``DeletionPolicy: Retain``: the buckets
             and the model package group) is listed as kept.

A template and parameters equal to the stack's own create no change set at all ("nothing to
change"). The template travels through S3 (``TemplateURL``, in the code bucket the Lambda zips
are published to): it is larger than the 51,200 bytes a request body may carry. Every wait is
bounded; the sleep between polls is a parameter, so tests record it instead of sleeping.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from deploy.calls import ClientFactory
from deploy.plan import SYMBOLS, Action
from deploy.providers.base import error_code

CAPABILITIES = ["CAPABILITY_NAMED_IAM"]
TEMPLATE_PREFIX = "templates/"
MAX_POLLS = 720
POLL_SECONDS = 5.0
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
_ACTIONS = {"Add": Action.CREATE, "Modify": Action.UPDATE, "Remove": Action.DELETE}
_SETTLED = ("_COMPLETE", "_FAILED")


class StackFailed(RuntimeError):
    """The stack did not reach the state asked for; names the resource and CloudFormation's
    reason."""


@dataclass(frozen=True)
class StackChange:
    action: Action
    logical_id: str
    resource_type: str
    described: str  # as the boto3 engine's plan names the resource, when the template knows it
    replacement: str | None = None

    def lines(self) -> list[str]:
        head = f"{SYMBOLS[self.action]} {self.action.value:<9} {self.described}"
        if self.replacement == "True":
            return [head, "      replaced: CloudFormation creates a new one and deletes this"]
        return [head]


@dataclass
class StackPlan:
    stack: str
    changes: list[StackChange] = field(default_factory=list)
    unchanged: int = 0
    change_set: str | None = None  # None: nothing to change
    new_stack: bool = False

    def summary(self) -> str:
        counted = {a: sum(1 for c in self.changes if c.action is a) for a in Action}
        text = (
            f"{counted[Action.CREATE]} to create, {counted[Action.UPDATE]} to update, "
            f"{self.unchanged} unchanged"
        )
        if counted[Action.DELETE]:
            text += f", {counted[Action.DELETE]} to delete"
        return text

    def render(self) -> list[str]:
        lines = [line for change in self.changes for line in change.lines()]
        return [*lines, f"plan: {self.summary()} (stack {self.stack})"]


@dataclass(frozen=True)
class Waits:
    """How often and how long to poll; ``sleep`` is recorded, not slept, in tests."""

    polls: int = MAX_POLLS
    seconds: float = POLL_SECONDS
    sleep: Callable[[float], None] = time.sleep


def template_text(template: Mapping[str, Any]) -> str:
    return json.dumps(template, indent=1, sort_keys=True)


def _stack(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if error_code(error) == "ValidationError" and "does not exist" in str(error):
            return None
        raise
    live = [s for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]
    return live[0] if live else None


def _unchanged(cfn: Any, stack: dict[str, Any], body: str, parameters: Mapping[str, str]) -> bool:
    current = cfn.get_template(StackName=stack["StackName"], TemplateStage="Original")
    text = current["TemplateBody"]
    if not isinstance(text, str):  # botocore parses a JSON body into a dict
        text = template_text(text)
    given = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}
    return text == body and all(given.get(k) == v for k, v in parameters.items())


def _upload(s3: Any, bucket: str, stack: str, body: str) -> str:
    key = f"{TEMPLATE_PREFIX}{stack}/{hashlib.sha256(body.encode()).hexdigest()[:16]}.json"
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json")
    region = s3.meta.region_name
    host = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return f"https://{bucket}.{host}/{key}"


def _describe_all(cfn: Any, stack: str, change_set: str) -> dict[str, Any]:
    pages = cfn.get_paginator("describe_change_set").paginate(
        StackName=stack, ChangeSetName=change_set
    )
    first: dict[str, Any] = {}
    changes: list[Any] = []
    for page in pages:
        first = first or page
        changes += page.get("Changes", [])
    return {**first, "Changes": changes}


def plan_stack(
    clients: ClientFactory,
    stack: str,
    template: Mapping[str, Any],
    parameters: Mapping[str, str],
    code_bucket: str,
    described: Mapping[str, str],
    waits: Waits = Waits(),
) -> StackPlan:
    """Create the change set of ``template`` against ``stack`` and read what it does.
    ``described`` maps logical ids to the boto3 engine's names of the resources."""
    cfn = clients("cloudformation")
    body = template_text(template)
    current = _stack(cfn, stack)
    resources = len(template.get("Resources", {}))
    reviewing = current is not None and current["StackStatus"] == "REVIEW_IN_PROGRESS"
    if current is not None and not reviewing and _unchanged(cfn, current, body, parameters):
        return StackPlan(stack, unchanged=resources)
    url = _upload(clients("s3"), code_bucket, stack, body)
    name = (
        f"{stack}-{hashlib.sha256((body + json.dumps(dict(parameters))).encode()).hexdigest()[:16]}"
    )
    new = current is None or reviewing
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        TemplateURL=url,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=CAPABILITIES,
        ChangeSetType="CREATE" if new else "UPDATE",
    )
    described_set = _wait_change_set(cfn, stack, name, waits)
    if described_set["Status"] == "FAILED":
        reason = described_set.get("StatusReason", "")
        cfn.delete_change_set(StackName=stack, ChangeSetName=name)
        if any(marker in reason for marker in NO_CHANGES):
            return StackPlan(stack, unchanged=resources)
        raise StackFailed(f"change set {name} of stack {stack} failed: {reason}")
    changes = []
    for item in described_set["Changes"]:
        change = item.get("ResourceChange", {})
        logical = change.get("LogicalResourceId", "")
        kind = change.get("ResourceType", "")
        changes.append(
            StackChange(
                _ACTIONS.get(change.get("Action", ""), Action.UPDATE),
                logical,
                kind,
                described.get(logical, f"{kind} {logical}"),
                change.get("Replacement"),
            )
        )
    touched = sum(1 for c in changes if c.action is not Action.DELETE)
    return StackPlan(stack, changes, resources - touched, name, new)


def _wait_change_set(cfn: Any, stack: str, name: str, waits: Waits) -> dict[str, Any]:
    for _ in range(waits.polls):
        described = _describe_all(cfn, stack, name)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        waits.sleep(waits.seconds)
    raise StackFailed(f"change set {name} of stack {stack} not ready after {waits.polls} polls")


def _events(cfn: Any, stack: str, seen: set[str]) -> list[dict[str, Any]]:
    """The stack's events not yet seen, oldest first."""
    fresh = []
    for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack):
        for event in page["StackEvents"]:
            if event["EventId"] not in seen:
                seen.add(event["EventId"])
                fresh.append(event)
    return list(reversed(fresh))


def _settle(
    cfn: Any, stack: str, out: Callable[[str], None], waits: Waits, seen: set[str]
) -> tuple[str, list[dict[str, Any]]]:
    """Wait until the stack settles; print each event; (final status, every event seen)."""
    events: list[dict[str, Any]] = []
    for _ in range(waits.polls):
        status = _stack_status(cfn, stack)
        fresh = _events(cfn, stack, seen) if status != "DELETE_COMPLETE" else []
        for event in fresh:
            reason = (
                f": {event['ResourceStatusReason']}" if event.get("ResourceStatusReason") else ""
            )
            out(f"{event['ResourceStatus']:<20} {event['LogicalResourceId']}{reason}")
        events += fresh
        if status.endswith(_SETTLED):
            return status, events
        waits.sleep(waits.seconds)
    raise StackFailed(f"stack {stack} still changing after {waits.polls} polls")


def _stack_status(cfn: Any, stack: str) -> str:
    current = _stack(cfn, stack)
    return "DELETE_COMPLETE" if current is None else str(current["StackStatus"])


def _first_failure(events: list[dict[str, Any]]) -> str:
    for event in events:
        if event["ResourceStatus"].endswith("_FAILED") and event.get("ResourceStatusReason"):
            return f"{event['LogicalResourceId']}: {event['ResourceStatusReason']}"
    return "no resource reported a reason"


def deploy_stack(
    clients: ClientFactory, plan: StackPlan, out: Callable[[str], None], waits: Waits = Waits()
) -> str:
    """Execute the plan's change set and wait; the stack's final status. Raises StackFailed
    when CloudFormation rolled the change back."""
    if plan.change_set is None:
        out(f"stack {plan.stack}: nothing to change, no change set executed")
        return "UNCHANGED"
    cfn = clients("cloudformation")
    seen = {e["EventId"] for e in _events(cfn, plan.stack, set())} if not plan.new_stack else set()
    cfn.execute_change_set(StackName=plan.stack, ChangeSetName=plan.change_set)
    status, events = _settle(cfn, plan.stack, out, waits, seen)
    if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise StackFailed(
            f"stack {plan.stack} ended {status}; CloudFormation rolled the change back. "
            f"First failure: {_first_failure(events)}"
        )
    out(f"stack {plan.stack}: {status}")
    return status


# Retained so that an update keeps the old version for rollbacks; deleting the function or
# state machine they belong to deletes them all the same, so a deleted stack keeps none.
_GONE_WITH_PARENT = ("AWS::Lambda::Version", "AWS::StepFunctions::StateMachineVersion")


def retained(template: Mapping[str, Any], described: Mapping[str, str]) -> list[str]:
    """What deleting the stack keeps: the resources with ``DeletionPolicy: Retain``."""
    return [
        described.get(logical, logical)
        for logical, body in sorted(template.get("Resources", {}).items())
        if body.get("DeletionPolicy") == "Retain" and body.get("Type") not in _GONE_WITH_PARENT
    ]


def destroy_stack(
    clients: ClientFactory,
    stack: str,
    template: Mapping[str, Any],
    described: Mapping[str, str],
    out: Callable[[str], None],
    waits: Waits = Waits(),
) -> list[str]:
    """Delete the stack and wait; return what it kept (reported too)."""
    cfn = clients("cloudformation")
    if _stack(cfn, stack) is None:
        out(f"stack {stack}: no such stack, nothing to delete")
        return []
    seen = {e["EventId"] for e in _events(cfn, stack, set())}
    cfn.delete_stack(StackName=stack)
    status, events = _settle(cfn, stack, out, waits, seen)
    if status != "DELETE_COMPLETE":
        raise StackFailed(f"stack {stack} ended {status}: {_first_failure(events)}")
    kept = retained(template, described)
    for name in kept:
        out(f"kept (DeletionPolicy Retain): {name}")
    out(f"stack {stack}: deleted")
    return kept
