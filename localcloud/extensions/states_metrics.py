"""`states_metrics`: executions and `.sync` integrations publish AWS/States metrics, as Step
Functions does (moto publishes none, so the dashboard's executions and job-duration widgets, and
any alarm on them, saw nothing locally). The metrics are `localcloud.execution_metrics`'s."""

from __future__ import annotations

import time
from typing import Any

from localcloud import execution_metrics
from localcloud.extensions.patching import PatchSet


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.backend.execution import (
        BaseExecutionWorkerCommunication,
        Execution,
    )

    from localcloud.sagemaker_jobs import StateTaskServiceSageMaker

    original_start = Execution.start

    def start(self: Any) -> None:
        original_start(self)
        execution_metrics.execution_started(self)

    original_reflect = BaseExecutionWorkerCommunication._reflect_execution_status

    def reflect_execution_status(self: Any) -> None:
        original_reflect(self)
        execution_metrics.execution_ended(self.execution)

    original_resolver = StateTaskServiceSageMaker._build_sync_resolver

    def build_sync_resolver(self: Any, **arguments: Any) -> Any:
        # moto passes env, resource_runtime_part, normalised_parameters, state_credentials
        # by name.
        resolve = original_resolver(self, **arguments)
        started = time.monotonic()
        runtime = arguments["resource_runtime_part"]
        account, region = runtime.account, runtime.region

        def record() -> None:
            execution_metrics.integration_timed(
                account, region, self.resource.resource_arn, time.monotonic() - started
            )

        def timed() -> Any:
            # The resolver answers None while the job still runs: only its end is timed.
            try:
                result = resolve()
            except BaseException:
                record()
                raise
            if result is not None:
                record()
            return result

        return timed

    patches.replace(Execution, "start", start)
    patches.replace(
        BaseExecutionWorkerCommunication, "_reflect_execution_status", reflect_execution_status
    )
    patches.replace(StateTaskServiceSageMaker, "_build_sync_resolver", build_sync_resolver)
