"""The console's pages read through boto3 from an embedded cloud, without a browser: what they
show of an execution, that hostile values stay text, and that its one write (a model package
decision) needs the page's token, a pending package and a request addressed to this machine."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from console import graph_svg
from console.app import ConsoleApp
from console.pages_monitoring import metric_charts
from console.server import main as console_main
from console.sources import Sources
from environments.settings import Settings
from localcloud import LocalCloud
from selfheal.console_command import find_sources
from workflows.machines.deploy_model import VARIANT

ROLE = "arn:aws:iam::123456789012:role/console-test"
HOSTILE = "<script>alert('x')</script>"
LOCAL = {"Host": "127.0.0.1:8321"}
# Pass, then a Fail whose cause carries markup: the console must show it, not run it.
FAILING = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
            "Default": "Broken",
        },
        "Broken": {"Type": "Fail", "Error": "Data.Invalid", "Cause": HOSTILE},
        "Done": {"Type": "Succeed"},
    },
}


def _client(cloud: LocalCloud) -> tuple[Client, Sources]:
    sources = Sources(cloud.client, "the test's embedded cloud", recordings=cloud)
    return Client(ConsoleApp(sources)), sources


def _run(cloud: LocalCloud, document: dict[str, Any], execution_input: dict[str, Any]) -> str:
    sfn = cloud.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="console-test", definition=json.dumps(document), roleArn=ROLE
    )["stateMachineArn"]
    result = cloud.start_and_wait(arn, execution_input, name="run-1")
    return str(result["executionArn"])


def _pending_package(cloud: LocalCloud) -> str:
    sagemaker = cloud.client("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName="console-models")
    arn: str = sagemaker.create_model_package(
        ModelPackageGroupName="console-models",
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/sk:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]
    return arn


def _status(cloud: LocalCloud, arn: str) -> str:
    described = cloud.client("sagemaker").describe_model_package(ModelPackageName=arn)
    return str(described["ModelApprovalStatus"])


def test_a_failed_execution_shows_its_failed_state_with_error_and_escaped_cause(
    localcloud: LocalCloud,
) -> None:
    arn = _run(localcloud, FAILING, {"ok": False, "note": HOSTILE})
    client, _ = _client(localcloud)
    page = client.get(f"/execution?arn={quote(arn)}", headers=LOCAL).get_data(as_text=True)

    coloured = dict(re.findall(r'data-state="([^"]+)" data-status="([^"]+)"', page))
    assert coloured == {
        "Prepare": "succeeded",
        "Check": "succeeded",
        "Broken": "failed",
        "Done": "not-entered",
    }
    assert "Data.Invalid" in page
    assert HOSTILE not in page  # neither the cause nor the input runs as markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_the_executions_list_filters_by_status(localcloud: LocalCloud) -> None:
    arn = _run(localcloud, FAILING, {"ok": False})
    client, _ = _client(localcloud)
    failed = client.get("/executions?status=FAILED", headers=LOCAL).get_data(as_text=True)
    succeeded = client.get("/executions?status=SUCCEEDED", headers=LOCAL).get_data(as_text=True)
    assert quote(arn) in failed
    assert quote(arn) not in succeeded
    refused = client.get("/executions?status=BROKEN", headers=LOCAL)
    assert "status must be one of" in refused.get_data(as_text=True)


def test_approving_a_pending_package_updates_it_and_redirects(localcloud: LocalCloud) -> None:
    arn = _pending_package(localcloud)
    client, sources = _client(localcloud)
    registry = client.get("/models", headers=LOCAL).get_data(as_text=True)
    assert 'class="approve"' in registry

    form = {"csrf": sources.csrf_token, "package": arn, "decision": "approve"}
    response = client.post("/models/decide", data=form, headers=LOCAL)
    assert response.status_code == 303
    assert _status(localcloud, arn) == "Approved"
    # Decided already: a second POST (a replayed form) is refused, the package stays Approved.
    again = client.post("/models/decide", data={**form, "decision": "reject"}, headers=LOCAL)
    assert again.status_code == 400
    assert "not PendingManualApproval" in again.get_data(as_text=True)
    assert _status(localcloud, arn) == "Approved"


@pytest.mark.parametrize(
    ("token", "host", "code"),
    [("wrong-token", "127.0.0.1:8321", 400), (None, "evil.example:8321", 403)],
    ids=["forged-form", "rebound-host"],
)
def test_a_decision_without_the_token_or_from_another_host_changes_nothing(
    localcloud: LocalCloud, token: str | None, host: str, code: int
) -> None:
    arn = _pending_package(localcloud)
    client, sources = _client(localcloud)
    form = {"csrf": token or sources.csrf_token, "package": arn, "decision": "approve"}
    response = client.post("/models/decide", data=form, headers={"Host": host})
    assert response.status_code == code
    assert _status(localcloud, arn) == "PendingManualApproval"


def test_deciding_takes_a_post_only(localcloud: LocalCloud) -> None:
    client, _ = _client(localcloud)
    assert client.get("/models/decide", headers=LOCAL).status_code == 405


def test_every_page_answers_on_an_empty_account(localcloud: LocalCloud) -> None:
    client, _ = _client(localcloud)
    for path in ("/", "/executions", "/models", "/endpoints", "/alarms", "/events"):
        response = client.get(path, headers=LOCAL)
        assert response.status_code == 200, (path, response.get_data(as_text=True))


def test_an_unknown_resource_reads_as_aws_refusal_not_a_crash(localcloud: LocalCloud) -> None:
    client, _ = _client(localcloud)
    missing = "arn:aws:states:us-east-1:123456789012:execution:nope:nope"
    response = client.get(f"/execution?arn={quote(missing)}", headers=LOCAL)
    assert response.status_code in (400, 404)
    assert "AWS refused" in response.get_data(as_text=True)


def test_the_graph_draws_each_transition_once_and_loops_back_as_curves() -> None:
    loop = {
        "StartAt": "Poll",
        "States": {
            "Poll": {
                "Type": "Task",
                "Resource": "arn:x",
                "Next": "Ready?",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Ready?"}],
            },
            "Ready?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.ok", "BooleanEquals": False, "Next": "Poll"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert graph_svg.graph_edges(loop["States"]) == [
        ("Poll", "Ready?", "next / catch"),  # its Next and its Catch: one arrow, both labels
        ("Ready?", "Poll", "when"),
        ("Ready?", "Done", "otherwise"),
    ]
    assert graph_svg.layers(loop) == [["Poll"], ["Ready?"], ["Done"]]
    svg = graph_svg.render(loop)
    assert svg.count("<path d=") == 4  # three edges (arrow head marker path is the fourth)
    assert " C" in svg  # the loop back to Poll bends instead of crossing the boxes


def test_a_state_others_catch_into_is_drawn_below_every_state_that_catches() -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Notify"}]
    chain = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:x", "Next": "B", "Catch": catch},
            "B": {"Type": "Task", "Resource": "arn:x", "Next": "C", "Catch": catch},
            "C": {"Type": "Task", "Resource": "arn:x", "End": True, "Catch": catch},
            "Notify": {"Type": "Fail"},
        },
    }
    assert graph_svg.layers(chain) == [["A"], ["B"], ["C"], ["Notify"]]


def test_an_endpoint_metric_is_charted_with_its_datapoints(localcloud: LocalCloud) -> None:
    now = datetime.datetime.now(datetime.UTC)
    dimensions = [
        {"Name": "EndpointName", "Value": "console-endpoint"},
        {"Name": "VariantName", "Value": "AllTraffic"},
    ]
    localcloud.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": dimensions,
                "Timestamp": now - datetime.timedelta(minutes=minutes),
                "Value": float(minutes),
            }
            for minutes in (1, 3, 5)
        ],
    )
    sources = Sources(localcloud.client, "test")
    charts = metric_charts(sources, "console-endpoint")
    assert re.findall(r'class="chart" data-points="(\d+)"', charts) == ["3"]
    assert "Invocations AllTraffic" in charts
    assert "<polyline" in charts
    assert "no metrics" in metric_charts(sources, "another-endpoint")


def test_hostile_state_names_stay_text_in_the_graph() -> None:
    hostile = {"StartAt": HOSTILE, "States": {HOSTILE: {"Type": "Succeed"}}}
    svg = graph_svg.render(hostile, {HOSTILE: "failed"}, [HOSTILE])
    assert HOSTILE not in svg
    assert 'data-state="&lt;script&gt;' in svg


def test_the_command_reads_aws_endpoint_url_before_a_local_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .localcloud/ here: no server to find
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4599")
    assert find_sources().description == "http://127.0.0.1:4599"
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert find_sources().description.startswith("AWS account in ")


def test_the_console_refuses_to_listen_beyond_this_machine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        console_main(["--host", "0.0.0.0"])
    assert exited.value.code == 2
    assert "binds 127.0.0.1 only" in capsys.readouterr().err


def test_the_environment_dashboard_draws_its_metrics_text_and_alarms(
    localcloud: LocalCloud, deployed: Settings
) -> None:
    now = datetime.datetime.now(datetime.UTC)
    endpoint = [
        {"Name": "EndpointName", "Value": deployed.endpoint.name},
        {"Name": "VariantName", "Value": VARIANT},
    ]
    for namespace, metric, value in (
        ("AWS/SageMaker", "Invocations", 5.0),
        ("AWS/SageMaker", "ModelLatency", 2000.0),
        ("/aws/sagemaker/Endpoints", "CPUUtilization", 40.0),
    ):
        localcloud.client("cloudwatch").put_metric_data(
            Namespace=namespace,
            MetricData=[
                {
                    "MetricName": metric,
                    "Dimensions": endpoint,
                    "Timestamp": now - datetime.timedelta(minutes=minutes),
                    "Value": value,
                }
                for minutes in (2, 12, 22)
            ],
        )
    client, _ = _client(localcloud)
    listing = client.get("/dashboards", headers=LOCAL).get_data(as_text=True)
    assert f'href="/dashboard?name={quote(deployed.dashboard_name)}"' in listing
    assert 'href="/dashboards"' in listing  # in the navigation

    response = client.get(f"/dashboard?name={quote(deployed.dashboard_name)}", headers=LOCAL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # The owner line, its markdown's code spans as code.
    assert f"Owner: project <code>{deployed.project}</code>" in page
    # Each metric widget a chart; the Invocations widget's first line has the three minutes.
    charts = re.findall(r'<svg[^>]*class="chart" data-points="(\d+)"', page)
    assert len(charts) == page.count('data-type="metric"') >= 6
    invocations = re.search(r'data-label="Invocations Sum" data-points="(\d+)"', page)
    assert invocations is not None and invocations.group(1) == "3"
    latency = re.search(r'data-label="p99" data-points="(\d+)"', page)  # a percentile's line
    assert latency is not None and latency.group(1) == "3"
    assert "CPU alarm" in page  # the threshold annotation
    # The alarm widget: every alarm with its state, linked to its history.
    for name in deployed.monitoring.alarms:
        alarm = deployed.monitoring_alarm_name(name)
        assert f'href="/alarm?name={quote(alarm)}"' in page
    cpu = deployed.monitoring_alarm_name("cpu_percent")
    [described] = localcloud.client("cloudwatch").describe_alarms(AlarmNames=[cpu])["MetricAlarms"]
    shown = re.search(rf'name={quote(cpu)}">[^<]*</a></td><td><span class="status-(\w+)"', page)
    assert shown is not None and shown.group(1) == described["StateValue"]
    assert "cannot read" not in page
