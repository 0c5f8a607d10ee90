"""`selfheal demo` (`make demo`): the project's whole self-healing loop in the embedded cloud, on
its own data, no AWS account.

1. Start the embedded cloud and deploy everything through the deploy code (`deploy`).
2. Upload the project's data (the first CSV in its data/ folder) to the training-data prefix;
   EventBridge routes the S3 event to the trigger function, which starts the retrain state
   machine. Follow it live, then print a summary: execution, metrics, gate decision, model
   package, endpoint, notification.
3. Upload captured requests drawn from a shifted copy of that data (and their labelled outcomes),
   fire the drift-check schedule, follow drift-check, and follow the retrain its drift event starts.

Exit 0 only when every one of those things happened; otherwise 1, with what did not.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from environments.project import environment_argument
from selfheal.demo_progress import (
    Clock,
    DemoTimeout,
    executions,
    follow,
    new_execution,
    output_of,
)
from selfheal.demo_summary import Outcome, summarise

if TYPE_CHECKING:
    from environments.project import Project
    from environments.settings import Settings

RUN_TIMEOUT = 240.0  # seconds per execution; a local run takes seconds


def _upload_dataset(s3: Any, bucket: str, key: str, frame: Any) -> None:
    body = io.StringIO()
    frame.to_csv(body, index=False, lineterminator="\n")
    s3.put_object(Bucket=bucket, Key=key, Body=body.getvalue().encode("utf-8"))


def _upload_tree(s3: Any, root: Path, uri: str) -> int:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for path in files:
        s3.put_object(
            Bucket=bucket, Key=prefix + path.relative_to(root).as_posix(), Body=path.read_bytes()
        )
    return len(files)


def project_data(project: Project) -> Path:
    """The CSV the demo trains on: the first in the project's data/ folder."""
    found = sorted(project.data_dir.glob("*.csv"))
    if not found:
        raise DemoTimeout(
            f"no CSV file in {project.data_dir}; put the data to train on there (a header row "
            "with the settings' feature and target columns)"
        )
    return found[0]


def run(
    env: str,
    out: Callable[[str], None],
    settings: Settings | None = None,
    project: Project | None = None,
    *,
    verbose: bool = False,
) -> int:
    """The demo on environment `env` of `project` (default: the current project), or on
    `settings` already loaded. The deploy is one progress line unless `verbose`."""
    from environments.project import current_project
    from environments.settings import load_settings
    from localcloud import LocalCloud, warm_jobs
    from selfheal import demo_monitoring

    clock = Clock()
    project = project or current_project()
    given = settings or load_settings(env, project)
    settings = demo_monitoring.demo_settings(given)
    data = project_data(project)
    problems: list[str] = []
    with LocalCloud() as cloud, _diagnosed(cloud):
        out(
            f"{clock.stamp()} embedded cloud up (account {settings.location.account}, "
            f"region {settings.location.region})"
        )
        # The job forkserver imports the jobs' libraries in its own process while this one
        # deploys: the first job does not wait for them.
        _in_background(warm_jobs.start_server)
        out(f"{clock.stamp()} deploying {settings.prefix} ...")
        out(f"{clock.stamp()}   {demo_monitoring.cpu_note(given)}")
        _deploy(settings, cloud.client, clock, out, verbose=verbose)
        outcome = _retrain_on_new_data(cloud, settings, data, clock, out)
        if outcome.failure is not None:
            # Drift has nothing to be measured against without a deployed model: stop here.
            problems.append(f"the first retrain {outcome.describe()}")
        else:
            if not outcome.deployed:
                problems.append(f"the first retrain did not deploy ({outcome.describe()})")
            problems += demo_monitoring.traffic_and_alarm(cloud, settings, data, clock, out)
            problems += _drift_then_retrain(cloud, settings, data, clock, out)
            problems += demo_monitoring.deleted_by_someone_else(cloud, settings, clock, out)
        picture = demo_monitoring.picture(cloud, settings, clock, out)
    out(f"{clock.stamp()} embedded cloud stopped")
    out("")
    if problems:
        for problem in problems:
            out(f"DEMO FAILED: {problem}")
        return 1
    out(f"  dashboard       {picture}")
    out(
        f"{clock.stamp()} demo complete: data -> retrain -> deploy -> traffic -> CPU alarm -> "
        "capacity raised -> drift -> retrain -> deletion audited"
    )
    return 0


