"""The state machine roles come from what the integration builders declare; reading the emitted
ASL (iam/tasks.py, iam/values.py) is the cross-check that the declarations are the names the
requests really carry."""

from __future__ import annotations

import pytest

from environments.settings import load_settings
from event_rules.catalogue import CatalogueOptions, project_rules, project_schedules
from iam import UnsupportedTaskError, project_roles, state_machine_policy
from iam.crosscheck import disagreements
from iam.machine_roles import declared_machine_role
from tests.iam_helpers import MACHINES, arn
from workflows.expressions import jsonata
from workflows.integrations.sagemaker import processing_job
from workflows.machine import StateMachine
from workflows.machines import build_all
from workflows.machines.naming import job_name
from workflows.permissions import Name, Named
from workflows.states import Succeed, Task


@pytest.mark.parametrize("environment", ["dev", "prod"])
@pytest.mark.parametrize("machine", MACHINES)
def test_every_project_machine_declares_what_its_definition_needs(environment, machine):
    settings = load_settings(environment)
    built = build_all(settings)[machine]
    assert disagreements(settings, machine, built, built.to_asl()) == []
    # The whole role too: the same statements, Sids, trust and wildcard reasons.
    assert declared_machine_role(settings, machine, built) == state_machine_policy(
        settings, machine, built.to_asl()
    )


def test_the_deploy_gets_the_declared_roles():
    settings = load_settings("dev")
    built = build_all(settings)
    definitions = {name: m.to_asl() for name, m in built.items()}
    options = CatalogueOptions.from_settings(settings)
    catalogue = {
        "rules": project_rules(settings, options),
        "schedules": project_schedules(settings, options),
    }
    declared = project_roles(settings, definitions, **catalogue, machines=built)
    assert declared == project_roles(settings, definitions, **catalogue)
    # The machines are what the declared roles are built from: a machine whose builder declares
    # another job prefix gives another role (the ASL alone would not change it).
    changed = dict(built, retrain=_one_job_machine(settings, Name.prefix("churn-dev-prepx-")))
    with_change = project_roles(settings, definitions, **catalogue, machines=changed)
    assert with_change != declared
    with pytest.raises(ValueError, match=r"machines .* and definitions .* differ"):
        project_roles(settings, definitions, **catalogue, machines={"retrain": built["retrain"]})


def _one_job_machine(settings, declared: Name | None) -> StateMachine:
    """A machine with one processing job named ``'churn-dev-prep-' & $runId & ...`` in its ASL;
    its builder declares ``declared`` (None: the expression, with nothing said of it)."""
    expression = job_name(settings, "prep")
    job = processing_job(
        "Prep",
        settings.location,
        job_name=expression if declared is None else Named(expression, declared),
        role_arn=settings.sagemaker_role_arn,
        image=settings.sklearn_image,
        entrypoint=["python3", "preprocess.py"],
        inputs=[],
        outputs=[],
        compute=settings.processing,
        tags=settings.all_tags(),
    )
    job.next(Succeed("Done"))
    return StateMachine("m", job)


def _jobs_statement(role) -> dict:
    return next(s for s in role.policy["Statement"] if s["Sid"] == "SageMakerProcessingJobs")


def test_the_cross_check_catches_a_narrower_declared_prefix():
    settings = load_settings("dev")
    machine = _one_job_machine(settings, Name.prefix("churn-dev-prep-x"))
    problems = disagreements(settings, "retrain", machine, machine.to_asl())
    assert len(problems) == 1
    assert problems[0].startswith("retrain state Prep: the builder declares")
    assert "processing-job/churn-dev-prep-x*" in problems[0]
    assert "processing-job/churn-dev-prep-*" in problems[0]
    # What the cross-check guards: the declared role would not let the job the ASL names start.
    declared = _jobs_statement(declared_machine_role(settings, "retrain", machine))
    assert declared["Resource"] == [arn("sagemaker", "processing-job/churn-dev-prep-x*")]


def test_the_cross_check_catches_a_name_the_builder_did_not_declare():
    # An expression with no Named: the declaration falls back to every project name, wider than
    # the prefix the ASL shows.
    settings = load_settings("dev")
    machine = _one_job_machine(settings, None)
    problems = disagreements(settings, "retrain", machine, machine.to_asl())
    assert [p.split(":")[0] for p in problems] == ["retrain state Prep"]
    declared = _jobs_statement(declared_machine_role(settings, "retrain", machine))
    assert declared["Resource"] == [arn("sagemaker", "processing-job/churn-dev-*")]


def test_a_correct_declaration_passes_the_cross_check():
    settings = load_settings("dev")
    machine = _one_job_machine(settings, Name.prefix("churn-dev-prep-"))
    assert disagreements(settings, "retrain", machine, machine.to_asl()) == []


def test_a_task_without_declared_permissions_is_refused():
    settings = load_settings("dev")
    bare = Task("Bare", resource=settings.location.integration("sns:publish"), arguments={})
    bare.next(Succeed("Done"))
    with pytest.raises(UnsupportedTaskError, match="m state Bare: the Task declares no perm"):
        declared_machine_role(settings, "retrain", StateMachine("m", bare))


def test_declarations_are_not_emitted():
    settings = load_settings("dev")
    declared = _one_job_machine(settings, Name.prefix("churn-dev-prep-"))
    plain = _one_job_machine(settings, None)
    assert declared.to_asl() == plain.to_asl()
    assert "churn-dev-prep-'" in str(declared.to_asl())  # the expression itself, unchanged
    assert jsonata("$x") not in str(declared.to_asl())
