"""Typed EventBridge rules and targets that render the exact PutRule / PutTargets requests.

    rule = Rule(name=..., description=..., event_pattern={...}, targets=(Target(...),))
    events.put_rule(**rule.to_put_rule())
    events.put_targets(**rule.to_put_targets())

Everything AWS would reject is rejected here, at construction, with the field and the fix:
names and ids outside `[.-_A-Za-z0-9]{1,64}`, more than five targets, an event pattern the
project's engine finds invalid (the message is EventBridge's reason), retry limits outside the
API's ranges, a state machine target that is not an alias ARN or has no role.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from event_rules.pattern import InvalidEventPattern, Pattern, compile_pattern
from event_rules.request_checks import (
    RuleError,
    check_alias_arn,
    check_name,
    check_schedule_expression,
)

if TYPE_CHECKING:
    from types_boto3_events.type_defs import (
        InputTransformerTypeDef,
        PutRuleRequestTypeDef,
        PutTargetsRequestTypeDef,
        RetryPolicyTypeDef,
        TargetTypeDef,
    )

MAX_TARGETS = 5
MAX_DESCRIPTION = 512
MAX_TEMPLATE = 8192
MAX_PATHS = 100
# Variables EventBridge defines for every InputTransformer.
PREDEFINED_VARIABLES = frozenset(
    {
        "aws.events.rule-arn",
        "aws.events.rule-name",
        "aws.events.event",
        "aws.events.event.json",
        "aws.events.event.ingestion-time",
    }
)
_VARIABLE = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_PATH_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")

RuleState = Literal["ENABLED", "DISABLED"]


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often EventBridge (or Scheduler) retries a failed delivery."""

    maximum_event_age_seconds: int
    maximum_retry_attempts: int

    def __post_init__(self) -> None:
        if not 60 <= self.maximum_event_age_seconds <= 86400:
            raise RuleError(
                "RetryPolicy.MaximumEventAgeInSeconds: "
                f"{self.maximum_event_age_seconds} is outside 60..86400; pick a value in range"
            )
        if not 0 <= self.maximum_retry_attempts <= 185:
            raise RuleError(
                "RetryPolicy.MaximumRetryAttempts: "
                f"{self.maximum_retry_attempts} is outside 0..185; pick a value in range"
            )

    def to_request(self) -> RetryPolicyTypeDef:
        return {
            "MaximumEventAgeInSeconds": self.maximum_event_age_seconds,
            "MaximumRetryAttempts": self.maximum_retry_attempts,
        }


@dataclass(frozen=True)
class InputTransformer:
    """Variables taken from the event by JSON path, and the template they fill.

    A template that is a JSON object must produce valid JSON: a string variable goes inside
    quotes, anything else outside. A template that is one JSON string gives a text message.
    """

    paths: Mapping[str, str]
    template: str

    def __post_init__(self) -> None:
        if len(self.paths) > MAX_PATHS:
            raise RuleError(
                f"InputTransformer.InputPathsMap: {len(self.paths)} variables, over the limit of "
                f"{MAX_PATHS}; drop the ones the template does not use"
            )
        for name, path in self.paths.items():
            if not _PATH_KEY.match(name) or name.lower().startswith("aws"):
                raise RuleError(
                    f"InputTransformer.InputPathsMap: variable name {name!r} is not allowed; use "
                    "letters, digits, - and _, not starting with 'aws'"
                )
            if not path.startswith("$"):
                raise RuleError(
                    f"InputTransformer.InputPathsMap.{name}: {path!r} is not a JSON path; "
                    "start it with '$', e.g. '$.detail.name'"
                )
        if not 1 <= len(self.template) <= MAX_TEMPLATE:
            raise RuleError(
                f"InputTransformer.InputTemplate: length {len(self.template)} is outside "
                f"1..{MAX_TEMPLATE}"
            )
        for name in _VARIABLE.findall(self.template):
            if name not in self.paths and name not in PREDEFINED_VARIABLES:
                raise RuleError(
                    f"InputTransformer.InputTemplate: <{name}> is not defined; add it to "
                    "InputPathsMap or use a predefined aws.events.* variable"
                )

    def to_request(self) -> InputTransformerTypeDef:
        return {"InputPathsMap": dict(sorted(self.paths.items())), "InputTemplate": self.template}


