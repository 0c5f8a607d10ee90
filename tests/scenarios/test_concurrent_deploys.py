"""Many retrains at once share one endpoint: their deploys queue up instead of failing a good
model. SageMaker refuses UpdateEndpoint while the endpoint is changing and CreateEndpoint of one
that exists (the embedded cloud does the same), so deploy-model waits its turn."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

from tests.scenarios.cases import CASES, leave_report, run_case, states_entered
from tests.scenarios.conftest import Deployed

RUNS = 20
WEAK_EVERY = 4  # every fourth run's model is below the gate's thresholds


def _deploy_runs(deployed: Deployed) -> list[dict[str, Any]]:
    sfn = deployed.cloud.client("stepfunctions")
    pages = sfn.get_paginator("list_executions").paginate(
        stateMachineArn=deployed.stack.state_machines["deploy-model"]
    )
    return [
        sfn.describe_execution(executionArn=e["executionArn"])
        for page in pages
        for e in page["executions"]
    ]


def test_a_deploy_that_finds_the_endpoint_updating_waits_its_turn(deployed: Deployed) -> None:
    # Guards the turn loop: without it UpdateEndpoint is refused and the good model fails.
    first = json.loads(run_case_ok(deployed, "first-model")["output"])
    live = first["deployment"]["endpointConfigName"]
    sagemaker = deployed.cloud.client("sagemaker")
    # Another deploy (a person's, say) is changing the endpoint when this run gets there.
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=live)["ProductionVariants"]
    sagemaker.create_endpoint_config(
        EndpointConfigName="by-hand",
        ProductionVariants=[
            {k: v for k, v in variant.items() if k != "CurrentInstanceCount"}
            for variant in variants
        ],
    )
    sagemaker.update_endpoint(
        EndpointName=deployed.settings.endpoint.name, EndpointConfigName="by-hand"
    )

    result = run_case_ok(deployed, "second-model")

    deploy = [d for d in _deploy_runs(deployed) if "second-model" in d["input"]]
    assert [d["status"] for d in deploy] == ["SUCCEEDED"]
    entered = states_entered(deployed.cloud, deploy[0]["executionArn"])
    assert entered.count("WaitForTurn") == 1
    assert entered.index("WaitForTurn") < entered.index("UpdateEndpoint")
    endpoint = sagemaker.describe_endpoint(EndpointName=deployed.settings.endpoint.name)
    assert endpoint["EndpointStatus"] == "InService"
    deployed_config = json.loads(result["output"])["deployment"]["endpointConfigName"]
    assert endpoint["EndpointConfigName"] == deployed_config != live


def run_case_ok(deployed: Deployed, execution: str) -> dict[str, Any]:
    case = dataclasses.replace(CASES["happy"], execution=execution)
    result = run_case(
        deployed.cloud, deployed.settings, deployed.stack.state_machines["retrain"], case
    )
    deployed.cloud.wait_until_idle()
    assert result["status"] == "SUCCEEDED", result
    return result


def test_twenty_concurrent_retrains_each_deploy_or_are_rejected_none_fail(
    deployed: Deployed,
) -> None:
    # No endpoint yet: the first deploys also race to create it.
    retrain = deployed.stack.state_machines["retrain"]
    cases = [
        dataclasses.replace(
            CASES["rejected" if index % WEAK_EVERY == 0 else "happy"], execution=f"run-{index}"
        )
        for index in range(RUNS)
    ]
    for case in cases:
        leave_report(deployed.cloud, deployed.settings, case)
    arns = [
        deployed.cloud.start_execution(f"{retrain}#{case.test_case}", case.input, case.execution)
        for case in cases
    ]
    results = [deployed.cloud.wait_for_execution(arn) for arn in arns]
    deployed.cloud.wait_until_idle()

    assert Counter(r["status"] for r in results) == {"SUCCEEDED": RUNS}, [
        (r["name"], r.get("error"), r.get("cause")) for r in results if r["status"] != "SUCCEEDED"
    ]
    outcomes = {r["name"]: states_entered(deployed.cloud, r["executionArn"])[-1] for r in results}
    assert {name for name, end in outcomes.items() if end == "Rejected"} >= {
        case.execution for case in cases if case.report == CASES["rejected"].report
    }
    deploys = _deploy_runs(deployed)
    assert deploys, "no model was deployed"
    assert {d["status"] for d in deploys} == {"SUCCEEDED"}
    assert len(deploys) == sum(end == "Succeeded" for end in outcomes.values())
    endpoint = deployed.cloud.client("sagemaker").describe_endpoint(
        EndpointName=deployed.settings.endpoint.name
    )
    assert endpoint["EndpointStatus"] == "InService"
    served = [json.loads(d["output"]) for d in deploys]
    # The endpoint serves the last deploy; every other one either served or was superseded.
    assert endpoint["EndpointConfigName"] in {s["endpointConfigName"] for s in served}
