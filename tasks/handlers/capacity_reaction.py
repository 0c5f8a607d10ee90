"""The endpoint CPU alarm's reaction: ALARM raises the endpoint variant's Application Auto Scaling
maximum by one instance, never above the bound from the settings; OK lowers it back to the
settings' maximum. Every change, and a refusal at the bound, is published to the topic.
Environment: `CapacityReactionEnvironment` in tasks/handlers/registry.py.

Input: the alarm's `CloudWatch Alarm State Change` event (rule `<prefix>-endpoint-cpu-capacity`).
The maximum is read back from the scalable target each time, so a redelivered ALARM raises once
more at most and never past the bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from tasks.handlers import alarm_notices, aws_clients
from tasks.handlers.environment import read_environment
from tasks.handlers.notifications import _ascii_subject
from tasks.handlers.registry import CapacityReactionEnvironment

logger = Logger(service="capacity_reaction")

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
STEP = 1  # one instance at a time, as a target-tracking scale-out adds them


@dataclass(frozen=True)
class Decision:
    outcome: str  # raised | lowered | refused | unchanged | ignored
    current: int
    new: int | None  # the MaxCapacity to register, None: no call


def decide(state: str, current: int, base: int, limit: int, step: int = STEP) -> Decision:
    """What the alarm's new state does to a maximum of `current`."""
    if state == "ALARM":
        if current >= limit:
            return Decision("refused", current, None)
        return Decision("raised", current, min(current + step, limit))
    if state == "OK":
        if current == base:
            return Decision("unchanged", current, None)
        return Decision("lowered", current, base)
    return Decision("ignored", current, None)  # INSUFFICIENT_DATA says nothing about load


def react(
    event: dict[str, Any], env: CapacityReactionEnvironment, scaling: Any, sns: Any
) -> dict[str, Any]:
    change = alarm_notices.alarm_change(event)
    resource = env.scalable_resource_id
    found = scaling.describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=[resource], ScalableDimension=DIMENSION
    )["ScalableTargets"]
    if not found:
        return _publish(
            sns,
            env,
            change,
            f"no scalable target for {resource}",
            [
                f"{resource} has no scalable target (deploy-model registers one when it deploys "
                "the endpoint); nothing was changed."
            ],
            {"outcome": "no_target"},
        )
    target = found[0]
    base = _count(env.base_max_capacity, "BASE_MAX_CAPACITY")
    limit = _count(env.max_capacity_limit, "MAX_CAPACITY_LIMIT")
    decision = decide(change.state, int(target["MaxCapacity"]), base, limit)
    result = {"outcome": decision.outcome, "previousMaxCapacity": decision.current}
    if decision.new is not None:
        # Only the identifying fields and MaxCapacity: RegisterScalableTarget leaves the rest.
        scaling.register_scalable_target(
            ServiceNamespace=NAMESPACE,
            ResourceId=resource,
            ScalableDimension=DIMENSION,
            MaxCapacity=decision.new,
        )
        result["maxCapacity"] = decision.new
    if decision.outcome == "raised":
        what = f"autoscaling maximum raised {decision.current} -> {decision.new}"
        text = (
            f"{resource}: the autoscaling maximum was raised from {decision.current} to "
            f"{decision.new} (bound: monitoring.reaction.max_capacity_limit "
            f"{env.max_capacity_limit}); autoscaling may now add instances."
        )
    elif decision.outcome == "lowered":
        what = f"autoscaling maximum lowered {decision.current} -> {decision.new}"
        text = (
            f"{resource}: the autoscaling maximum was lowered from {decision.current} back to "
            f"{decision.new} (endpoint.autoscaling.max_capacity)."
        )
    elif decision.outcome == "refused":
        what = f"autoscaling maximum already at the bound {decision.current}"
        text = (
            f"{resource}: the autoscaling maximum {decision.current} is at "
            f"monitoring.reaction.max_capacity_limit {env.max_capacity_limit}; it was not raised. "
            "Raise the limit in the settings, or look at what loads the endpoint."
        )
    else:
        logger.info("nothing to change", extra=result)
        return result
    return _publish(sns, env, change, what, [text], result)


def _count(text: str, name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(
            f"environment variable {name} of tasks.handlers.capacity_reaction must be a whole "
            f"number >= 1, got {text!r}; redeploy to set it from the settings"
        )
    return value


def _publish(
    sns: Any,
    env: CapacityReactionEnvironment,
    change: alarm_notices.AlarmChange,
    what: str,
    text: list[str],
    result: dict[str, Any],
) -> dict[str, Any]:
    subject = _ascii_subject(f"[{env.subject_tag}] {change.name} {change.state}: {what}")
    body = [*text, "", *alarm_notices.lines(change)]
    response = sns.publish(TopicArn=env.topic_arn, Subject=subject, Message="\n".join(body) + "\n")
    return {**result, "messageId": response["MessageId"], "subject": subject}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    env = read_environment(CapacityReactionEnvironment, handler="capacity_reaction")
    result = react(
        event, env, aws_clients.client("application-autoscaling"), aws_clients.client("sns")
    )
    logger.info("capacity reaction", extra=result)
    return result
