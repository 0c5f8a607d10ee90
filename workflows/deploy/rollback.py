"""Rollback: move each state machine's ``live`` alias back to its previous version.

The previous version is the highest-numbered version below the one ``live`` routes to (versions
are numbered in publication order and may have been deleted). Every machine is checked before
any alias moves, so a rollback that cannot be done for one machine changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from botocore.exceptions import ClientError

from workflows.deploy.calls import ClientFactory, Clients
from workflows.deploy.providers.base import is_not_found
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


def _previous_version(sfn: object, machine_arn: str, current: int) -> str | None:
    for candidate in range(current - 1, 0, -1):
        arn = f"{machine_arn}:{candidate}"
        try:
            sfn.describe_state_machine(stateMachineArn=arn)  # type: ignore[attr-defined]
        except ClientError as error:
            if is_not_found(error, "StateMachineDoesNotExist"):
                continue
            raise
        return arn
    return None


def plan_rollback(settings: Settings, clients: Clients, machines: Sequence[str]) -> list[AliasMove]:
    sfn = clients("stepfunctions")
    moves: list[AliasMove] = []
    problems: list[str] = []
    for machine in machines:
        if machine not in BUILDERS:
            problems.append(
                f"{machine}: not a state machine of the project ({', '.join(BUILDERS)})"
            )
            continue
        name = settings.state_machine_name(machine)
        alias_arn = settings.state_machine_alias_arn(machine)
        try:
            alias = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
        except ClientError as error:
            if is_not_found(error, "ResourceNotFound"):
                problems.append(f"{name}: has no {LIVE_ALIAS} alias; deploy it first")
                continue
            raise
        routes = sorted(alias["routingConfiguration"], key=lambda r: -r["weight"])
        current = routes[0]["stateMachineVersionArn"]
        previous = _previous_version(
            sfn, settings.location.state_machine(name), version_number(current)
        )
        if previous is None:
            problems.append(
                f"{name}: {LIVE_ALIAS} is at version {version_number(current)}, the earliest "
                "that exists; there is no previous version to roll back to"
            )
            continue
        moves.append(AliasMove(name, alias_arn, current, previous))
    if problems:
        raise RollbackError(problems)
    return moves


def rollback(
    settings: Settings,
    client_factory: ClientFactory,
    out: Printer = print,
    *,
    machines: Sequence[str] | None = None,
) -> list[AliasMove]:
    """Move ``live`` of each machine (default: all three) to its previous version: one
    UpdateStateMachineAlias per machine. Raises RollbackError, moving nothing, when a machine
    has no alias or no earlier version."""
    clients = Clients(client_factory)
    moves = plan_rollback(settings, clients, list(machines or BUILDERS))
    sfn = clients("stepfunctions")
    for move in moves:
        sfn.update_state_machine_alias(
            stateMachineAliasArn=move.alias_arn,
            routingConfiguration=[{"stateMachineVersionArn": move.to_version, "weight": 100}],
        )
        out(move.describe())
    return moves
