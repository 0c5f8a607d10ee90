"""`context_object_times`: the context object (`$$`) as Step Functions builds it.

moto put the execution's start as a Python datetime into `$$.Execution.StartTime`, so a state
that read it produced an output nothing could serialise (DescribeExecution failed); it wrote
`$$.State.EnteredTime` with microseconds and `+00:00`; and `$$.Execution.RedriveCount` was
missing. Step Functions writes both times as ISO 8601 text in UTC with milliseconds and `Z`
(`2024-07-15T13:00:19.123Z`) and counts redrives from 0.
"""

from __future__ import annotations

import datetime
from typing import Any

from localcloud.extensions.patching import PatchSet


def aws_time(moment: datetime.datetime | str) -> str:
    """`moment` as the context object writes times: UTC, milliseconds, `Z`."""
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    utc = moment.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.component.state import state as state_module
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    original_environment = ExecutionWorker._get_evaluation_environment

    def _get_evaluation_environment(self: Any) -> Any:
        env = original_environment(self)
        execution = env.states.context_object.context_object_data["Execution"]
        execution["StartTime"] = aws_time(execution["StartTime"])
        # Redrive is not supported here, so every execution is on its first run.
        execution.setdefault("RedriveCount", 0)
        return env

    original_state_data = state_module.StateData

    def state_data(**fields: Any) -> Any:
        if "EnteredTime" in fields:
            fields["EnteredTime"] = aws_time(fields["EnteredTime"])
        return original_state_data(**fields)

    patches.replace(ExecutionWorker, "_get_evaluation_environment", _get_evaluation_environment)
    patches.replace(state_module, "StateData", state_data)
