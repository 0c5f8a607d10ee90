"""Wall time of the retrain machine's preprocess, train and evaluate jobs on the demo dataset,
run through `localcloud.jobs` exactly as the embedded cloud runs them: the request bodies are
the machine's own Task arguments (JSONata resolved for one run), staged from and uploaded to an
in-memory object store so only the jobs are timed.

Per job: `script_s` (its process) and `total_s` (with staging), as the cloud runs them (warm:
forked from the forkserver; the first job also waits for it to start), and under `cold` the same
jobs with LOCALCLOUD_COLD_JOBS=1, each a fresh interpreter. `python_startup_s` is a bare
interpreter importing the jobs' libraries, the floor under every cold job.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RUN_ID = "bench-0123456789"
EXPRESSION = re.compile(r"^\{%\s*(.*?)\s*%\}$", re.DOTALL)


class MemoryStore:
    """The object store a local job needs, in memory."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        return sorted(key for b, key in self.objects if b == bucket and key.startswith(prefix))

    def get(self, bucket: str, key: str) -> bytes:
        return self.objects[(bucket, key)]

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.objects[(bucket, key)] = body


def _resolved(value: Any, bindings: dict[str, Any]) -> Any:
    """A Task's Arguments with every `{% expression %}` evaluated."""
    from localcloud.jsonata_functions import evaluate

    if isinstance(value, dict):
        return {key: _resolved(item, bindings) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, bindings) for item in value]
    if isinstance(value, str) and (match := EXPRESSION.match(value)):
        return evaluate(match.group(1), bindings)
    return value


def _put_s3(store: MemoryStore, uri: str, body: bytes) -> None:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    store.put(bucket, key, body)


def _timed(figures: dict[str, Any], label: str, run: Any) -> None:
    started = time.perf_counter()
    outcome = run()
    if outcome.status != "Completed":
        raise RuntimeError(f"{label} ended {outcome.status}: {outcome.failure_reason}")
    figures[label] = {
        "script_s": round(outcome.script_seconds, 3),
        "total_s": round(time.perf_counter() - started, 3),
    }


def _chain(states: dict[str, Any], store: MemoryStore, data: str, settings: Any) -> dict[str, Any]:
    """Preprocess, train and evaluate, each job's figures and their total."""
    from localcloud.jobs import run_processing_job, run_training_job

    run_prefix = f"s3://{settings.artifacts_bucket}/{settings.prefixes['runs']}{RUN_ID}/"
    bindings: dict[str, Any] = {
        "runId": RUN_ID,
        "runPrefix": run_prefix,
        "dataS3Uri": data,
        "states": {"context": {"State": {"RetryCount": 0}, "Execution": {"Name": RUN_ID}}},
    }
    figures: dict[str, Any] = {}
    preprocess = _resolved(states["Preprocess"]["Arguments"], bindings)
    _timed(figures, "preprocess", lambda: run_processing_job(preprocess, store))
    train = _resolved(states["Train"]["Arguments"], bindings)
    _timed(figures, "train", lambda: run_training_job(train, store))
    output = train["OutputDataConfig"]["S3OutputPath"]
    bindings["modelDataUrl"] = f"{output}{train['TrainingJobName']}/output/model.tar.gz"
    evaluate = _resolved(states["Evaluate"]["Arguments"], bindings)
    _timed(figures, "evaluate", lambda: run_processing_job(evaluate, store))
    figures["total_s"] = round(
        sum(figures[job]["total_s"] for job in ("preprocess", "train", "evaluate")), 3
    )
    return figures


def run() -> dict[str, Any]:
    from environments.settings import load_settings
    from examples.churn.churn_data import DEFAULT_ROWS, generate
    from localcloud.jobs import accept_jobs
    from localcloud.warm_jobs import COLD_JOBS_VARIABLE
    from tasks import packaging
    from workflows.machines import build_all

    # The jobs run here without a cloud of their own: after an earlier benchmark's cloud stopped
    # (which ends its jobs and starts none after), they are accepted again, as a starting cloud
    # accepts them.
    accept_jobs()
    settings = load_settings("dev")
    states = build_all(settings)["retrain"].to_asl()["States"]
    store = MemoryStore()
    with tempfile.TemporaryDirectory() as tmp:
        for path in packaging.build(Path(tmp), settings.job_sources()):
            relative = path.relative_to(tmp).as_posix()
            if relative == "jobs/sourcedir.tar.gz":
                _put_s3(store, settings.code_uri + "sourcedir.tar.gz", path.read_bytes())
            elif relative.startswith("jobs/code/"):
                _put_s3(store, f"{settings.code_uri}jobs/{path.name}", path.read_bytes())
    data = f"s3://{settings.data_bucket}/bench/churn.csv"
    _put_s3(store, data, generate(seed=7).to_csv(index=False).encode())

    figures: dict[str, Any] = {"rows": DEFAULT_ROWS, **_chain(states, store, data, settings)}
    previous = os.environ.get(COLD_JOBS_VARIABLE)
    os.environ[COLD_JOBS_VARIABLE] = "1"
    try:
        figures["cold"] = _chain(states, store, data, settings)
    finally:
        if previous is None:
            os.environ.pop(COLD_JOBS_VARIABLE)
        else:
            os.environ[COLD_JOBS_VARIABLE] = previous

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import pandas, sklearn.ensemble, scipy.stats"], check=True
    )
    figures["python_startup_s"] = round(time.perf_counter() - started, 3)
    return figures