@dataclass(frozen=True)
class Target:
    """One rule target. Without `input`, `input_path` or `input_transformer` the target
    receives the whole event, which is what the project's Lambda handlers parse and validate."""

    id: str
    arn: str
    retry: RetryPolicy
    dead_letter_arn: str
    role_arn: str | None = None
    input: str | None = None
    input_path: str | None = None
    input_transformer: InputTransformer | None = None

    def __post_init__(self) -> None:
        check_name(self.id, f"target {self.id!r}: Id")
        where = f"target {self.id}"
        given = [
            n
            for n, v in (
                ("Input", self.input),
                ("InputPath", self.input_path),
                ("InputTransformer", self.input_transformer),
            )
            if v is not None
        ]
        if len(given) > 1:
            raise RuleError(f"{where}: {' and '.join(given)} are exclusive; keep one of them")
        if self.input is not None:
            try:
                json.loads(self.input)
            except json.JSONDecodeError as error:
                raise RuleError(f"{where}: Input is not valid JSON: {error.msg}") from error
        if self.input_path is not None and not self.input_path.startswith("$"):
            raise RuleError(f"{where}: InputPath {self.input_path!r} must start with '$'")
        if not self.dead_letter_arn.startswith("arn:") or ":sqs:" not in self.dead_letter_arn:
            raise RuleError(
                f"{where}: DeadLetterConfig.Arn {self.dead_letter_arn!r} is not an SQS queue ARN"
            )
        self._check_service()

    @property
    def service(self) -> str:
        parts = self.arn.split(":")
        return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""

    def _check_service(self) -> None:
        where = f"target {self.id}"
        if self.service == "states":
            check_alias_arn(self.arn, f"{where}: Arn")
            if not self.role_arn:
                raise RuleError(
                    f"{where}: a Step Functions target needs RoleArn (a role EventBridge assumes "
                    "to call states:StartExecution); set role_arn"
                )
        elif self.service in ("lambda", "sns"):
            if self.role_arn:
                raise RuleError(
                    f"{where}: {self.service} targets are authorised by the resource's own "
                    "policy, not a role; remove role_arn"
                )
        else:
            raise RuleError(
                f"{where}: Arn {self.arn!r} is not a Step Functions, Lambda or SNS ARN; the "
                "project's rules only target those"
            )

    def to_request(self) -> TargetTypeDef:
        request: TargetTypeDef = {
            "Id": self.id,
            "Arn": self.arn,
            "RetryPolicy": self.retry.to_request(),
            "DeadLetterConfig": {"Arn": self.dead_letter_arn},
        }
        if self.role_arn:
            request["RoleArn"] = self.role_arn
        if self.input is not None:
            request["Input"] = self.input
        if self.input_path is not None:
            request["InputPath"] = self.input_path
        if self.input_transformer is not None:
            request["InputTransformer"] = self.input_transformer.to_request()
        return request


@dataclass(frozen=True)
class Rule:
    """An EventBridge rule on one bus: an event pattern or a schedule, and its targets."""

    name: str
    description: str
    targets: tuple[Target, ...]
    event_pattern: Mapping[str, Any] | None = None
    schedule_expression: str | None = None
    state: RuleState = "ENABLED"
    event_bus: str = "default"
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_name(self.name, "rule Name")
        where = f"rule {self.name}"
        if (self.event_pattern is None) == (self.schedule_expression is None):
            raise RuleError(f"{where}: give exactly one of event_pattern and schedule_expression")
        if self.schedule_expression is not None:
            check_schedule_expression(
                self.schedule_expression, f"{where}: ScheduleExpression", allow_at=False
            )
            if self.event_bus != "default":
                raise RuleError(f"{where}: scheduled rules exist only on the default event bus")
        if len(self.description) > MAX_DESCRIPTION:
            raise RuleError(f"{where}: Description is over {MAX_DESCRIPTION} characters")
        if not 1 <= len(self.targets) <= MAX_TARGETS:
            raise RuleError(
                f"{where}: {len(self.targets)} targets; a rule takes 1 to {MAX_TARGETS}"
            )
        ids = [target.id for target in self.targets]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise RuleError(f"{where}: target Id {duplicates[0]!r} is used twice; make ids unique")
        if self.event_pattern is not None:
            _ = self.compiled

    @cached_property
    def compiled(self) -> Pattern | None:
        """The pattern compiled by the project's engine; None for a scheduled rule."""
        if self.event_pattern is None:
            return None
        try:
            return compile_pattern(dict(self.event_pattern))
        except InvalidEventPattern as error:
            raise RuleError(f"rule {self.name}: EventPattern: {error}") from error

    def matches(self, event: dict[str, Any]) -> bool:
        """True when EventBridge would deliver `event` to this rule's targets."""
        return self.compiled is not None and self.compiled.matches(event)

    def to_put_rule(self) -> PutRuleRequestTypeDef:
        request: PutRuleRequestTypeDef = {
            "Name": self.name,
            "Description": self.description,
            "State": self.state,
            "EventBusName": self.event_bus,
        }
        if self.event_pattern is not None:
            request["EventPattern"] = json.dumps(self.event_pattern, sort_keys=True)
        if self.schedule_expression is not None:
            request["ScheduleExpression"] = self.schedule_expression
        if self.tags:
            request["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(self.tags.items())]
        return request

    def to_put_targets(self) -> PutTargetsRequestTypeDef:
        return {
            "Rule": self.name,
            "EventBusName": self.event_bus,
            "Targets": [target.to_request() for target in self.targets],
        }
