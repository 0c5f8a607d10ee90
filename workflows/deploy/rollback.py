"""Rollback: move each state machine's ``live`` alias back to its previous version.

The previous version is the highest-numbered version below the one ``live`` routes to (versions
are numbered in publication order and may have been deleted). A deploy usually changes one
machine, so each machine that has an earlier version moves and each that does not (already at
its first version, or never deployed) is skipped with the reason. Every machine is read before
any alias moves; only when no machine can move does rollback refuse, moving nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from workflows.deploy.calls import ClientFactory, Clients
from workflows.deploy.lock import environment_lock
from workflows.deploy.providers.base import unless_missing
from workflows.deploy.providers.state_machines import version_number
from workflows.machines import BUILDERS
from workflows.settings import LIVE_ALIAS, Settings

Printer = Callable[[str], None]


class RollbackError(RuntimeError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"rollback refused, no alias was moved:\n{listing}")


@dataclass(frozen=True)
class AliasMove:
    machine: str
    alias_arn: str
    from_version: str
    to_version: str

    def describe(self) -> str:
        return (
            f"{self.machine}: {LIVE_ALIAS} moved from version {version_number(self.from_version)}"
            f" to version {version_number(self.to_version)}"
        )


@dataclass(frozen=True)
class Skip:
    machine: str
    reason: str

    def describe(self) -> str:
        return f"{self.machine}: skipped, {self.reason}"


def _previous_version(sfn: Any, machine_arn: str, current: int) -> str | None:
    for candidate in range(current - 1, 0, -1):
        arn = f"{machine_arn}:{candidate}"
        describe = partial(sfn.describe_state_machine, stateMachineArn=arn)
        if unless_missing(describe, "StateMachineDoesNotExist") is not None:
            return arn
    return None


def _step(settings: Settings, sfn: Any, machine: str) -> AliasMove | Skip:
    name = settings.state_machine_name(machine)
    alias_arn = settings.state_machine_alias_arn(machine)
    alias = unless_missing(
        lambda: sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn),
        "ResourceNotFound",
    )
    if alias is None:
        return Skip(name, f"has no {LIVE_ALIAS} alias; deploy it first")
    routes = sorted(alias["routingConfiguration"], key=lambda r: -r["weight"])
    current = routes[0]["stateMachineVersionArn"]
    previous = _previous_version(
        sfn, settings.location.state_machine(name), version_number(current)
    )
    if previous is None:
        return Skip(
            name,
            f"{LIVE_ALIAS} is at version {version_number(current)}, the earliest that exists; "
            "there is no previous version to roll back to",
        )
    return AliasMove(name, alias_arn, current, previous)


def plan_rollback(
    settings: Settings, clients: Clients, machines: Sequence[str]
) -> list[AliasMove | Skip]:
    """One step per machine, in the order given. Raises RollbackError for a name that is not
    a machine of the project, and when no machine can move."""
    unknown = [m for m in machines if m not in BUILDERS]
    if unknown:
        raise RollbackError(
            [f"{m}: not a state machine of the project ({', '.join(BUILDERS)})" for m in unknown]
        )
    sfn = clients("stepfunctions")
    steps = [_step(settings, sfn, machine) for machine in machines]
    if not any(isinstance(step, AliasMove) for step in steps):
        raise RollbackError([f"{s.machine}: {s.reason}" for s in steps if isinstance(s, Skip)])
    return steps


def rollback(
    settings: Settings,
    client_factory: ClientFactory,
    out: Printer = print,
    *,
    machines: Sequence[str] | None = None,
) -> list[AliasMove]:
    """Move ``live`` of each machine (default: all three) that has an earlier version to that
    version, one UpdateStateMachineAlias per machine, and say which were skipped and why.
    Returns the moves. Raises RollbackError, moving nothing, when no machine can move."""
    clients = Clients(client_factory)
    # The environment lock (lock.py): no deploy or destroy moves anything meanwhile.
    with environment_lock(settings, clients, f"rollback {settings.prefix}"):
        steps = plan_rollback(settings, clients, list(machines or BUILDERS))
        sfn = clients("stepfunctions")
        moves = []
        for step in steps:
            if isinstance(step, AliasMove):
                sfn.update_state_machine_alias(
                    stateMachineAliasArn=step.alias_arn,
                    routingConfiguration=[
                        {"stateMachineVersionArn": step.to_version, "weight": 100}
                    ],
                )
                moves.append(step)
            out(step.describe())
    return moves
