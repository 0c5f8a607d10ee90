"""How the deploy fills each handler's declared environment variables from the settings.

The handlers declare what they read (tasks/handlers/registry.py); this module is the one place
that says where each value comes from. A variable is filled the same way for every handler that
declares it. A declared variable with no source here is an error naming the handler and the
variable, rather than a function deployed without its configuration.
"""

from __future__ import annotations

from collections.abc import Callable

from environments.settings import Settings
from tasks.handlers.registry import handler_spec
from workflows.machines.deploy_model import VARIANT


class UnmappedVariableError(ValueError):
    """A handler declares a variable the deploy does not know how to fill."""


def _slack_secret(settings: Settings) -> str | None:
    if not settings.slack_webhook_secret:
        return None
    return settings.location.secret(settings.slack_webhook_secret)


# Variable -> its value from the settings; None leaves the variable unset (the handler's default).
SOURCES: dict[str, Callable[[Settings], str | None]] = {
    "RETRAIN_STATE_MACHINE_ARN": lambda s: s.state_machine_alias_arn("retrain"),
    # Drift-triggered and scheduled retrains learn from the labelled ground truth.
    "TRAINING_DATA_URI": lambda s: s.ground_truth_uri,
    "DRIFT_EVENT_SOURCE": lambda s: s.drift_event_source,
    "APPROVAL_MODE": lambda s: s.approval_mode,
    "TOPIC_ARN": lambda s: s.location.topic(s.topic_name),
    "SUBJECT_TAG": lambda s: s.prefix,
    "SLACK_WEBHOOK_SECRET_ARN": _slack_secret,
    "DEPLOY_STATE_MACHINE_ARN": lambda s: s.state_machine_alias_arn("deploy-model"),
    # The scalable target deploy-model registers for the endpoint's variant.
    "SCALABLE_RESOURCE_ID": lambda s: f"endpoint/{s.endpoint.name}/variant/{VARIANT}",
    "BASE_MAX_CAPACITY": lambda s: str(s.endpoint.autoscaling.max_capacity),
    "MAX_CAPACITY_LIMIT": lambda s: str(s.monitoring.reaction_max_capacity_limit),
}


def handler_environment(settings: Settings, handler: str) -> dict[str, str]:
    """The function environment of tasks.handlers.<handler>, in its declaration's order."""
    try:
        spec = handler_spec(handler)
    except KeyError as error:
        raise UnmappedVariableError(str(error.args[0])) from None
    env: dict[str, str] = {}
    for var in spec.variables:
        if var.set_by != "deploy":
            continue
        source = SOURCES.get(var.name)
        if source is None:
            raise UnmappedVariableError(
                f"tasks.handlers.{handler} reads {var.name} ({var.meaning}), which the deploy "
                "does not fill: add its source to SOURCES in deploy/function_environment.py"
            )
        value = source(settings)
        if value is not None:
            env[var.name] = value
    return env
