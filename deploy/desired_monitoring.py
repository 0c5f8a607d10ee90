"""Desired infrastructure alarms on the endpoint (thresholds from ``monitoring`` in the settings)
and the environment's dashboard.

The alarms have no actions: what reacts to them does so through EventBridge's ``CloudWatch Alarm
State Change`` events, as the drift alarm's rule does.
"""

from __future__ import annotations

from deploy.dashboard_body import INSTANCES, SAGEMAKER, dashboard_body
from deploy.desired_platform import metric_alarm
from deploy.model import Kind, Resource, arns_in
from environments.settings import Settings
from workflows.machines.deploy_model import VARIANT

# key -> (namespace, metric, statistic, threshold in the metric's unit per settings unit, what)
SIMPLE = {
    "cpu_percent": (INSTANCES, "CPUUtilization", "Average", 1.0, "CPU over {} %"),
    "memory_percent": (INSTANCES, "MemoryUtilization", "Average", 1.0, "memory over {} %"),
    # ModelLatency is in microseconds.
    "p99_latency_ms": (SAGEMAKER, "ModelLatency", "p99", 1000.0, "p99 model latency over {} ms"),
    # 1 or 0 per request: the period's Average is the share of requests with that error.
    "error_5xx_rate_percent": (
        SAGEMAKER,
        "Invocation5XXErrors",
        "Average",
        0.01,
        "over {} % of invocations answered 5XX",
    ),
    "error_4xx_rate_percent": (
        SAGEMAKER,
        "Invocation4XXErrors",
        "Average",
        0.01,
        "over {} % of invocations answered 4XX",
    ),
}


def _variant(settings: Settings) -> list[dict[str, str]]:
    return [
        {"Name": "EndpointName", "Value": settings.endpoint.name},
        {"Name": "VariantName", "Value": VARIANT},
    ]


def _simple(settings: Settings, key: str) -> Resource:
    namespace, metric, statistic, scale, what = SIMPLE[key]
    limit = settings.monitoring.alarm(key)
    # Percentiles are extended statistics, the rest plain statistics: never both.
    stat = (
        {"ExtendedStatistic": statistic} if statistic.startswith("p") else {"Statistic": statistic}
    )
    return metric_alarm(
        settings,
        settings.monitoring_alarm_name(key),
        AlarmDescription=f"{settings.endpoint.name}: {what.format(f'{limit.threshold:g}')} "
        f"(monitoring.alarms.{key})",
        Namespace=namespace,
        MetricName=metric,
        Dimensions=_variant(settings),
        **stat,
        Period=limit.period_seconds,
        EvaluationPeriods=limit.evaluation_periods,
        DatapointsToAlarm=limit.datapoints_to_alarm,
        Threshold=limit.threshold * scale,
        ComparisonOperator="GreaterThanThreshold",
    )


def _metric(namespace: str, name: str, settings: Settings, period: int, stat: str) -> object:
    return {
        "Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": _variant(settings)},
        "Period": period,
        "Stat": stat,
    }


def _no_invocations(settings: Settings) -> Resource:
    """Invocations at zero while the endpoint is InService. With no request SageMaker sends no
    Invocations datapoint at all, and a missing endpoint sends none either; its instances send
    CPUUtilization every minute while they run, so a period with CPU samples and no invocation
    is an idle InService endpoint (1 otherwise: not breaching)."""
    limit = settings.monitoring.alarm("no_invocations")
    period = limit.period_seconds
    return metric_alarm(
        settings,
        settings.monitoring_alarm_name("no_invocations"),
        AlarmDescription=f"{settings.endpoint.name}: no invocation while InService "
        "(monitoring.alarms.no_invocations)",
        Metrics=[
            {
                "Id": "invocations",
                "MetricStat": _metric(SAGEMAKER, "Invocations", settings, period, "Sum"),
                "ReturnData": False,
            },
            {
                "Id": "running",
                "MetricStat": _metric(INSTANCES, "CPUUtilization", settings, period, "SampleCount"),
                "ReturnData": False,
            },
            {
                "Id": "served",
                "Expression": "IF(FILL(running, 0) > 0, FILL(invocations, 0), 1)",
                "Label": "Invocations while InService",
                "ReturnData": True,
            },
        ],
        EvaluationPeriods=limit.evaluation_periods,
        DatapointsToAlarm=limit.datapoints_to_alarm,
        Threshold=1.0,
        ComparisonOperator="LessThanThreshold",
    )


def infrastructure_alarms(settings: Settings) -> list[Resource]:
    """One alarm per ``monitoring.alarms`` key."""
    return [*(_simple(settings, key) for key in SIMPLE), _no_invocations(settings)]


def dashboard(settings: Settings, alarms: list[Resource]) -> Resource:
    """The dashboard, showing ``alarms``' states among the metrics. It refers to the alarms and
    state machines it names, so it is created after them and deleted before them. Its tags are
    the owner tags its owner line states (dashboard_body.py)."""
    body = dashboard_body(settings, [a.name for a in alarms])
    owner = {"project": settings.project, "environment": settings.environment}
    return Resource(
        Kind.DASHBOARD,
        settings.dashboard_name,
        {"DashboardBody": body},
        owner,
        identifiers=(settings.location.dashboard(settings.dashboard_name),),
        references=arns_in(body),
    )
