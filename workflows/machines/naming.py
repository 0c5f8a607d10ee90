"""Names derived from the execution, so every execution's jobs and resources are its own.

SageMaker names allow ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``. A run id is the execution name,
sanitised and cut to 16 characters, plus 10 hex digits of its SHA-256: readable, unique per
execution, and short enough that ``<project>-<env>-<stage>-<runId>-<retry>`` stays within 63.
"""

from __future__ import annotations

from environments.settings import Settings
from workflows.expressions import jsonata, jsonata_string
from workflows.permissions import Name, Named

RUN_ID = jsonata(
    "$join(["
    "$substring($replace($states.context.Execution.Name, /[^A-Za-z0-9]+/, '-'), 0, 16), "
    "$substring($hash($states.context.Execution.Name, 'SHA-256'), 0, 10)"
    "], '-')"
)
SAGEMAKER_NAME_LIMIT = 63
STAGES = ("prep", "train", "eval", "drift", "model", "epc")


def job_name(settings: Settings, stage: str) -> str:
    """A SageMaker job name for ``stage``, with the retry count so a retried job gets a new name."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; use one of {STAGES}")
    longest = len(settings.prefix) + len(stage) + 2 + 27 + 2
    if longest > SAGEMAKER_NAME_LIMIT:
        raise ValueError(
            f"names for {settings.prefix!r} would reach {longest} characters, over SageMaker's "
            f"{SAGEMAKER_NAME_LIMIT}: shorten project or environment"
        )
    return jsonata(
        f"{jsonata_string(stage_prefix(settings, stage))} & $runId & '-' & "
        "$string($states.context.State.RetryCount)"
    )


def stage_prefix(settings: Settings, stage: str) -> str:
    """How every name ``stage`` makes starts: what its IAM grant is scoped to."""
    return f"{settings.prefix}-{stage}-"


def job(settings: Settings, stage: str) -> Named:
    """``job_name`` with what it is known to start with, for the job's IAM grant."""
    return Named(job_name(settings, stage), Name.prefix(stage_prefix(settings, stage)))


def resource_name(settings: Settings, stage: str) -> str:
    """A name for a resource created once per execution (model, endpoint config)."""
    return jsonata(f"{jsonata_string(stage_prefix(settings, stage))} & $runId")


def run_location(settings: Settings, expression: str) -> Named:
    """An S3 location of one run (``expression``: under the runs prefix of the artifacts bucket),
    with that prefix, which scopes the SageMaker role's access to it."""
    runs = f"s3://{settings.artifacts_bucket}/{settings.prefixes['runs']}"
    return Named(expression, Name.prefix(runs))


def assigned_name(settings: Settings, stage: str, variable: str) -> Named:
    """``$variable``, assigned ``resource_name(settings, stage)`` earlier in the execution."""
    return Named(jsonata(f"${variable}"), Name.prefix(stage_prefix(settings, stage)))
