"""plan and deploy: read everything, then create or update what differs, in dependency order,
and delete what the environment owns but no longer wants (see plan.py), in the reverse order.

A deploy that stops part-way (an error, a lost connection) leaves what it wrote; the next deploy
reads it back, plans only what is still missing, different or left over, and converges.

A deploy holds the environment lock (lock.py) from before its first read to its end, so a second
deploy of the environment refuses at once instead of interleaving its writes; a plan only reads,
takes no lock, and says when the environment is locked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from deploy.boundary import require_boundary
from deploy.calls import CallLedger, ClientFactory, Clients
from deploy.desired import Blueprint, blueprint
from deploy.history import History, Live, live_as_planned, live_before_deploy, record_deploy
from deploy.layers import resolve_powertools_layer
from deploy.lock import environment_lock, read_lock
from deploy.model import Kind
from deploy.plan import Action, Plan, make_plan
from deploy.providers import Provider, providers
from deploy.target import AWS, DeployTarget
from environments.settings import Settings

Printer = Callable[[str], None]
# (prefix, index, total, action, resource): change `index` of `total` starts (progress.py).
StepPrinter = Callable[[str, int, int, str, str], None]


@dataclass
class DeployReport:
    plan: Plan
    applied: list[str] = field(default_factory=list)  # one line per change made
    reads: int = 0
    writes: int = 0
    seconds: float = 0.0
    ledger: CallLedger = field(default_factory=CallLedger)

    @property
    def changed(self) -> bool:
        return bool(self.plan.pending)


def _design(settings: Settings, clients: Clients, target: DeployTarget) -> Blueprint:
    """The desired state; raises DeployRefused, before any call, when it is invalid."""
    return blueprint(
        settings, target=target, powertools_layer=lambda: resolve_powertools_layer(clients)
    )


def _planned(
    settings: Settings, clients: Clients, design: Blueprint
) -> tuple[Plan, dict[Kind, Provider]]:
    by_kind = providers(clients, settings)
    return make_plan(design.state, by_kind), by_kind


def plan(
    settings: Settings,
    client_factory: ClientFactory,
    out: Printer = print,
    *,
    target: DeployTarget = AWS,
    verbose: bool = False,
) -> DeployReport:
    """Read every resource and print what a deploy would do. Makes read calls only."""
    started = time.perf_counter()
    clients = Clients(client_factory)
    made, _ = _planned(settings, clients, _design(settings, clients, target))
    for line in made.render(verbose=verbose):
        out(line)
    holder = read_lock(settings, clients)
    if holder is not None:
        out(
            f"note: {settings.prefix} is locked by {holder.describe()}; "
            "what exists may change before a deploy of this plan could start"
        )
    return _report(made, [], clients.ledger, started)


def deploy(
    settings: Settings,
    client_factory: ClientFactory,
    out: Printer = print,
    *,
    target: DeployTarget = AWS,
    steps: StepPrinter | None = None,
) -> DeployReport:
    """Deploy the project's environment ``settings`` through ``client_factory(service)``.

    ``target``: ``AWS`` (default) or ``LOCAL`` for the embedded cloud (see ``target.py``).
    ``steps``: told of each change as it starts instead of ``out`` printing two lines per
    change (`progress.ProgressLine.step`); a note that a resource was kept is printed still.
    Raises DeployRefused, before any call, when a definition or rule is invalid, and
    EnvironmentLocked, before any other write, when another deploy of the environment runs.
    """
    started = time.perf_counter()
    clients = Clients(client_factory)
    design = _design(settings, clients, target)
    if target.boundary_required:
        require_boundary(settings, clients("iam"))
    with environment_lock(settings, clients, f"deploy {settings.prefix}"):
        made, applied = _apply(settings, clients, design, out, steps)
    # Counted after the lock is released, so the counts hold every call the deploy made.
    report = _report(made, applied, clients.ledger, started)
    done = f"done in {report.seconds:.1f} s, " if made.pending else ""
    out(f"deploy {settings.prefix}: {done}{report.writes} write calls, {report.reads} reads")
    return report


def _apply(
    settings: Settings,
    clients: Clients,
    design: Blueprint,
    out: Printer,
    steps: StepPrinter | None = None,
) -> tuple[Plan, list[str]]:
    """Plan, then apply the plan and record what it made live; returns the plan and one line
    per change made."""
    made, by_kind = _planned(settings, clients, design)
    history = History(settings, clients)
    # The plan read every live alias: no write has happened since, so that is what is live now.
    live_now = live_as_planned(settings, made.read)
    live_before = live_before_deploy(history, settings, clients, live_now)
    pending = made.pending
    # Warnings, not steps: without them a deploy would keep a leftover without saying so.
    for change in made.changes:
        if change.action is Action.KEEP:
            for line in change.lines():
                out(line)
    if not pending:
        out(f"deploy {settings.prefix}: nothing to change ({made.summary()})")
        # A deploy that stopped after moving an alias but before recording it is recorded now.
        _record(history, live_before, settings, clients, out, live_now)
        return made, []
    out(f"deploy {settings.prefix}: {made.summary()}")
    applied = []
    for index, change in enumerate(pending, start=1):
        provider = by_kind[change.resource.kind]
        step = f"[{index}/{len(pending)}] {change.action.value} {change.resource.describe()}"
        if steps is None:
            out(step)
        else:
            steps(
                settings.prefix,
                index,
                len(pending),
                change.action.value,
                change.resource.describe(),
            )
        if change.action is Action.DELETE:
            note = _delete(provider, change.resource.name, made.referenced)
        elif change.current is None:
            note = provider.create(change.resource)
        else:
            note = provider.update(change.resource, change.current)
        applied.append(f"{step}: {note}")
        if steps is None:
            out(f"    {note}")
        elif note.startswith("kept"):
            # What a deploy chose not to delete is never summarised away.
            out(f"{change.resource.describe()}: {note}")
    _record(history, live_before, settings, clients, out)
    return made, applied


def _record(
    history: History,
    before: Live,
    settings: Settings,
    clients: Clients,
    out: Printer,
    after: Live | None = None,
) -> None:
    where = record_deploy(history, before, settings, clients, after)
    if where is not None:
        out(f"deploy {settings.prefix}: recorded what is live in {where} (for rollback)")


def _delete(provider: Provider, name: str, referenced: dict[str, str]) -> str:
    # Asked again right before deleting: a bucket may have received an object since the plan,
    # and deleting would empty it.
    reason = provider.keep_reason(name, referenced)
    if reason is not None:
        return f"kept: {reason}"
    provider.delete(name)
    return "deleted"


def _report(made: Plan, applied: list[str], ledger: CallLedger, started: float) -> DeployReport:
    return DeployReport(
        plan=made,
        applied=applied,
        reads=ledger.read_count,
        writes=ledger.write_count,
        seconds=time.perf_counter() - started,
        ledger=ledger,
    )
