"""Two projects in one account: churn (binary) and wine (multiclass) deploy into one embedded
cloud with no name in common, and an event of one never reaches the other's rules."""

from __future__ import annotations

from pathlib import Path

from deploy import LOCAL, deploy
from deploy.desired import blueprint
from environments.settings import Settings, load_settings
from localcloud import LocalCloud
from tests.example_projects import wine_project

IDLE_TIMEOUT = 60.0


def test_two_projects_deploy_side_by_side_and_keep_to_their_own_events(tmp_path: Path) -> None:
    churn = load_settings("dev")
    wine = load_settings("dev", wine_project(tmp_path))

    def names(settings: Settings) -> set[str]:
        """Every resource's kind and name, and every ARN it answers to."""
        state = blueprint(settings, target=LOCAL, powertools_layer=lambda: "layer").state
        return {r.key for r in state} | {arn for r in state for arn in r.identifiers}

    assert names(churn) & names(wine) == set()
    with LocalCloud() as cloud:
        for settings in (churn, wine):
            deploy(settings, cloud.client, lambda line: None, target=LOCAL)
        cloud.client("s3").put_object(
            Bucket=churn.data_bucket,
            Key=churn.prefixes["training_data"] + "unusable.csv",
            Body=b"not,the,columns\n1,2,3\n",
        )
        cloud.wait_until_idle(IDLE_TIMEOUT)
        sfn = cloud.client("stepfunctions")

        def retrains(settings: Settings) -> int:
            arn = settings.location.state_machine(settings.state_machine_name("retrain"))
            return len(sfn.list_executions(stateMachineArn=arn)["executions"])

        assert cloud.deliveries(churn.name("training-data-uploaded")) != []
        assert cloud.deliveries(wine.name("training-data-uploaded")) == []
        assert (retrains(churn), retrains(wine)) == (1, 0)
