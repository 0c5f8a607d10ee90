"""Wait for the endpoint's turn, then until it is InService on the expected config, or report
why it is not.

UpdateEndpoint and CreateEndpoint have no `.sync`, so this polls DescribeEndpoint with a bounded
Wait/Describe/Choice loop. A blue/green update that the rollback alarms undo ends InService on the
*old* config: that is a failed deployment too.

Deploys to one endpoint never overlap: SageMaker refuses UpdateEndpoint while the endpoint is
being created or changed ("Cannot update in-progress endpoint"), so a run that finds it busy waits
its turn (`wait_for_turn`), and one that loses the race to another run's update goes back to
waiting instead of failing a good model.
"""

from __future__ import annotations

from collections.abc import Callable

from environments.arns import Location
from workflows.chain import Chain
from workflows.choice import Choice, Condition
from workflows.expressions import jsonata
from workflows.integrations.messaging import sdk_call
from workflows.integrations.retries import SAGEMAKER_TRANSIENT
from workflows.states import Pass, Recoverable, State, Task, Wait

# EndpointStatus values during which SageMaker refuses UpdateEndpoint.
BUSY_STATUSES = ("Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting")
# The refusals (SageMaker.AmazonSageMakerException causes) that mean "another deploy is first".
UPDATE_IN_PROGRESS = "Cannot update in-progress endpoint"
ALREADY_EXISTS = "Cannot create already existing endpoint"
_BUSY = "$liveStatus in [" + ", ".join(f"'{s}'" for s in BUSY_STATUSES) + "]"
_CAUGHT = {
    "error": jsonata("$states.errorOutput.Error"),
    "cause": jsonata("$exists($states.errorOutput.Cause) ? $states.errorOutput.Cause : ''"),
}


def wait_for_turn(
    where: Location,
    *,
    endpoint_name: str,
    poll_seconds: int,
    max_polls: int,
    update: Task,
    failed: State | Chain,
    protect: Callable[[Recoverable], None] | None = None,
) -> Chain:
    """Describe the live endpoint (assigning ``previousConfigName``) and start ``update`` only
    when the endpoint is not being changed; wait ``poll_seconds`` between looks, at most
    ``max_polls`` of them. ``update`` refused because another update got there first goes back
    to waiting (its transient Retry has already backed off); any other refusal goes to
    ``failed`` with ``failedState``, ``error`` and ``cause`` assigned. Catches added to
    ``update`` afterwards (the failure path) come after this one."""
    start = Pass("StartTurnWait", assign={"turnPolls": 0})
    describe = sdk_call(
        "DescribeLiveEndpoint",
        where,
        service="sagemaker",
        action="describeEndpoint",
        arguments={"EndpointName": endpoint_name},
        assign={
            "turnPolls": jsonata("$turnPolls + 1"),
            "liveStatus": jsonata("$states.result.EndpointStatus"),
            "previousConfigName": jsonata("$states.result.EndpointConfigName"),
        },
    )
    if protect is not None:
        protect(describe)
    wait = Wait("WaitForTurn", seconds=poll_seconds, comment="Another deploy changes it")
    wait.next(describe)
    busy_too_long = {
        "failedState": "WaitForTurn",
        "error": "EndpointBusy",
        "cause": jsonata(
            f"'Endpoint {endpoint_name} still ' & $liveStatus & ' after "
            f"{max_polls * poll_seconds} seconds of waiting for another deploy to end'"
        ),
    }
    turn = (
        Choice("EndpointBusy")
        .when(
            Condition.jsonata(f"{_BUSY} and $turnPolls >= {max_polls}"),
            failed,
            assign=busy_too_long,
            label="busy too long",
        )
        .when(Condition.jsonata(_BUSY), wait, label="busy: wait")
        .otherwise(update, label="free: update")
    )
    refused = (
        Choice("UpdateRefused")
        .when(
            Condition.jsonata(
                f"$contains($cause, '{UPDATE_IN_PROGRESS}') and $turnPolls < {max_polls}"
            ),
            wait,
            label="in progress: wait",
        )
        .otherwise(failed, label="refused")
    )
    update.add_catch(
        refused,
        errors=list(SAGEMAKER_TRANSIENT),
        assign={"failedState": update.name, **_CAUGHT},
    )
    return Chain.sequence(start, describe, turn)


