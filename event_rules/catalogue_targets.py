"""The targets and naming every catalogue rule shares: the project's Lambda functions and topic,
retry policies by purpose, the dead-letter queue, and rule names and tags from settings."""

from __future__ import annotations

from typing import Any

from environments.settings import Settings
from event_rules.rule import InputTransformer, RetryPolicy, Rule, Target

# A retrain or deploy that starts hours late after an outage is still wanted.
START_RETRY = RetryPolicy(maximum_event_age_seconds=6 * 3600, maximum_retry_attempts=50)
# An alert that arrives more than an hour late is no longer an alert.
NOTIFY_RETRY = RetryPolicy(maximum_event_age_seconds=3600, maximum_retry_attempts=10)
# The next scheduled run comes anyway; a missed one is kept in the dead-letter queue.
SCHEDULE_RETRY = RetryPolicy(maximum_event_age_seconds=3600, maximum_retry_attempts=10)


def lambda_target(settings: Settings, handler: str) -> Target:
    return Target(
        id=handler,
        arn=settings.function_alias_arn(handler),
        retry=START_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
    )


def topic_target(settings: Settings, message: InputTransformer) -> Target:
    return Target(
        id="notify",
        arn=settings.location.topic(settings.topic_name),
        retry=NOTIFY_RETRY,
        dead_letter_arn=settings.dead_letter_queue_arn,
        input_transformer=message,
    )


def project_rule(settings: Settings, suffix: str, description: str, **fields: Any) -> Rule:
    return Rule(
        name=settings.name(suffix),
        description=description,
        tags=settings.all_tags(),
        **fields,
    )
