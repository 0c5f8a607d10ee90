"""Steps every machine builds the same way: the project's job scripts and its notify function."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from environments.settings import LIVE_ALIAS, Settings
from workflows.expressions import jsonata
from workflows.integrations.messaging import lambda_invoke
from workflows.integrations.sagemaker import ProcessingInput, ProcessingOutput, processing_job
from workflows.machines.naming import job
from workflows.states import Json, Task

# Where the processing container finds the job scripts (uploaded under <code_uri>jobs/).
CODE_DIR = "/opt/ml/processing/input/code"
# Where SageMaker reads a processing job's ExitMessage; passed so a local workspace stands in.
MESSAGE_FILE = "/opt/ml/output/message"


def script_job(
    name: str,
    settings: Settings,
    *,
    stage: str,
    script: str,
    arguments: Sequence[str] = (),
    inputs: Sequence[ProcessingInput],
    outputs: Sequence[ProcessingOutput],
    **state: Any,
) -> Task:
    """A processing job that runs ``tasks/jobs/<script>`` in the scikit-learn image.

    The state passes its input through: later states read what they need from variables.
    """
    return processing_job(
        name,
        settings.location,
        job_name=job(settings, stage),
        role_arn=settings.sagemaker_role_arn,
        image=settings.sklearn_image,
        entrypoint=["python3", f"{CODE_DIR}/{script}"],
        arguments=[*arguments, "--message-file", MESSAGE_FILE],
        inputs=[*inputs, ProcessingInput("code", settings.code_uri + "jobs/", CODE_DIR)],
        outputs=outputs,
        compute=settings.processing,
        tags=settings.all_tags(),
        output=jsonata("$states.input"),
        **state,
    )


def notify_task(
    name: str,
    settings: Settings,
    *,
    machine: str,
    kind: str,
    details: Mapping[str, Json],
) -> Task:
    """Invoke the notify function (``tasks.handlers.notify``) with a notice of ``kind``."""
    return lambda_invoke(
        name,
        settings.location,
        function_name=settings.function_name("notify"),
        qualifier=LIVE_ALIAS,
        payload={
            "kind": kind,
            "executionArn": jsonata("$states.context.Execution.Id"),
            "stateMachine": settings.state_machine_name(machine),
            **details,
        },
    )
