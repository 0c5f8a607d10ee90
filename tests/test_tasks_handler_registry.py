"""One declaration per handler: what it reads, what it calls, and everything that follows from it
(the function environment, the role, the packaging, tasks/README.md's table)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from deploy import function_environment
from deploy.function_environment import UnmappedVariableError, handler_environment
from environments.settings import load_settings
from iam import lambda_roles
from iam.statements import Grant
from tasks import packaging
from tasks.handlers import notify, registry
from tasks.handlers.environment import MissingVariableError, read_environment, variable
from tasks.handlers.registry import HANDLERS, Handler, NotifyEnvironment, TriggerEnvironment
from tests.test_iam_roles import boto3_calls

ROOT = Path(__file__).resolve().parent.parent


def test_a_missing_required_variable_is_named_with_its_handler() -> None:
    with pytest.raises(MissingVariableError, match=r"TOPIC_ARN of tasks\.handlers\.notify"):
        read_environment(NotifyEnvironment, {"TOPIC_ARN": "  "}, handler="notify")


def test_blank_optional_variables_take_their_defaults_and_values_are_stripped() -> None:
    env = read_environment(
        TriggerEnvironment,
        {
            "RETRAIN_STATE_MACHINE_ARN": " arn:aws:states:eu-west-1:1:stateMachine:r:live ",
            "TRAINING_DATA_URI": "s3://b/p/",
            "DRIFT_EVENT_SOURCE": "",
        },
    )
    assert env.retrain_state_machine_arn == "arn:aws:states:eu-west-1:1:stateMachine:r:live"
    assert (env.drift_event_source, env.approval_mode) == ("mlops.retrain", "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.approval_mode = "auto"  # type: ignore[misc]


def test_a_handler_reads_its_environment_through_the_declaration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOPIC_ARN", raising=False)
    with pytest.raises(MissingVariableError, match="TOPIC_ARN"):
        notify.handler({"kind": "drift_detected", "executionArn": "x"}, None)


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_a_handler_declares_exactly_the_calls_its_code_makes(handler: str) -> None:
    assert set(HANDLERS[handler].calls) == boto3_calls(handler)


@pytest.mark.parametrize("environment", ["dev", "prod"])
@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_the_deploy_fills_every_variable_a_handler_requires(environment: str, handler: str) -> None:
    env = handler_environment(load_settings(environment), handler)
    declared = {v.name for v in HANDLERS[handler].variables}
    required = {v.name for v in HANDLERS[handler].variables if v.required}
    assert required <= set(env) <= declared
    read_environment(HANDLERS[handler].environment, env, handler=handler)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _NewEnvironment:
    queue_url: str = variable("a queue no handler read before")


def _register(monkeypatch: pytest.MonkeyPatch, handler: Handler) -> None:
    monkeypatch.setitem(HANDLERS, handler.name, handler)


def test_a_variable_the_deploy_cannot_fill_names_the_handler_and_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _register(monkeypatch, Handler("newcomer", "new", _NewEnvironment, ()))
    with pytest.raises(UnmappedVariableError, match=r"tasks\.handlers\.newcomer reads QUEUE_URL"):
        handler_environment(load_settings("dev"), "newcomer")
    monkeypatch.setitem(function_environment.SOURCES, "QUEUE_URL", lambda s: f"q-{s.prefix}")
    assert handler_environment(load_settings("dev"), "newcomer") == {"QUEUE_URL": "q-churn-dev"}


def test_packaging_refuses_a_registry_out_of_step_with_the_handler_modules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _register(monkeypatch, Handler("newcomer", "new", _NewEnvironment, ()))
    with pytest.raises(packaging.PackagingError, match="newcomer is registered but"):
        packaging.handler_modules()
    monkeypatch.setattr(
        packaging,
        "HANDLERS",
        {n: h for n, h in HANDLERS.items() if n not in ("newcomer", "notify")},
    )
    with pytest.raises(packaging.PackagingError, match=r"notify\.py defines handler but is not"):
        packaging.handler_modules()


def test_a_role_grants_no_call_the_registry_does_not_declare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def extra(settings: Any) -> list[Grant]:
        return [Grant("Extra", ("sqs:SendMessage",), ("arn:aws:sqs:us-east-1:1:q",))]

    monkeypatch.setitem(lambda_roles.HANDLER_CALLS, "quality_gate", extra)
    with pytest.raises(ValueError, match=r"quality_gate sqs:SendMessage, which its registry"):
        lambda_roles.lambda_role(load_settings("dev"), "quality_gate")
    # A handler that calls nothing needs no grants of its own.
    _register(monkeypatch, Handler("newcomer", "new", _NewEnvironment, ()))
    role = lambda_roles.lambda_role(load_settings("dev"), "newcomer")
    assert {a for s in role.policy["Statement"] for a in s["Action"]} <= {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_the_readme_handler_table_is_the_registry() -> None:
    readme = (ROOT / "tasks" / "README.md").read_text(encoding="utf-8")
    assert registry.markdown_table() in readme, (
        "regenerate tasks/README.md's handler table: python -m tasks.handlers.registry"
    )
