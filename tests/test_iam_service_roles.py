"""The EventBridge and Scheduler roles: derived from what the rule catalogue's targets are, per
schedule mechanism, so each grants exactly the calls its service makes and a role nothing
assumes is not derived (the dev settings schedule through Scheduler, so there is no EventBridge
role).

AWS facts: Scheduler invokes every target, Lambda included, with the schedule's role and
dead-letters through it ("Set up the execution role", "Configuring a schedule's dead-letter
queue"); EventBridge needs a role only for state machine targets (Lambda and SNS targets are
authorized by resource policies); an alias start is authorized on the state machine's ARN with
``states:StateMachineQualifier`` = the alias (auth-version-alias.html).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from environments.settings import Schedules, Settings, load_settings
from event_rules.catalogue import CatalogueOptions, project_rules, project_schedules
from event_rules.rule import Rule
from event_rules.schedule import Schedule
from iam import RoleSpec, lint_role
from iam.service_roles import events_role, scheduler_role
from iam.simulate import is_allowed
from tests.iam_helpers import arn, derived_roles

ACCOUNT = "123456789012"
LIVE_KEY = "states:StateMachineQualifier"
LIVE = {LIVE_KEY: "live"}


def machine(name: str) -> str:
    return arn("states", f"stateMachine:churn-dev-{name}")


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


RETRAIN = "cron(0 3 ? * SUN *)"
VARIANTS = {
    "scheduler": Schedules(),
    "scheduler+retrain": Schedules(retrain=RETRAIN),
    "rule": Schedules(use_scheduler=False),
    "rule+retrain": Schedules(use_scheduler=False, retrain=RETRAIN),
}
DLQ = arn("sqs", "churn-dev-events-dlq")
TRIGGER = arn("lambda", "function:churn-dev-trigger")
TRIGGER_LIVE = f"{TRIGGER}:live"
DEAD_LETTERS = {
    "Sid": "DeadLetterUndeliveredEvents",
    "Effect": "Allow",
    "Action": ["sqs:SendMessage"],
    "Resource": [DLQ],
}
START_DRIFT_CHECK = {
    "Sid": "StartLiveAliases",
    "Effect": "Allow",
    "Action": ["states:StartExecution"],
    "Resource": [machine("drift-check")],
    "Condition": {"StringEquals": LIVE},
}
INVOKE_TRIGGER = {
    "Sid": "InvokeFunctions",
    "Effect": "Allow",
    "Action": ["lambda:InvokeFunction"],
    "Resource": [TRIGGER_LIVE],
}


def variant(name: str) -> Settings:
    return dataclasses.replace(load_settings("dev"), schedules=VARIANTS[name])


@cache
def catalogue(name: str) -> tuple[list[Rule], list[Schedule]]:
    settings = variant(name)
    options = CatalogueOptions.from_settings(settings)
    return project_rules(settings, options), project_schedules(settings, options)


@cache
def service_roles(name: str) -> dict[str, RoleSpec]:
    """The EventBridge and Scheduler roles derived for one variant, by role name."""
    principals = ("events.amazonaws.com", "scheduler.amazonaws.com")
    return {
        role.name: role
        for role in derived_roles(variant(name))
        if role.trust_policy["Statement"][0]["Principal"]["Service"] in principals
    }


def target_call(target_arn: str) -> tuple[str, str, dict[str, str]]:
    """The call a service makes on a target: an alias start is authorized on the machine's ARN
    with the alias as qualifier (auth-version-alias.html); a function is invoked by its ARN."""
    if ":states:" in target_arn:
        unqualified, _, alias = target_arn.rpartition(":")
        return "states:StartExecution", unqualified, {LIVE_KEY: alias}
    return "lambda:InvokeFunction", target_arn, {}


@pytest.mark.parametrize(
    ("name", "events", "scheduler"),
    [
        ("scheduler", None, [DEAD_LETTERS, START_DRIFT_CHECK]),
        ("scheduler+retrain", None, [DEAD_LETTERS, INVOKE_TRIGGER, START_DRIFT_CHECK]),
        # Legacy rules: retrain-schedule targets the trigger through its resource policy.
        ("rule", [START_DRIFT_CHECK], None),
        ("rule+retrain", [START_DRIFT_CHECK], None),
    ],
)
def test_service_roles_grant_exactly_what_the_catalogue_targets(
    name: str, events: list[dict[str, Any]] | None, scheduler: list[dict[str, Any]] | None
) -> None:
    derived = {n: r.policy["Statement"] for n, r in service_roles(name).items()}
    assert derived.get("churn-dev-events") == events
    assert derived.get("churn-dev-scheduler") == scheduler
    assert set(derived) <= {"churn-dev-events", "churn-dev-scheduler"}
    assert [f for role in service_roles(name).values() for f in lint_role(role)] == []


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_target_call_is_allowed_and_nothing_else(name: str) -> None:
    """The simulator: each rule target with a RoleArn and each schedule target is reachable with
    the role it names, and no role starts retrain or deploy-model (the trigger and approval
    Lambdas do) or reaches a machine unqualified or through another alias."""
    rules, schedules = catalogue(name)
    deliveries = [(t.arn, t.role_arn) for r in rules for t in r.targets if t.role_arn]
    deliveries += [(s.target_arn, s.role_arn) for s in schedules]
    derived = {role_arn(role.name): role.policy for role in service_roles(name).values()}
    assert set(derived) == {assumed for _, assumed in deliveries}  # nothing else is derived
    for target_arn, assumed in deliveries:
        assert is_allowed(derived[assumed], *target_call(target_arn)), (target_arn, assumed)
    for document in derived.values():
        for other in ("retrain", "deploy-model"):
            assert not is_allowed(document, "states:StartExecution", machine(other), LIVE)
            assert not is_allowed(document, "states:StartExecution", machine(other))
        start = "states:StartExecution"
        assert not is_allowed(document, start, machine("drift-check"))
        assert not is_allowed(document, start, machine("drift-check"), {LIVE_KEY: "3"})
        assert not is_allowed(document, start, arn("states", "stateMachine:other"), LIVE)
        # The live alias only: neither $LATEST nor another version.
        assert not is_allowed(document, "lambda:InvokeFunction", TRIGGER)
        assert not is_allowed(document, "lambda:InvokeFunction", f"{TRIGGER}:3")
        assert not is_allowed(document, "lambda:InvokeFunction", arn("lambda", "function:x"))
        assert not is_allowed(document, "sqs:SendMessage", arn("sqs", "churn-dev-other"))
    for schedule in schedules:
        assert is_allowed(derived[schedule.role_arn], "sqs:SendMessage", schedule.dead_letter_arn)


def test_events_trust_is_limited_to_this_accounts_project_rules() -> None:
    """EventBridge sets aws:SourceArn to the rule and aws:SourceAccount to its account."""
    statement = service_roles("rule")["churn-dev-events"].trust_policy["Statement"][0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": arn("events", "rule/churn-dev-*")},
    }


def test_scheduler_trust_names_the_schedule_group() -> None:
    """ "Confused deputy prevention in EventBridge Scheduler": aws:SourceArn must be the
    schedule group's ARN, never a schedule's."""
    statement = service_roles("scheduler")["churn-dev-scheduler"].trust_policy["Statement"][0]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {
        "aws:SourceArn": arn("scheduler", "schedule-group/churn-dev")
    }
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}


@dataclass(frozen=True)
class Delivery:
    """A schedule-shaped stand-in, to plant what the catalogue does not build."""

    name: str
    target_arn: str
    role_arn: str
    dead_letter_arn: str | None = None


def test_a_target_the_roles_cannot_scope_or_another_role_is_refused() -> None:
    settings = load_settings("dev")
    own = settings.location.role(settings.scheduler_role_name)
    topic = Delivery("s", arn("sns", "churn-dev-notifications"), own)
    with pytest.raises(ValueError, match="neither a state machine alias nor"):
        scheduler_role(settings, [topic])
    unqualified = Delivery("s", machine("drift-check"), own)
    with pytest.raises(ValueError, match="neither a state machine alias nor"):
        scheduler_role(settings, [unqualified])
    foreign = Delivery("s", TRIGGER, role_arn("churn-dev-events"))
    with pytest.raises(ValueError, match=r"settings\.scheduler_role_name"):
        scheduler_role(settings, [foreign])
    assert scheduler_role(settings, []) is None
    assert events_role(settings, []) is None
