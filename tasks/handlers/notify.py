"""Publish a notification to SNS, and to Slack when a secret holds the webhook URL; a tag
opens every subject, `[<tag>] ...` (the deploy sets the environment's resource prefix).
Environment: `NotifyEnvironment` in tasks/handlers/registry.py.

Input: `{"kind", "executionArn", ...details}` from a state machine, or an operational
EventBridge event (execution FAILED/TIMED_OUT/ABORTED, SageMaker job or endpoint Failed).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from tasks.handlers import aws_clients, notifications, slack
from tasks.handlers.environment import read_environment
from tasks.handlers.registry import NotifyEnvironment
from tasks.handlers.tracing import tracer

logger = Logger(service="notify")


def publish(
    details: dict[str, Any],
    sns: Any,
    topic_arn: str,
    secrets: Any = None,
    slack_secret_arn: str = "",
    tag: str = "mlops",
) -> dict[str, Any]:
    """Send the notification for `details`; return the SNS message id and the subject."""
    note = notifications.build(details, tag)
    response = sns.publish(TopicArn=topic_arn, Subject=note.subject, Message=note.message)
    result: dict[str, Any] = {"messageId": response["MessageId"], "subject": note.subject}
    if slack_secret_arn and secrets is not None:
        try:
            status = slack.post(
                slack.webhook_url(secrets, slack_secret_arn), note.subject, note.message
            )
            result["slack"] = {"status": status}
        except Exception as exc:  # Slack is best effort; SNS already has the message
            logger.warning("slack delivery failed", extra={"error": f"{type(exc).__name__}: {exc}"})
            result["slack"] = {"error": type(exc).__name__}
    return result


@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    env = read_environment(NotifyEnvironment, handler="notify")
    details = notifications.from_event(event)
    slack_secret = env.slack_webhook_secret_arn
    secrets = aws_clients.client("secretsmanager") if slack_secret else None
    result = publish(
        details, aws_clients.client("sns"), env.topic_arn, secrets, slack_secret, env.subject_tag
    )
    logger.info("notification sent", extra={"kind": details.get("kind"), "sent": result})
    return result
