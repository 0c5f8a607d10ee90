"""Deploy wall time and API calls (reads, writes) for a first deploy and for a second, no-op
deploy of the dev environment, against the in-process embedded cloud. Target: the second
deploy makes zero writes."""

from __future__ import annotations

import time

from deploy import LOCAL, DeployReport, deploy
from environments.settings import load_settings
from localcloud import LocalCloud
from scripts.benchmarks.checks import exactly


def _figures(report: DeployReport, seconds: float) -> dict[str, object]:
    return {
        "seconds": round(seconds, 3),
        "reads": report.reads,
        "writes": report.writes,
        "writes_by_operation": dict(sorted(report.ledger.writes.items())),
    }


def run() -> dict[str, object]:
    settings = load_settings("dev")
    with LocalCloud() as cloud:
        started = time.perf_counter()
        first = deploy(settings, cloud.client, lambda _: None, target=LOCAL)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = deploy(settings, cloud.client, lambda _: None, target=LOCAL)
        second_seconds = time.perf_counter() - started
    first_figures = _figures(first, first_seconds)
    first_figures.pop("writes_by_operation")
    return {
        "resources": len(first.plan.changes),
        "first_deploy": first_figures,
        "second_deploy": _figures(second, second_seconds),
        "target_second_deploy_writes": 0,
        "checks": [
            exactly("deploy, second (no-op) deploy's write calls", second.writes, 0, "calls")
        ],
    }
