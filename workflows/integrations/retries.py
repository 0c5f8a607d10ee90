"""The retry policies every Task carries: transient errors only, with backoff and full jitter."""

from __future__ import annotations

from aws_naming import sdk_error_prefix
from workflows.errors import JitterStrategy, Retry

# Lambda's service errors, as the Step Functions documentation recommends retrying them.
LAMBDA_TRANSIENT = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
# The optimized SageMaker integration reports service faults and throttling as this error.
SAGEMAKER_TRANSIENT = ("SageMaker.AmazonSageMakerException",)
# aws-sdk integrations name errors <Service>.<ExceptionName>.
SDK_THROTTLING = ("ThrottlingException", "TooManyRequestsException", "LimitExceededException")


def sdk_transient(service: str) -> tuple[str, ...]:
    prefix = sdk_error_prefix(service)
    return (
        *(f"{prefix}.{name}" for name in SDK_THROTTLING),
        f"{prefix}.InternalServerException",
        f"{prefix}.ServiceUnavailableException",
    )


def transient(errors: tuple[str, ...], *, attempts: int = 4) -> Retry:
    return Retry(
        errors=list(errors),
        interval_seconds=2,
        max_attempts=attempts,
        backoff_rate=2.0,
        max_delay_seconds=60,
        jitter=JitterStrategy.FULL,
    )


def job_failure(*, attempts: int = 1, interval_seconds: int = 60) -> Retry:
    """Capacity errors and spot interruptions end a SageMaker job Failed, which `.sync` reports as
    States.TaskFailed: one more attempt, after a pause, recovers them. Job names carry the retry
    count, so the new attempt gets a new, unique job name."""
    return Retry(
        errors=["States.TaskFailed"],
        interval_seconds=interval_seconds,
        max_attempts=attempts,
        backoff_rate=2.0,
        max_delay_seconds=600,
        jitter=JitterStrategy.FULL,
    )
