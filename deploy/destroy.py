"""destroy: delete every resource that carries both the project and the environment tag,
after printing exactly what it will delete and what it keeps, and only when confirmed.

Nothing is deleted by name alone: a resource with the project's prefix but without both tags
survives. The one exception is an empty bucket of one of the settings' exact names without any
owner tag, which only a deploy that died between CreateBucket and PutBucketTagging leaves
(providers/s3.py). First what deploy-model created at run time (the endpoint, which is the standing
cost, then its endpoint configs and models; providers/serving.py), then the deploy's kinds in
the reverse of creation order (alarms and rules before what they point at, buckets last). Code
objects go with their bucket and Lambda permissions with their function; Scheduler cannot tag a
schedule, so schedules go with their tagged schedule group (first the schedules, then the
group). A deploy prunes through the same discovery (``owned_resources``) and the same deletes,
keeping what destroy would not have to (see plan.py); it never touches the run-time kinds.

Data is kept unless ``delete_data``: a bucket holding objects (other than the deploy's own code
objects) and a model package group holding packages are listed as kept, with the reason, and
asked again right before each delete. Nothing is deleted unless ``yes``, or ``ask`` (a prompt)
answers with the environment's name; otherwise DestroyRefused, having deleted nothing. Destroy
holds the environment lock (lock.py) throughout.

A resource that fails to delete does not stop the others: destroy goes on, then raises
DestroyIncomplete naming each failure, and running it again retries what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from deploy.calls import CallLedger, ClientFactory, Clients
from deploy.lock import environment_lock
from deploy.model import Kind
from deploy.providers import owned_resources, providers
from deploy.providers.serving import served
from environments.settings import Settings

Printer = Callable[[str], None]
Ask = Callable[[str], str]
DELETE_DATA_HINT = "--delete-data (make destroy-workflow YES=1 DELETE_DATA=1)"


class Deletable(Protocol):
    @property
    def kind(self) -> Kind: ...

    def holds_data(self, name: str) -> str | None: ...

    def delete(self, name: str) -> None: ...


@dataclass(frozen=True)
class Doomed:
    target: Deletable
    name: str
    kept: str | None = None  # why it is kept, or None: it is deleted

    def describe(self) -> str:
        return f"{self.target.kind.value} {self.name}"

    def lines(self) -> list[str]:
        if self.kept is None:
            return [f"- delete    {self.describe()}"]
        return [f"! keep      {self.describe()}", f"      kept: {self.kept}"]


@dataclass
class DestroyPlan:
    items: list[Doomed] = field(default_factory=list)

    @property
    def deletes(self) -> list[Doomed]:
        return [d for d in self.items if d.kept is None]

    @property
    def keeps(self) -> list[Doomed]:
        return [d for d in self.items if d.kept is not None]

    def lines(self, prefix: str) -> list[str]:
        out = [line for item in self.items for line in item.lines()]
        out.append(f"destroy {prefix}: {len(self.deletes)} to delete, {len(self.keeps)} kept")
        return out


@dataclass
class DestroyReport:
    deleted: list[str] = field(default_factory=list)  # "<kind> <name>"
    kept: list[str] = field(default_factory=list)  # "<kind> <name>: <reason>"
    failed: list[str] = field(default_factory=list)  # "<kind> <name>: <error>"
    ledger: CallLedger = field(default_factory=CallLedger)


class DestroyIncomplete(RuntimeError):
    def __init__(self, report: DestroyReport) -> None:
        self.report = report
        listing = "\n".join(f"  {f}" for f in report.failed)
        super().__init__(
            f"destroy deleted {len(report.deleted)} resources but not these; run it again "
            f"after fixing the cause:\n{listing}"
        )


class DestroyRefused(RuntimeError):
    """Destroy was not confirmed; nothing was deleted."""


def _kept_reason(held: str) -> str:
    return f"{held}; data is deleted only with {DELETE_DATA_HINT}"


def plan_destroy(settings: Settings, clients: Clients, *, delete_data: bool) -> DestroyPlan:
    """Everything destroy would delete or keep, in deletion order. Makes read calls only."""
    found: list[tuple[Deletable, str]] = [
        (kind, name) for kind in served(clients, settings) for name in kind.owned()
    ]
    found.extend(owned_resources(providers(clients, settings)))
    made = DestroyPlan()
    for target, name in found:
        held = None if delete_data else target.holds_data(name)
        made.items.append(Doomed(target, name, _kept_reason(held) if held else None))
    return made


def _confirmed(settings: Settings, count: int, yes: bool, ask: Ask | None) -> None:
    """Returns when confirmed; raises DestroyRefused otherwise."""
    if yes:
        return
    env = settings.environment
    if ask is None:
        raise DestroyRefused(
            f"destroy refused, nothing was deleted: confirm with --yes "
            f"(make destroy-workflow ENV={env} YES=1), or run it in a terminal and type {env!r}"
        )
    answer = ask(f"type the environment name ({env}) to delete these {count} resources: ")
    if answer.strip() != env:
        raise DestroyRefused(
            f"destroy cancelled, nothing was deleted: {answer.strip()!r} is not {env!r}"
        )


def destroy(
    settings: Settings,
    client_factory: ClientFactory,
    out: Printer = print,
    *,
    yes: bool = False,
    ask: Ask | None = None,
    delete_data: bool = False,
) -> DestroyReport:
    """Print what destroy deletes and keeps; when confirmed (``yes``, or ``ask`` answering the
    environment's name), delete it. Raises DestroyRefused, having deleted nothing, when not
    confirmed, EnvironmentLocked when another deploy of the environment runs, and
    DestroyIncomplete (after trying everything) when any deletion failed."""
    clients = Clients(client_factory)
    report = DestroyReport(ledger=clients.ledger)
    with environment_lock(settings, clients, f"destroy {settings.prefix}"):
        made = plan_destroy(settings, clients, delete_data=delete_data)
        for line in made.lines(settings.prefix):
            out(line)
        if made.deletes:
            _confirmed(settings, len(made.deletes), yes, ask)
        report.kept.extend(f"{d.describe()}: {d.kept}" for d in made.keeps)
        _delete_all(made.deletes, report, out, delete_data)
    out(f"destroy {settings.prefix}: {len(report.deleted)} resources deleted")
    if report.kept:
        out(_closing(settings, report.kept))
    if report.failed:
        raise DestroyIncomplete(report)
    return report


def _delete_all(
    doomed: Iterable[Doomed], report: DestroyReport, out: Printer, delete_data: bool
) -> None:
    for item in doomed:
        what = item.describe()
        # Asked again right before deleting: an object may have arrived since the plan.
        held = None if delete_data else item.target.holds_data(item.name)
        if held:
            report.kept.append(f"{what}: {_kept_reason(held)}")
            out(f"keep {what}: {held}")
            continue
        out(f"delete {what}")
        try:
            item.target.delete(item.name)
        except Exception as error:  # keep going: the rest can still be deleted
            report.failed.append(f"{what}: {type(error).__name__}: {error}")
            out(f"    failed: {error}")
            continue
        report.deleted.append(what)


def _closing(settings: Settings, kept: list[str]) -> str:
    names = ", ".join(entry.split(":", 1)[0] for entry in kept)
    return (
        f"destroy {settings.prefix}: kept {len(kept)} resources because they hold data: "
        f"{names}; to delete them and their data too: selfheal destroy "
        f"--env {settings.environment} --yes {DELETE_DATA_HINT}"
    )
