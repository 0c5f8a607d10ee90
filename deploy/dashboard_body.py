"""The environment's CloudWatch dashboard, as the dashboard body JSON PutDashboard takes, built
from the settings alone (dashboard-body-structure.html).

A dashboard cannot carry tags (CloudWatch tags alarms and Contributor Insights rules, and
AWS::CloudWatch::Dashboard has no Tags), so its first widget, a text widget, states whose it is:
``owner_markdown`` writes the line and ``owner_of`` reads it back. Discovery (destroy, prune)
and the ownership check take that line where other kinds take their tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from deploy.model import Json
from environments.settings import Settings
from workflows.machines import BUILDERS
from workflows.machines.deploy_model import VARIANT

WIDTH = 24  # the dashboard grid's columns
HALF = WIDTH // 2
HEIGHT = 6
SAGEMAKER = "AWS/SageMaker"
INSTANCES = "/aws/sagemaker/Endpoints"  # the endpoint instances' CPU, memory and disk
STATES = "AWS/States"
OWNER = re.compile(r"^Owner: project `([^`]*)`, environment `([^`]*)`$", re.MULTILINE)


def owner_markdown(settings: Settings) -> str:
    return (
        f"# {settings.prefix}\n"
        f"Owner: project `{settings.project}`, environment `{settings.environment}`\n\n"
        "Deployed by selfheal; a dashboard has no tags, so the line above marks it as this "
        "environment's: a deploy or destroy of another environment leaves it alone."
    )


def owner_of(body: Json) -> dict[str, str]:
    """The owner tags the body's owner line states (empty when it has none)."""
    widgets = body.get("widgets", []) if isinstance(body, Mapping) else []
    for widget in widgets[:1]:
        markdown = widget.get("properties", {}).get("markdown", "")
        found = OWNER.search(markdown) if isinstance(markdown, str) else None
        if found:
            return {"project": found.group(1), "environment": found.group(2)}
    return {}


def body_text(body: Json) -> str:
    """The body as sent to PutDashboard: compact, keys sorted (deterministic)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _metric_widget(
    settings: Settings, title: str, metrics: list[list[Json]], **extra: Json
) -> dict[str, Json]:
    return {
        "type": "metric",
        "width": HALF,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "region": settings.location.region,
            "view": "timeSeries",
            "period": 60,
            "metrics": metrics,
            **extra,
        },
    }


def _threshold(label: str, value: float) -> dict[str, Json]:
    return {"horizontal": [{"label": label, "value": value}]}


def _endpoint_widgets(settings: Settings) -> list[dict[str, Json]]:
    endpoint = ["EndpointName", settings.endpoint.name, "VariantName", VARIANT]
    alarms = settings.monitoring.alarms

    def on(namespace: str, metric: str, stat: str, label: str | None = None) -> list[Json]:
        options: dict[str, Json] = {"stat": stat}
        if label:
            options["label"] = label
        return [namespace, metric, *endpoint, options]

    return [
        _metric_widget(
            settings,
            "Endpoint CPU and memory (%)",
            [
                on(INSTANCES, "CPUUtilization", "Average"),
                on(INSTANCES, "MemoryUtilization", "Average"),
            ],
            annotations=_threshold("CPU alarm", alarms["cpu_percent"].threshold),
        ),
        _metric_widget(
            settings,
            "Model latency (microseconds)",
            [
                on(SAGEMAKER, "ModelLatency", "p50", "p50"),
                on(SAGEMAKER, "ModelLatency", "p99", "p99"),
            ],
            annotations=_threshold("p99 alarm", alarms["p99_latency_ms"].threshold * 1000),
        ),
        _metric_widget(
            settings,
            "Invocations",
            [
                on(SAGEMAKER, "Invocations", "Sum"),
                on(SAGEMAKER, "InvocationsPerInstance", "Sum"),
            ],
        ),
        _metric_widget(
            settings,
            "Invocation errors",
            [
                on(SAGEMAKER, "Invocation4XXErrors", "Sum"),
                on(SAGEMAKER, "Invocation5XXErrors", "Sum"),
            ],
        ),
    ]


def _drift_widget(settings: Settings) -> dict[str, Json]:
    endpoint = ["EndpointName", settings.endpoint.name]
    namespace = settings.drift_metric_namespace
    per_feature: list[list[Json]] = [
        [namespace, "FeaturePSI", *endpoint, "Feature", f.name, {"label": f.name}]
        for f in settings.model.features
    ]
    return _metric_widget(
        settings,
        "Drift: PSI per feature",
        [[namespace, "MaxPSI", *endpoint, {"label": "max"}], *per_feature],
        stat="Maximum",
        period=3600,
        annotations=_threshold("drift", settings.drift.psi_threshold),
    )


def _execution_widgets(settings: Settings) -> list[dict[str, Json]]:
    widgets = []
    for machine in BUILDERS:
        arn = settings.location.state_machine(settings.state_machine_name(machine))
        widgets.append(
            _metric_widget(
                settings,
                f"Executions of {settings.state_machine_name(machine)}",
                [
                    [STATES, name, "StateMachineArn", arn, {"stat": "Sum"}]
                    for name in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed")
                ],
                period=300,
            )
        )
    return widgets


def _job_duration_widget(settings: Settings) -> dict[str, Json]:
    # Step Functions times each .sync service integration from scheduled to closed: for a
    # SageMaker job, how long the job took. The metric is the account's, not per state machine.
    def integration(action: str, label: str) -> list[Json]:
        arn = settings.location.integration(f"sagemaker:{action}.sync")
        options = {"stat": "Maximum", "label": label}
        return [STATES, "ServiceIntegrationTime", "ServiceIntegrationResourceArn", arn, options]

    return _metric_widget(
        settings,
        "Training and processing job durations (ms)",
        [
            integration("createTrainingJob", "training"),
            integration("createProcessingJob", "processing"),
        ],
        period=3600,
    )


def _laid_out(widgets: Iterable[dict[str, Json]]) -> list[dict[str, Json]]:
    """Left to right, top to bottom, each widget where the previous one leaves room."""
    placed, x, y, row = [], 0, 0, 0
    for widget in widgets:
        if x + widget["width"] > WIDTH:
            x, y, row = 0, y + row, 0
        placed.append({**widget, "x": x, "y": y})
        x, row = x + widget["width"], max(row, widget["height"])
    return placed


def dashboard_body(settings: Settings, alarm_names: Iterable[str]) -> dict[str, Json]:
    """The dashboard: owner line, endpoint, drift, executions, job durations, alarms' states."""
    owner = {
        "type": "text",
        "width": WIDTH,
        "height": 3,
        "properties": {"markdown": owner_markdown(settings)},
    }
    alarm_status = {
        "type": "alarm",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": "Alarms",
            "alarms": [settings.location.alarm(name) for name in sorted(alarm_names)],
            "sortBy": "stateUpdatedTimestamp",
        },
    }
    widgets = [
        owner,
        *_endpoint_widgets(settings),
        _drift_widget(settings),
        _job_duration_widget(settings),
        *_execution_widgets(settings),
        alarm_status,
    ]
    return {"widgets": _laid_out(widgets)}
