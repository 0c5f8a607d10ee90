"""The project's desired state for one environment: builders -> ASL -> resources.

Data flows one way: the state machine builders, the IAM derivation and the rule catalogue are
called here, in process; nothing generated is read back from disk. The state machines' roles are
scoped by what the builders declared (``iam.declared``), not by reading the ASL back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import iam
from deploy import (
    desired_audit,
    desired_budget,
    desired_compute,
    desired_events,
    desired_monitoring,
    desired_platform,
)
from deploy.artifacts import Artifacts, build_artifacts
from deploy.desired_platform import function_log_group, state_machine_log_group
from deploy.model import DesiredState
from deploy.preflight import DeployRefused, build_definitions, check_rules
from deploy.target import AWS, DeployTarget
from environments.settings import Settings
from event_rules import catalogue
from event_rules.request_checks import RuleError
from workflows import machines


@dataclass(frozen=True)
class Blueprint:
    """The desired state and the definitions it was built from."""

    state: DesiredState
    definitions: dict[str, dict[str, Any]]


def blueprint(
    settings: Settings,
    *,
    target: DeployTarget = AWS,
    powertools_layer: Callable[[], str] | None = None,
    artifacts: Artifacts | None = None,
    check_requests: bool = True,
) -> Blueprint:
    """Build every resource. Raises DeployRefused when a definition is not valid ASL or a rule
    is one EventBridge would reject; that check comes first, so ``powertools_layer`` (which
    resolves the layer ARN, possibly with an AWS call) is only called for a sound design.

    The definitions are built with the uploaded job code's content address, so they name
    exactly the code objects this desired state uploads. ``check_requests=False`` skips the
    check of the service requests' values, for settings holding placeholders (the template's
    parameters), whose real values the caller has checked."""
    packaged = artifacts if artifacts is not None else build_artifacts(settings)
    settings = replace(settings, code_version=packaged.code_version)
    built = machines.build_all(settings)
    definitions = build_definitions(built, requests=check_requests)
    options = catalogue.CatalogueOptions.from_settings(settings)
    try:
        rules = catalogue.project_rules(settings, options)
        schedules = catalogue.project_schedules(settings, options)
    except RuleError as error:
        raise DeployRefused([str(error)]) from error
    check_rules(rules)
    layers = (powertools_layer(),) if target.powertools_layer and powertools_layer else ()

    functions = desired_compute.functions(settings, packaged, layers)
    log_group_names = [state_machine_log_group(settings, m) for m in definitions] + [
        function_log_group(f.name) for f in functions
    ]
    queue_arn = settings.dead_letter_queue_arn
    topic_arn = settings.location.topic(settings.topic_name)
    alarms = [
        *desired_platform.alarms(settings),
        *desired_monitoring.infrastructure_alarms(settings),
    ]
    resources = [
        *desired_platform.buckets(settings, tls_only=target.tls_only_buckets),
        *desired_platform.code_objects(settings, packaged),
        desired_platform.dead_letter_queue(
            settings, desired_events.rules_naming(settings, rules, queue_arn)
        ),
        desired_platform.notification_topic(
            settings, desired_events.rules_naming(settings, rules, topic_arn)
        ),
        desired_platform.model_package_group(settings),
        *desired_platform.log_groups(log_group_names, settings),
        *desired_compute.roles(
            settings,
            iam.project_roles(
                settings, definitions, rules=rules, schedules=schedules, machines=built
            ),
        ),
        *functions,
        *desired_compute.event_permissions(
            settings, desired_events.lambda_targets(settings, rules)
        ),
        *desired_compute.state_machines(settings, definitions),
        *desired_events.rules(settings, rules),
        *desired_events.schedules(settings, schedules),
        *alarms,
        desired_monitoring.dashboard(settings, alarms),
        *desired_audit.trails(settings),
        *desired_budget.budget(settings),
    ]
    return Blueprint(DesiredState(resources), definitions)
