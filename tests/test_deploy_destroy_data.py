"""What destroy asks and keeps: it prints each delete and keep, deletes nothing unless confirmed
(``--yes``, or the environment's name typed in a terminal), keeps buckets holding objects and
the model package group holding packages unless ``--delete-data``, and deletes the endpoint,
endpoint configs and models deploy-model created for the environment, which a deploy leaves."""

from __future__ import annotations

import io

import pytest

from deploy import LOCAL, DestroyRefused, deploy, destroy, plan
from deploy.plan import Action
from environments.settings import Settings
from localcloud import LocalCloud
from selfheal import deploy_commands as deploy_cli
from tests.deploy_helpers import Recorder, quiet


def _bucket_names(cloud: LocalCloud) -> list[str]:
    return sorted(b["Name"] for b in cloud.client("s3").list_buckets()["Buckets"])


def _approve_a_model(cloud: LocalCloud, settings: Settings) -> str:
    """Register an Approved package: the model-approved rule runs the approval Lambda, which
    runs deploy-model, which creates the model, endpoint config and endpoint."""
    sagemaker = cloud.client("sagemaker")
    arn: str = sagemaker.create_model_package(
        ModelPackageGroupName=settings.model_package_group,
        ModelApprovalStatus="Approved",
        InferenceSpecification={
            "Containers": [
                {
                    "Image": settings.sklearn_image,
                    "ModelDataUrl": f"s3://{settings.artifacts_bucket}/models/model.tar.gz",
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    cloud.wait_until_idle()
    return arn


def _served(cloud: LocalCloud) -> dict[str, list[str]]:
    sagemaker = cloud.client("sagemaker")
    return {
        "endpoints": [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]],
        "configs": [
            c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]
        ],
        "models": [m["ModelName"] for m in sagemaker.list_models()["Models"]],
    }


def test_without_yes_and_without_a_terminal_nothing_is_deleted(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    recorder = Recorder(localcloud.client)
    lines: list[str] = []
    with pytest.raises(DestroyRefused, match="nothing was deleted: confirm with --yes"):
        destroy(deployed, recorder, lines.append)
    assert recorder.writes == []
    # It said exactly what it would have deleted.
    assert f"- delete    s3-bucket {deployed.data_bucket}" in lines
    assert "- delete    state-machine churn-dev-retrain" in lines
    assert lines[-1].startswith("destroy churn-dev: ") and lines[-1].endswith(" kept")
    again = plan(deployed, localcloud.client, quiet, target=LOCAL).plan
    assert again.pending == []


def test_the_cli_without_yes_and_without_a_terminal_exits_1_having_changed_nothing(
    localcloud: LocalCloud,
    deployed: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorder = Recorder(localcloud.client)
    monkeypatch.setattr(deploy_cli, "local_clients", lambda settings: recorder)
    monkeypatch.setattr("sys.stdin", io.StringIO("dev\n"))  # piped, not a terminal
    assert deploy_cli.main(["destroy", "--env", "dev"]) == 1
    assert recorder.writes == []
    assert "destroy refused, nothing was deleted" in capsys.readouterr().err
    assert deployed.data_bucket in _bucket_names(localcloud)


@pytest.mark.parametrize("answer", ["prod", "", "yes"])
def test_an_answer_other_than_the_environment_name_deletes_nothing(
    localcloud: LocalCloud, deployed: Settings, answer: str
) -> None:
    recorder = Recorder(localcloud.client)
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return answer

    with pytest.raises(DestroyRefused, match="destroy cancelled, nothing was deleted"):
        destroy(deployed, recorder, quiet, ask=ask)
    assert recorder.writes == []
    assert len(asked) == 1 and asked[0].startswith("type the environment name (dev)")


def test_typing_the_environment_name_confirms(localcloud: LocalCloud, deployed: Settings) -> None:
    report = destroy(deployed, localcloud.client, quiet, ask=lambda question: "dev\n")
    assert f"s3-bucket {deployed.data_bucket}" in report.deleted
    assert _bucket_names(localcloud) == []


def test_data_is_kept_unless_delete_data(localcloud: LocalCloud, deployed: Settings) -> None:
    s3, sagemaker = localcloud.client("s3"), localcloud.client("sagemaker")
    s3.put_object(Bucket=deployed.data_bucket, Key="incoming/churn.csv", Body=b"a,b\n1,2\n")
    _approve_a_model(localcloud, deployed)
    lines: list[str] = []
    report = destroy(deployed, localcloud.client, lines.append, yes=True)

    group = f"model-package-group {deployed.model_package_group}"
    assert [k.split(":")[0] for k in report.kept] == [group, f"s3-bucket {deployed.data_bucket}"]
    assert f"! keep      s3-bucket {deployed.data_bucket}" in lines
    reason = lines[lines.index(f"! keep      s3-bucket {deployed.data_bucket}") + 1]
    assert reason.startswith("      kept: it holds objects (incoming/churn.csv among them)")
    assert "--delete-data" in lines[-1] and lines[-1].startswith("destroy churn-dev: kept 2 ")
    # The artifacts bucket held only the deploy's own code objects (and the model's data
    # capture nothing yet): not data, so it went.
    assert _bucket_names(localcloud) == [deployed.data_bucket]
    assert s3.get_object(Bucket=deployed.data_bucket, Key="incoming/churn.csv")["Body"].read()
    packages = sagemaker.list_model_packages(ModelPackageGroupName=deployed.model_package_group)
    assert [p["ModelApprovalStatus"] for p in packages["ModelPackageSummaryList"]] == ["Approved"]

    # Asked again with --delete-data, the data goes too.
    again = destroy(deployed, localcloud.client, quiet, yes=True, delete_data=True)
    assert sorted(again.deleted) == sorted([group, f"s3-bucket {deployed.data_bucket}"])
    assert again.kept == [] and _bucket_names(localcloud) == []


def test_destroy_deletes_what_deploy_model_created_and_a_deploy_leaves_it(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    _approve_a_model(localcloud, deployed)
    served = _served(localcloud)
    assert served["endpoints"] == [deployed.endpoint.name]
    [config], [model] = served["configs"], served["models"]
    # Someone else's endpoint with the prefix, without the tags: never destroy's.
    sagemaker = localcloud.client("sagemaker")
    sagemaker.create_endpoint(EndpointName="churn-dev-foreign", EndpointConfigName=config)

    # The endpoint is the running service: a deploy neither plans nor prunes it.
    redeployed = deploy(deployed, localcloud.client, quiet, target=LOCAL)
    assert not any(c.action is Action.DELETE for c in redeployed.plan.changes)
    assert _served(localcloud)["endpoints"] == [deployed.endpoint.name, "churn-dev-foreign"]

    report = destroy(deployed, localcloud.client, quiet, yes=True, delete_data=True)
    assert report.deleted[:3] == [
        f"sagemaker-endpoint {deployed.endpoint.name}",
        f"sagemaker-endpoint-config {config}",
        f"sagemaker-model {model}",
    ]
    assert _served(localcloud) == {
        "endpoints": ["churn-dev-foreign"],
        "configs": [],
        "models": [],
    }