def _in_background(work: Callable[[], None]) -> None:
    """Work that only makes a later step faster: a failure there is that step's to report."""

    def run() -> None:
        with suppress(Exception):
            work()

    threading.Thread(target=run, name=f"demo-{work.__name__}", daemon=True).start()


def _deploy(
    settings: Settings, client: Any, clock: Clock, out: Callable[[str], None], *, verbose: bool
) -> None:
    """The loop is the story, so its ~70 resources are one line of counts (in place on a
    terminal, a line per phase in a log); `verbose` prints a line per resource."""
    from deploy import LOCAL, deploy
    from deploy.progress import ProgressLine

    if verbose:
        deploy(settings, client, lambda line: out(f"{clock.stamp()}   {line}"), target=LOCAL)
        return
    # Through `out`'s stream only when it is print (a test's list of lines has no terminal).
    progress = ProgressLine(
        None if out is print else _LinesStream(out), decorate=lambda t: f"{clock.stamp()}   {t}"
    )
    try:
        deploy(settings, client, progress.line, target=LOCAL, steps=progress.step)
    finally:
        progress.close()


class _LinesStream(io.StringIO):
    """A stream for ProgressLine that hands each whole line to `out` (never a terminal)."""

    def __init__(self, out: Callable[[str], None]) -> None:
        super().__init__()
        self.out = out

    def write(self, text: str) -> int:
        for line in text.split("\n")[:-1]:
            self.out(line)
        return len(text)


def _retrain_on_new_data(
    cloud: Any, settings: Settings, data: Path, clock: Clock, out: Callable[[str], None]
) -> Outcome:
    """1. New training data: S3 -> EventBridge -> trigger function -> retrain."""
    sfn, s3 = cloud.client("stepfunctions"), cloud.client("s3")
    retrain = settings.location.state_machine(settings.state_machine_name("retrain"))
    key = f"{settings.prefixes['training_data']}{data.name}"
    out(f"\n{clock.stamp()} uploading {data.name} to s3://{settings.data_bucket}/{key}")
    s3.put_object(Bucket=settings.data_bucket, Key=key, Body=data.read_bytes())
    first = new_execution(sfn, retrain, (), timeout=30)
    out(f"{clock.stamp()} EventBridge started {first['name']}")
    # The dashboard's drawing library and pandas (the traffic and drift steps read and shift
    # the data with it) are imported while this process mostly waits for the retrain's jobs, not
    # when those steps need them (nor while the upload's event is still being routed here).
    _in_background(_libraries_ahead)
    described = follow(sfn, first["executionArn"], clock=clock, out=out, timeout=RUN_TIMEOUT)
    return summarise(cloud, settings, described, out=out)


def _libraries_ahead() -> None:
    import pandas  # noqa: F401

    from localcloud import matplotlib_agg

    matplotlib_agg.import_ahead()


