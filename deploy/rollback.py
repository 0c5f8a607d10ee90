"""Rollback: make live again what was live before the latest deploy, code included.

Every deploy that moves a ``live`` alias records what it moved, from which version to which
(history.py). Rollback takes the newest recorded deploy that replaced a live version and has not
been rolled back yet, and moves each alias that deploy moved back to the version that was live
before it: the state machines' and the functions' aliases together. The rollback is recorded
too, naming the deploy it undid, so the target is always what was live immediately before a
change, found by what was live and never by version number:

- deploy v1, deploy v2, rollback: live goes back to v1;
- then deploy v3, rollback: live goes back to v1, the version live before the v3 deploy (not to
  v2, which had been rolled away from);
- a rollback right after a rollback undoes the deploy before the one already undone (deploy v1,
  v2, v3, rollback, rollback: v1), and refuses once no recorded deploy replaced anything.

Code moves with the definitions: job code is content-addressed, so a state machine version names
the code objects it ran (a deploy never deletes them), and a function version holds its own code.
An alias the deploy created (nothing was live before it) stays, said so in the output.

A deploy that stopped part-way (killed, or failed) may have moved some aliases without
recording them; its changes are not a deploy to walk back from. When what is live differs from
what the history last recorded, rollback first returns every alias that differs, state machines'
and functions' alike, to the last record: what the last deploy that completed (or the last
rollback) made live. Going further back takes another rollback.

``machines`` limits rollback to those state machines: the newest deploy that replaced one of
them is undone for them alone. Every alias is read and every target version checked before any
alias moves; when no alias can move, rollback refuses and moves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from deploy.calls import ClientFactory, Clients
from deploy.history import (
    Change,
    History,
    Record,
    aliased,
    read_live,
    version_label,
)
from deploy.lock import environment_lock
from deploy.providers.base import unless_missing
from environments.settings import LIVE_ALIAS, Settings
from workflows.machines import BUILDERS

Printer = Callable[[str], None]


class RollbackError(RuntimeError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"rollback refused, no alias was moved:\n{listing}")


@dataclass(frozen=True)
class AliasMove:
    name: str  # the state machine's or function's name
    resource_arn: str  # its unqualified ARN
    from_version: str  # version ARNs
    to_version: str

    def describe(self) -> str:
        return (
            f"{self.name}: {LIVE_ALIAS} moved from {version_label(self.from_version)}"
            f" to {version_label(self.to_version)}"
        )


@dataclass(frozen=True)
class Skip:
    name: str
    reason: str

    def describe(self) -> str:
        return f"{self.name}: {self.reason}"


@dataclass(frozen=True)
class RollbackPlan:
    undone: Record  # the deploy whose changes are rolled back, or the record returned to
    steps: list[AliasMove | Skip]
    undoes: dict[str, int]  # every alias of that deploy this rollback settles
    unfinished: bool = False  # True: ``undone`` is the last record, past a deploy that stopped

    def summary(self) -> str:
        if self.unfinished:
            kind = "deploy" if self.undone.kind == "deploy" else "rollback"
            return (
                f"live is what {kind} {self.undone.number} made it (the last that completed; "
                "a deploy after it stopped part-way)"
            )
        return f"live is what it was before deploy {self.undone.number}"

    @property
    def moves(self) -> list[AliasMove]:
        return [s for s in self.steps if isinstance(s, AliasMove)]


def _selection(settings: Settings, machines: Sequence[str] | None) -> dict[str, str]:
    names = aliased(settings)
    if machines is None:
        return names
    unknown = [m for m in machines if m not in BUILDERS]
    if unknown:
        raise RollbackError(
            [f"{m}: not a state machine of the project ({', '.join(BUILDERS)})" for m in unknown]
        )
    wanted = {settings.state_machine_name(m) for m in machines}
    return {arn: name for arn, name in names.items() if name in wanted and ":states:" in arn}


def _deploy_to_undo(history: History, selection: dict[str, str]) -> tuple[Record, list[str]]:
    """The newest deploy with a replaced live version (of the selection) not yet rolled back,
    and those aliases."""
    undone: dict[str, set[int]] = {}
    for record in history.newest_first():
        if record.kind == "rollback":
            for arn, number in record.undoes.items():
                undone.setdefault(arn, set()).add(number)
            continue
        pending = [
            arn
            for arn in selection
            if arn in record.changes and record.number not in undone.get(arn, set())
        ]
        if any(record.changes[arn].before is not None for arn in pending):
            return record, pending
    raise RollbackError(
        [
            f"{', '.join(selection.values())}: no deploy recorded in {history.location} "
            "replaced a live version that a rollback has not restored already; nothing to go "
            "back to"
        ]
    )


def _version_exists(sfn: Any, lam: Any, version_arn: str) -> bool:
    if ":states:" in version_arn:
        found = unless_missing(
            lambda: sfn.describe_state_machine(stateMachineArn=version_arn),
            "StateMachineDoesNotExist",
        )
    else:
        function, number = version_arn.split(":")[6:8]
        found = unless_missing(
            lambda: lam.get_function_configuration(FunctionName=function, Qualifier=number),
            "ResourceNotFoundException",
        )
    return found is not None


def _step(
    arn: str, name: str, change: Change, number: int, now: str | None, clients: Clients
) -> AliasMove | Skip:
    target = change.before
    if target is None:
        return Skip(name, f"kept: deploy {number} created it, nothing was live before")
    if now is None:
        return Skip(name, f"has no {LIVE_ALIAS} alias; deploy it first")
    if now == target:
        return Skip(name, f"{LIVE_ALIAS} is already at {version_label(target)}")
    if not _version_exists(clients("stepfunctions"), clients("lambda"), target):
        return Skip(name, f"{version_label(target)}, live before deploy {number}, no longer exists")
    return AliasMove(name, arn, now, target)


def _back_to_last_record(
    history: History, selection: dict[str, str], live: dict[str, str], clients: Clients
) -> RollbackPlan | None:
    """The moves back to the last record's live versions, when a deploy after it stopped
    part-way and left aliases elsewhere; None when everything selected is where it says."""
    latest = history.latest()
    if latest is None:
        return None
    steps: list[AliasMove | Skip] = []
    for arn, name in selection.items():
        now, recorded = live.get(arn), latest.live.get(arn)
        if now is None or now == recorded:
            continue
        if recorded is None:
            steps.append(Skip(name, "kept: created by a deploy that stopped part-way"))
            continue
        steps.append(_step(arn, name, Change(recorded, now), latest.number, now, clients))
    if not any(isinstance(step, AliasMove) for step in steps):
        return None
    return RollbackPlan(latest, steps, {}, unfinished=True)


def plan_rollback(
    settings: Settings, clients: Clients, machines: Sequence[str] | None = None
) -> RollbackPlan:
    """Read the history and every alias; raise RollbackError when nothing can move."""
    selection = _selection(settings, machines)
    history = History(settings, clients)
    if not history.keys():
        raise RollbackError(
            [
                f"no deploy is recorded in {history.location}: rollback restores what a "
                "recorded deploy replaced; deploy first"
            ]
        )
    live = read_live(settings, clients)
    unfinished = _back_to_last_record(history, selection, live, clients)
    if unfinished is not None:
        return unfinished
    record, aliases = _deploy_to_undo(history, selection)
    steps = [
        _step(arn, selection[arn], record.changes[arn], record.number, live.get(arn), clients)
        for arn in aliases
    ]
    if not any(isinstance(step, AliasMove) for step in steps):
        raise RollbackError([s.describe() for s in steps if isinstance(s, Skip)])
    return RollbackPlan(record, steps, {arn: record.number for arn in aliases})


def rollback(
    settings: Settings,
    client_factory: ClientFactory,
    out: Printer = print,
    *,
    machines: Sequence[str] | None = None,
) -> list[AliasMove]:
    """Undo the newest deploy not yet rolled back (see the module docstring): one alias update
    per state machine or function it moved, then a record of the rollback. Returns the moves.
    Raises RollbackError, moving nothing, when nothing can move, and EnvironmentLocked when a
    deploy or destroy of the environment runs."""
    clients = Clients(client_factory)
    # The environment lock (lock.py): no deploy or destroy moves anything meanwhile.
    with environment_lock(settings, clients, f"rollback {settings.prefix}"):
        return _roll_back(settings, clients, out, machines)


def _roll_back(
    settings: Settings, clients: Clients, out: Printer, machines: Sequence[str] | None
) -> list[AliasMove]:
    planned = plan_rollback(settings, clients, machines)
    sfn, lam = clients("stepfunctions"), clients("lambda")
    for step in planned.steps:
        if isinstance(step, AliasMove):
            if ":states:" in step.resource_arn:
                sfn.update_state_machine_alias(
                    stateMachineAliasArn=f"{step.resource_arn}:{LIVE_ALIAS}",
                    routingConfiguration=[
                        {"stateMachineVersionArn": step.to_version, "weight": 100}
                    ],
                )
            else:
                lam.update_alias(
                    FunctionName=step.name,
                    Name=LIVE_ALIAS,
                    FunctionVersion=step.to_version.rsplit(":", 1)[-1],
                )
        out(step.describe())
    history = History(settings, clients)
    where = history.append(
        Record(
            history.next_number(),
            "rollback",
            read_live(settings, clients),
            {m.resource_arn: Change(m.from_version, m.to_version) for m in planned.moves},
            planned.undoes,
        )
    )
    out(f"rollback {settings.prefix}: {planned.summary()}; recorded in {where}")
    return planned.moves
