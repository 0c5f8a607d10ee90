"""The state machine roles and the SageMaker execution role come from what the integration
builders declare; reading the emitted ASL (iam/tasks.py, iam/values.py) is the cross-check that
the declarations are the names the requests really carry."""

from __future__ import annotations

import pytest

from environments.settings import load_settings
from iam import UnsupportedTaskError, project_roles, state_machine_policy
from iam.crosscheck import disagreements, sagemaker_disagreements
from iam.declared import declared_calls
from iam.machine_roles import declared_machine_role, definition_calls
from iam.sagemaker_role import sagemaker_role
from iam.simulate import is_allowed
from tests.iam_helpers import MACHINES, arn
from tests.iam_helpers import catalogue as iam_catalogue
from workflows.expressions import jsonata
from workflows.integrations.sagemaker import ProcessingInput, ProcessingOutput, processing_job
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
    catalogue = iam_catalogue(settings)
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


def _declared_and_derived_sagemaker_roles(settings, machines):
    declared = sagemaker_role(settings, [c for m in machines.values() for c in declared_calls(m)])
    derived = sagemaker_role(
        settings, [c for n, m in machines.items() for c in definition_calls(n, m.to_asl())]
    )
    return declared, derived


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_declared_sagemaker_role_is_the_one_the_definitions_need(environment):
    settings = load_settings(environment)
    built = build_all(settings)
    declared, derived = _declared_and_derived_sagemaker_roles(settings, built)
    assert declared == derived
    assert sagemaker_disagreements(settings, built, {n: m.to_asl() for n, m in built.items()}) == []
    # Machine by machine too: a location one machine forgot could hide behind another's grant.
    for name, machine in built.items():
        one = {name: machine}
        assert sagemaker_disagreements(settings, one, {name: machine.to_asl()}) == [], name


def _job_with_locations(settings, output: Name, data: Name) -> StateMachine:
    """One processing job reading ``$data`` and writing under ``<runs>/<runId>/report/`` (the
    ASL); its builder declares ``data`` and ``output`` for them."""
    runs = f"s3://{settings.artifacts_bucket}/{settings.prefixes['runs']}"
    written = jsonata(f"'{runs}' & $runId & '/report/'")
    job = processing_job(
        "Report",
        settings.location,
        job_name=Named(job_name(settings, "prep"), Name.prefix("churn-dev-prep-")),
        role_arn=settings.sagemaker_role_arn,
        image=settings.sklearn_image,
        entrypoint=["python3", "report.py"],
        inputs=[ProcessingInput("data", Named(jsonata("$states.input.uri"), data), "/in")],
        outputs=[ProcessingOutput("report", Named(written, output), "/out")],
        compute=settings.processing,
        tags=settings.all_tags(),
    )
    job.next(Succeed("Done"))
    return StateMachine("m", job)


def test_the_cross_check_catches_a_narrower_declared_s3_prefix():
    settings = load_settings("dev")
    runs = f"s3://{settings.artifacts_bucket}/{settings.prefixes['runs']}"
    narrow = _job_with_locations(settings, Name.prefix(f"{runs}x/"), Name.from_origin("input"))
    problems = sagemaker_disagreements(settings, {"m": narrow}, {"m": narrow.to_asl()})
    assert [p.split(":")[0] for p in problems] == [
        "SageMaker role statement ListChurnDevArtifacts123456789012",
        "SageMaker role statement ReadJobData",
        "SageMaker role statement WriteJobOutputs",
    ]
    # What it guards: the declared role would refuse the output the job really writes.
    declared, derived = _declared_and_derived_sagemaker_roles(settings, {"m": narrow})
    report = f"arn:aws:s3:::{settings.artifacts_bucket}/runs/run-1/report/part.csv"
    assert is_allowed(derived.policy, "s3:PutObject", report)
    assert not is_allowed(declared.policy, "s3:PutObject", report)
    right = _job_with_locations(settings, Name.prefix(runs), Name.from_origin("input"))
    assert sagemaker_disagreements(settings, {"m": right}, {"m": right.to_asl()}) == []


def test_a_declared_origin_scopes_what_the_execution_input_names():
    # Data the input names may only be read under the data prefixes; with no origin declared
    # the role cannot be scoped at all, and says so rather than granting more.
    settings = load_settings("dev")
    runs = f"s3://{settings.artifacts_bucket}/{settings.prefixes['runs']}"
    machine = _job_with_locations(settings, Name.prefix(runs), Name.from_origin("input"))
    declared, _ = _declared_and_derived_sagemaker_roles(settings, {"m": machine})
    data = f"arn:aws:s3:::{settings.training_data_uri.removeprefix('s3://')}x.csv"
    assert is_allowed(declared.policy, "s3:GetObject", data)
    unknown = _job_with_locations(settings, Name.prefix(runs), Name())
    with pytest.raises(UnsupportedTaskError, match="names no bucket"):
        sagemaker_role(settings, declared_calls(unknown))


def test_the_model_package_declares_its_containers():
    settings = load_settings("dev")
    register = next(
        c for c in declared_calls(build_all(settings)["retrain"]) if c.api == ("createModelPackage")
    )
    containers = ("InferenceSpecification", "Containers", "*")
    assert [k.prefix for k in register.values(*containers, "Image")] == [settings.sklearn_image]
    assert [k.origin for k in register.values(*containers, "ModelDataUrl")] == ["result"]


def test_the_deploy_gets_the_declared_sagemaker_role():
    settings = load_settings("dev")
    built = build_all(settings)
    definitions = {name: m.to_asl() for name, m in built.items()}
    catalogue = iam_catalogue(settings)
    runs = f"s3://{settings.artifacts_bucket}/{settings.prefixes['runs']}"
    # Same ASL in both; only the drift-check builder's declaration of its report differs (a
    # prefix no other job writes, so no other grant covers it).
    elsewhere = Name.prefix(f"s3://{settings.artifacts_bucket}/reports/")
    machine = _job_with_locations(settings, elsewhere, Name.from_origin("input"))
    assert (
        machine.to_asl()
        == _job_with_locations(settings, Name.prefix(runs), Name.from_origin("input")).to_asl()
    )
    machines = dict(built, **{"drift-check": machine})
    asl = dict(definitions, **{"drift-check": machine.to_asl()})

    def role(roles):
        return next(r for r in roles if r.name == settings.sagemaker_role_name)

    declared = role(project_roles(settings, asl, **catalogue, machines=machines))
    derived = role(project_roles(settings, asl, **catalogue))
    assert declared != derived
    writes = next(s for s in declared.policy["Statement"] if s["Sid"] == "WriteJobOutputs")
    assert f"arn:aws:s3:::{settings.artifacts_bucket}/reports/*" in writes["Resource"]
