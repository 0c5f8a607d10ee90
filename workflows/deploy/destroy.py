"""destroy: delete every resource that carries both the project and the environment tag.

Nothing is deleted by name alone: a resource with the project's prefix but without both tags
survives. Kinds go in the reverse of creation order (alarms and rules before what they point
at, buckets last). Code objects go with their bucket and Lambda permissions with their function;
Scheduler cannot tag a schedule, so schedules go with their tagged schedule group (first the
schedules, then the group).
What the workflows create at run time (SageMaker jobs, models, endpoints) is not the deploy's and
is left alone.
A deploy prunes through the same discovery (``owned_resources``) and the same deletes, keeping
what destroy would not have to (see plan.py).

A resource that fails to delete does not stop the others: destroy goes on, then raises
DestroyIncomplete naming each failure, and running it again retries what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workflows.deploy.calls import CallLedger, ClientFactory, Clients
from workflows.deploy.providers import owned_resources, providers
from workflows.settings import Settings

Printer = Callable[[str], None]


@dataclass
class DestroyReport:
    deleted: list[str] = field(default_factory=list)  # "<kind> <name>"
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


def destroy(
    settings: Settings, client_factory: ClientFactory, out: Printer = print
) -> DestroyReport:
    """Delete every resource tagged with the project and environment of ``settings``.
    Raises DestroyIncomplete (after trying everything) when any deletion failed."""
    clients = Clients(client_factory)
    report = DestroyReport(ledger=clients.ledger)
    for provider, name in owned_resources(providers(clients, settings)):
        what = f"{provider.kind.value} {name}"
        out(f"delete {what}")
        try:
            provider.delete(name)
        except Exception as error:  # keep going: the rest can still be deleted
            report.failed.append(f"{what}: {type(error).__name__}: {error}")
            out(f"    failed: {error}")
            continue
        report.deleted.append(what)
    out(f"destroy {settings.prefix}: {len(report.deleted)} resources deleted")
    if report.failed:
        raise DestroyIncomplete(report)
    return report
