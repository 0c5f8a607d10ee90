"""Wait until an endpoint is InService on the expected config, or report why it is not.

UpdateEndpoint and CreateEndpoint have no `.sync`, so this polls DescribeEndpoint with a bounded
Wait/Describe/Choice loop. A blue/green update that the rollback alarms undo ends InService on the
*old* config: that is a failed deployment too.
"""

from __future__ import annotations

from collections.abc import Callable

from environments.arns import Location
from workflows.chain import Chain
from workflows.choice import Choice, Condition
from workflows.expressions import jsonata
from workflows.integrations.messaging import sdk_call
from workflows.states import Pass, Recoverable, State, Wait


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
    """Needs ``$endpointConfigName`` (the config being deployed). On failure it assigns
    ``failedState``, ``error`` and ``cause`` before going to ``failed``."""
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

    status = (
        Choice("EndpointStatus")
        .when(
            Condition.jsonata(
                "$endpointStatus = 'InService' and $liveConfigName = $endpointConfigName"
            ),
            in_service,
            label="in service",
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
