"""The schedule trigger end to end, with the real job scripts: a retrain schedule fires, the
trigger function turns its Scheduled Event into the retrain input, and the retrain learns from the
newest labelled data and deploys.

Both mechanisms are covered: an EventBridge Scheduler schedule, whose target Input carries
Scheduler's context attributes (filled when it fires), and the legacy scheduled rule, which
delivers an `aws.events` Scheduled Event.
"""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pytest

from environments.settings import Schedules, load_settings
from examples.churn.churn_data import generate
from localcloud import LocalCloud
from tests.scenarios.cases import DEPLOYED, states_entered
from tests.scenarios.stack import deploy_stack

RUN_TIMEOUT = 120.0
ROWS = 1500


def _labelled_data() -> bytes:
    body = io.StringIO()
    generate(seed=5, rows=ROWS).to_csv(body, index=False, lineterminator="\n")
    return body.getvalue().encode()


@pytest.mark.parametrize(
    ("mechanism", "schedule"), [("scheduler", "retrain"), ("rule", "retrain-schedule")]
)
def test_a_fired_retrain_schedule_retrains_on_the_labelled_data_and_deploys(
    mechanism: str, schedule: str
) -> None:
    schedules = Schedules(use_scheduler=mechanism == "scheduler", retrain="cron(0 3 ? * SUN *)")
    settings = dataclasses.replace(load_settings("dev"), schedules=schedules)
    with LocalCloud() as cloud:
        stack = deploy_stack(cloud.client, settings)
        cloud.client("s3").put_object(
            Bucket=settings.data_bucket,
            Key=settings.prefixes["ground_truth"] + "labelled-2026-11.csv",
            Body=_labelled_data(),
        )
        cloud.fire_schedule(settings.name(schedule), settings.schedule_group)
        cloud.wait_until_idle(RUN_TIMEOUT)

        sfn = cloud.client("stepfunctions")
        listed = sfn.list_executions(stateMachineArn=stack.state_machines["retrain"])
        [summary] = listed["executions"]
        run: dict[str, Any] = sfn.describe_execution(executionArn=summary["executionArn"])
        request = json.loads(run["input"])
        assert run["name"].startswith("schedule-")
        assert request["trigger"]["source"] == "schedule"
        assert request["trigger"]["reason"].startswith("scheduled at ")
        assert request["dataS3Uri"] == settings.ground_truth_uri
        assert run["status"] == "SUCCEEDED", run
        assert states_entered(cloud, run["executionArn"]) == list(DEPLOYED)
        assert json.loads(run["output"])["decision"] == "approve"
