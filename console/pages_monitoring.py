"""The endpoints (config, variants, recent metrics as charts), the alarms and their history,
and what the embedded cloud recorded of EventBridge deliveries and SNS messages."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from console.charts import line_chart
from console.page import esc, link, notice, pretty, status, table
from console.server_records import RecordsUnavailable
from console.sources import Recordings, Sources

METRIC_WINDOW = datetime.timedelta(hours=3)
MAX_CHARTS = 12
MAX_RECORDS = 200


def endpoints_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    sagemaker = src.client("sagemaker")
    listed = sagemaker.list_endpoints().get("Endpoints", [])
    rows = [
        [
            link(f"/endpoint?name={quote(e['EndpointName'])}", e["EndpointName"]),
            status(e.get("EndpointStatus", "")),
            esc(e.get("LastModifiedTime", "")),
        ]
        for e in listed
    ]
    return "Endpoints", table(["endpoint", "status", "last modified"], rows, "no endpoints")


def metric_charts(src: Sources, name: str) -> str:
    """A chart per metric that has the endpoint as a dimension, over the last hours."""
    cloudwatch = src.client("cloudwatch")
    metrics = cloudwatch.list_metrics(Dimensions=[{"Name": "EndpointName", "Value": name}])
    now = datetime.datetime.now(datetime.UTC)
    charts = []
    unique: dict[str, dict[str, Any]] = {}
    for metric in metrics.get("Metrics", []):
        # One chart per metric, however many times a listing names it (moto once per datapoint).
        dims = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
        unique.setdefault(repr((metric["Namespace"], metric["MetricName"], dims)), metric)
    for metric in list(unique.values())[:MAX_CHARTS]:
        stats = cloudwatch.get_metric_statistics(
            Namespace=metric["Namespace"],
            MetricName=metric["MetricName"],
            Dimensions=metric.get("Dimensions", []),
            StartTime=now - METRIC_WINDOW,
            EndTime=now + datetime.timedelta(minutes=5),
            Period=60,
            Statistics=["Average"],
        )
        points = [(p["Timestamp"], float(p["Average"])) for p in stats.get("Datapoints", [])]
        variant = next(
            (d["Value"] for d in metric.get("Dimensions", []) if d["Name"] == "VariantName"), ""
        )
        charts.append(line_chart(f"{metric['MetricName']} {variant}".strip(), points))
    return "".join(charts) or notice("no metrics for this endpoint yet")


def endpoint_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    sagemaker = src.client("sagemaker")
    name = args.get("name", "")
    endpoint = sagemaker.describe_endpoint(EndpointName=name)
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    variants = [
        [
            esc(v.get("VariantName")),
            esc(v.get("ModelName")),
            esc(v.get("InstanceType", "")),
            esc(v.get("InitialInstanceCount", "")),
            esc(v.get("InitialVariantWeight", "")),
        ]
        for v in config.get("ProductionVariants", [])
    ]
    body = (
        f"<p>{status(endpoint.get('EndpointStatus'))} on config "
        f"<b>{esc(endpoint['EndpointConfigName'])}</b> {esc(endpoint.get('FailureReason', ''))}</p>"
        "<h2>Variants</h2>"
        + table(["variant", "model", "instance type", "instances", "weight"], variants)
        + "<h2>Data capture and deployment</h2>"
        + pretty(config.get("DataCaptureConfig", {}))
        + pretty(endpoint.get("LastDeploymentConfig", {}))
        + f"<h2>Recent metrics</h2><div>{metric_charts(src, name)}</div>"
    )
    return name, body


def alarms_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    cloudwatch = src.client("cloudwatch")
    alarms = cloudwatch.describe_alarms().get("MetricAlarms", [])
    rows = [
        [
            link(f"/alarm?name={quote(a['AlarmName'])}", a["AlarmName"]),
            status(a.get("StateValue", "")),
            esc(f"{a.get('Namespace', '')} {a.get('MetricName', '')}"),
            esc(f"{a.get('ComparisonOperator', '')} {a.get('Threshold', '')}"),
            esc(a.get("StateReason", "")),
        ]
        for a in alarms
    ]
    return "Alarms", table(["alarm", "state", "metric", "threshold", "reason"], rows, "no alarms")


def alarm_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    name = args.get("name", "")
    history = src.client("cloudwatch").describe_alarm_history(AlarmName=name, MaxRecords=100)
    rows = [
        [
            esc(h.get("Timestamp", "")),
            esc(h.get("HistoryItemType", "")),
            esc(h.get("HistorySummary")),
        ]
        for h in history.get("AlarmHistoryItems", [])
    ]
    return name, table(["time", "kind", "summary"], rows, "no history")


def events_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    title = "Events and messages"
    if src.recordings is None:
        return title, notice(
            "AWS keeps no readable record of EventBridge deliveries or published SNS messages; "
            "the embedded cloud does, in its process or through its server (selfheal local up). "
            "On AWS, subscribe a queue to the topic or add a CloudWatch Logs target to the rule "
            "to see them."
        )
    try:
        return title, _recorded(src, src.recordings)
    except RecordsUnavailable as error:
        return title, notice(f"no records to show: {error}", error=True)


def _recorded(src: Sources, recordings: Recordings) -> str:
    deliveries = recordings.deliveries()[-MAX_RECORDS:]
    rows = [
        [esc(d.get("rule")), esc(d.get("target")), esc(d.get("event"))]
        for d in reversed(deliveries)
    ]
    body = "<h2>EventBridge deliveries (newest first)</h2>" + table(
        ["rule", "target", "event id"], rows, "no deliveries"
    )
    topics = src.client("sns").list_topics().get("Topics", [])
    for topic in topics:
        arn = topic["TopicArn"]
        messages: list[dict[str, Any]] = recordings.sns_messages(arn)[-MAX_RECORDS:]
        body += f"<h2>SNS messages on {esc(arn.rsplit(':', 1)[-1])} (newest first)</h2>" + table(
            ["subject", "message"],
            [[esc(m.get("Subject")), pretty(m.get("Message"))] for m in reversed(messages)],
            "no messages",
        )
    return body