def on_create_refused(create: Task, *, turn: State | Chain, failed: State | Chain) -> None:
    """Two first deploys can race to create the endpoint; the one SageMaker refuses as already
    existing updates it instead, in its turn."""
    refused = (
        Choice("CreateRefused")
        .when(
            Condition.jsonata(f"$contains($cause, '{ALREADY_EXISTS}')"),
            turn,
            label="exists: update",
        )
        .otherwise(failed, label="refused")
    )
    create.add_catch(
        refused,
        errors=list(SAGEMAKER_TRANSIENT),
        assign={"failedState": create.name, **_CAUGHT},
    )


def wait_for_endpoint(
    where: Location,
    *,
    endpoint_name: str,
    poll_seconds: int,
    max_polls: int,
    in_service: State | Chain,
    failed: State | Chain,
    protect: Callable[[Recoverable], None] | None = None,
) -> Chain:
    """Needs ``$endpointConfigName`` (the config being deployed) and ``$previousConfigName``
    (the one serving when it was deployed, null for a new endpoint). On failure it assigns
    ``failedState``, ``error`` and ``cause`` before going to ``failed``; on success it assigns
    ``supersededBy``: null, or the config of a later deploy that already replaced this one.

    Deploys queue up (`wait_for_turn`), so the next one may start as soon as this one ends:
    the endpoint may already be Updating to a later config when this run looks again. Serving
    this config then (during that update) is success; serving a config that is neither this
    one nor the previous one means a later deploy has replaced it, which only starts once this
    one has ended: the newer model supersedes it, said in the notification."""
    start = Pass("StartEndpointWait", assign={"endpointPolls": 0})
    wait = Wait("WaitForEndpoint", seconds=poll_seconds)
    describe = sdk_call(
        "DescribeEndpoint",
        where,
        service="sagemaker",
        action="describeEndpoint",
        arguments={"EndpointName": endpoint_name},
        assign={
            "endpointPolls": jsonata("$endpointPolls + 1"),
            "endpointStatus": jsonata("$states.result.EndpointStatus"),
            "liveConfigName": jsonata("$states.result.EndpointConfigName"),
            "endpointFailure": jsonata(
                "$exists($states.result.FailureReason) ? $states.result.FailureReason : ''"
            ),
        },
    )

    if protect is not None:
        protect(describe)

    def failure(error: str, cause: str) -> dict[str, str]:
        return {"failedState": "WaitForEndpoint", "error": error, "cause": jsonata(cause)}

    superseded = (
        "$liveConfigName != $endpointConfigName and $liveConfigName != $previousConfigName"
        " and $endpointStatus != 'Failed'"
    )
    status = (
        Choice("EndpointStatus")
        .when(
            Condition.jsonata(
                "$endpointStatus = 'InService' and $liveConfigName = $endpointConfigName"
            ),
            in_service,
            assign={"supersededBy": None},
            label="in service",
        )
        .when(
            Condition.jsonata(
                "$endpointStatus != 'Failed' and $liveConfigName = $endpointConfigName"
            ),
            in_service,
            assign={"supersededBy": None},
            comment="Served, and a later deploy already changes it",
            label="served, changing",
        )
        .when(
            Condition.jsonata(superseded),
            in_service,
            assign={"supersededBy": jsonata("$liveConfigName")},
            comment="A later deploy already replaced it",
            label="superseded",
        )
        .when(
            Condition.jsonata("$endpointStatus = 'InService'"),
            failed,
            assign=failure(
                "DeploymentRolledBack",
                f"'Endpoint {endpoint_name} rolled back: it serves ' & $liveConfigName & "
                "', not ' & $endpointConfigName & '. ' & $endpointFailure",
            ),
            label="rolled back",
        )
        .when(
            Condition.jsonata("$endpointStatus = 'Failed'"),
            failed,
            assign=failure(
                "EndpointFailed",
                f"'Endpoint {endpoint_name} is Failed: ' & $endpointFailure & "
                "'. Live config: ' & $liveConfigName",
            ),
            label="failed",
        )
        .when(
            Condition.jsonata(f"$endpointPolls >= {max_polls}"),
            failed,
            assign=failure(
                "EndpointWaitTimedOut",
                f"'Endpoint {endpoint_name} still ' & $endpointStatus & ' after "
                f"{max_polls * poll_seconds} seconds'",
            ),
            label="timed out",
        )
        .otherwise(wait, label="still updating")
    )
    return Chain.sequence(start, wait, describe, status)