def _drift_then_retrain(
    cloud: Any, settings: Settings, data: Path, clock: Clock, out: Callable[[str], None]
) -> list[str]:
    """2. The world changes: requests drawn from a shifted copy of the data reach the endpoint,
    their outcomes are labelled; the drift check flags it and its event starts a second
    retrain. What did not happen."""
    import pandas as pd

    from tasks.data.capture import write_capture
    from tasks.data.shift import shifted_copy

    sfn, s3 = cloud.client("stepfunctions"), cloud.client("s3")
    retrain = settings.location.state_machine(settings.state_machine_name("retrain"))
    drift_check = settings.location.state_machine(settings.state_machine_name("drift-check"))
    features = {f.name: f.type for f in settings.model.features}
    original = pd.read_csv(data, skipinitialspace=True)
    drifted = shifted_copy(original, features, rows=min(2000, max(len(original), 200)))
    with tempfile.TemporaryDirectory() as tmp:
        write_capture(drifted, tmp, endpoint_name=settings.endpoint.name, features=list(features))
        count = _upload_tree(s3, Path(tmp), settings.data_capture_uri)
    out(
        f"\n{clock.stamp()} uploaded {count} drifted data-capture files to "
        f"{settings.data_capture_uri}{settings.endpoint.name}/"
    )
    truth = f"{settings.prefixes['ground_truth']}labelled-2026-12.csv"
    _upload_dataset(s3, settings.data_bucket, truth, drifted)
    out(f"{clock.stamp()} uploaded their labelled outcomes to s3://{settings.data_bucket}/{truth}")

    known = [e["executionArn"] for e in executions(sfn, retrain)]
    schedule = settings.name("drift-check")
    out(f"{clock.stamp()} firing the drift-check schedule {schedule}")
    cloud.fire_schedule(schedule, settings.schedule_group)
    check = new_execution(sfn, drift_check, (), timeout=30)
    checked = follow(sfn, check["executionArn"], clock=clock, out=out, timeout=RUN_TIMEOUT)
    report = output_of(checked)
    out(f"{clock.stamp()} drift-check: {checked['status']}, {_drift_line(report)}")
    try:
        if checked["status"] != "SUCCEEDED":
            raise DemoTimeout(f"drift-check ended {checked['status']}")
        if not _drift_flagged(report):
            raise DemoTimeout("drift-check did not flag the drifted capture data")
        second = new_execution(sfn, retrain, known, timeout=30)
    except DemoTimeout as error:
        return [f"drift was not followed by a retrain: {error}"]
    out(f"{clock.stamp()} drift event started {second['name']}")
    again = follow(sfn, second["executionArn"], clock=clock, out=out, timeout=RUN_TIMEOUT)
    later = summarise(cloud, settings, again, out=out)
    return [] if later.finished else [f"the drift retrain did not finish ({later.describe()})"]


@contextmanager
def _diagnosed(cloud: Any) -> Iterator[None]:
    """A wait that times out says what the event-driven parts reported, which is where a run
    that never started went wrong."""
    try:
        yield
    except DemoTimeout as error:
        seen = [
            f"function {e['function']} raised {e['errorType']}: {e['errorMessage']}"
            for e in cloud.function_errors()
        ] + [f"event delivery failed: {failure}" for failure in cloud.delivery_failures()]
        none = " (no function error, no failed delivery)"
        detail = "".join(f"\n  {line}" for line in seen) or none
        raise DemoTimeout(f"{error}{detail}") from error


def _drift_flagged(report: dict[str, Any]) -> bool:
    drift = report.get("drift", report)
    return bool(drift.get("driftDetected", drift.get("drift_detected")))


def _drift_line(report: dict[str, Any]) -> str:
    drift = report.get("drift", report)
    flagged = _drift_flagged(report)
    features = drift.get("driftedFeatures", drift.get("drifted_features")) or []
    named = f" in {', '.join(map(str, features))}" if features else ""
    return f"drift detected: {'yes' if flagged else 'no'}{named}"


def main(argv: list[str]) -> int:
    """Ctrl-C is the caller's (`selfheal demo` reports it as `demo: interrupted`)."""
    parser = argparse.ArgumentParser(prog="selfheal demo", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--env", default="dev", type=environment_argument, help="settings to run with (default dev)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per deployed resource")
    args = parser.parse_args(argv)
    from environments.settings import SettingsError

    # The run's story is the progress below; the functions' own INFO logs would drown it.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    try:
        return run(args.env, print, verbose=args.verbose)
    except SettingsError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 1
    except DemoTimeout as error:
        print(f"DEMO FAILED: {error}", file=sys.stderr)
        return 1
