"""Powertools parser models of the events and inputs the handlers read, strict about types: a
string where an object belongs, an object where an ARN belongs, is refused at the parse edge
(`event_input.parse_event`) with the field named. Fields AWS may add later are let through
(`extra="allow"`); the ones a handler reads are typed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

Text = StrictStr | None


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class MetricName(_Open):
    namespace: Text = None
    name: Text = None
    dimensions: dict[str, StrictStr] = Field(default_factory=dict)


class MetricStat(_Open):
    metric: MetricName | None = None
    period: StrictInt | None = None
    stat: Text = None


class MetricQuery(_Open):
    metricStat: MetricStat | None = None
    expression: Text = None


class AlarmConfiguration(_Open):
    metrics: list[MetricQuery] = Field(default_factory=list)


class AlarmState(_Open):
    value: StrictStr
    reason: StrictStr = ""
    # CloudWatch sends it as a JSON string; the object itself is accepted too.
    reasonData: StrictStr | dict[str, Any] | None = None


class AlarmDetail(_Open):
    alarmName: StrictStr = Field(min_length=1)
    state: AlarmState
    previousState: AlarmState | None = None
    configuration: AlarmConfiguration = Field(default_factory=AlarmConfiguration)


class AlarmChangeEvent(EventBridgeModel):
    detail: AlarmDetail  # type: ignore[assignment]


class ExecutionStatusDetail(_Open):
    executionArn: Text = None
    status: StrictStr
    error: Text = None
    cause: Text = None


class ExecutionStatusEvent(EventBridgeModel):
    detail: ExecutionStatusDetail  # type: ignore[assignment]


class TrainingJobDetail(_Open):
    TrainingJobName: StrictStr
    TrainingJobStatus: StrictStr
    TrainingJobArn: Text = None
    FailureReason: Text = None
    ExitMessage: Text = None


class TrainingJobEvent(EventBridgeModel):
    detail: TrainingJobDetail  # type: ignore[assignment]


class ProcessingJobDetail(_Open):
    ProcessingJobName: StrictStr
    ProcessingJobStatus: StrictStr
    ProcessingJobArn: Text = None
    FailureReason: Text = None
    ExitMessage: Text = None


class ProcessingJobEvent(EventBridgeModel):
    detail: ProcessingJobDetail  # type: ignore[assignment]


class EndpointDetail(_Open):
    EndpointName: StrictStr
    EndpointStatus: StrictStr
    EndpointArn: Text = None
    EndpointConfigName: Text = None
    FailureReason: Text = None


class EndpointEvent(EventBridgeModel):
    detail: EndpointDetail  # type: ignore[assignment]


class ModelPackageDetail(_Open):
    ModelPackageArn: StrictStr = Field(min_length=1)
    ModelApprovalStatus: Text = None
    ModelPackageGroupName: Text = None
    ModelPackageVersion: StrictInt | None = None
    CustomerMetadataProperties: dict[str, StrictStr] | None = None


class ModelPackageEvent(EventBridgeModel):
    detail: ModelPackageDetail  # type: ignore[assignment]


class DriftDetail(_Open):
    drifted_features: list[StrictStr] | None = None
    driftedFeatures: list[StrictStr] | None = None
    max_psi: StrictFloat | StrictInt | None = None
    maxPsi: StrictFloat | StrictInt | None = None


class DriftEvent(EventBridgeModel):
    detail: DriftDetail  # type: ignore[assignment]


class WorkflowNotice(_Open):
    """A state machine's notify input: `kind` and the facts the message shows."""

    kind: StrictStr
    executionArn: Text = None
    modelPackageArn: Text = None
    resourceArn: Text = None
    endpointName: Text = None
    endpointConfigName: Text = None
    jobName: Text = None
    failedState: Text = None
    status: Text = None
    error: Text = None
    reason: Text = None
    cause: Text = None
    decision: Text = None
    metrics: dict[str, StrictFloat | StrictInt | StrictStr | None] | None = None
    reasons: list[StrictStr] | None = None
