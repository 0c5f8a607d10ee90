"""Run SageMaker processing and training jobs locally, to SageMaker's container contracts.

A fresh temporary directory stands for `/opt/ml`: every `/opt/ml/...` path in the entrypoint,
arguments, local paths and SM_* variables is rewritten into it. Scripts run as subprocesses of
this interpreter (the image URI is ignored), started warm where they can be (`warm_jobs`).
Inputs are staged from S3 with S3Prefix semantics (every object under the prefix) and outputs
are uploaded back, by `job_staging`, which never reads or writes outside the workspace. Each
outcome carries the wall time the script's process ran, apart from staging and uploading.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from localcloud import process_groups, warm_jobs, workspace_paths

# Re-exported: callers know ObjectStore, Boto3ObjectStore and JobSetupError as jobs' own.
from localcloud.job_staging import Boto3ObjectStore as Boto3ObjectStore
from localcloud.job_staging import JobSetupError as JobSetupError
from localcloud.job_staging import ObjectStore as ObjectStore
from localcloud.job_staging import (
    script_path,
    split_s3_uri,
    stage_code,
    stage_s3_prefix,
    tar_dir,
    upload_dir,
)

OPT_ML = "/opt/ml"
_STDERR_TAIL_CHARS = 1000
LOG_CHARS = 1024 * 1024
_EXIT_MESSAGE_BYTES = 1024
_DEFAULT_MAX_RUNTIME_SECONDS = 86400
# CreateTrainingJob's pattern for ChannelName.
_CHANNEL_NAME = re.compile(r"[A-Za-z0-9\.\-_]+")
_PYTHON_NAMES = {"python", "python3", "python3.11", "/usr/bin/python3", "/usr/local/bin/python"}
_STOP_GRACE_SECONDS = 5.0
_STOPPED_REASON = "the embedded cloud stopped while the job was running"

# Job processes now running, and those `stop_running_jobs` ended (their outcome is Stopped).
# Process-wide on purpose, not per cloud: they are how a stopping cloud or server (or Ctrl-C)
# ends every job process this process started; what jobs did is recorded per cloud (`recorder`).
_JobProcess: TypeAlias = subprocess.Popen[str] | warm_jobs.WarmProcess
_running: set[_JobProcess] = set()
_stopped: set[_JobProcess] = set()
_running_lock = threading.Lock()
_closed = threading.Event()


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: `Completed`, `Failed` or `Stopped`, and why."""

    status: str
    failure_reason: str | None = None
    timed_out: bool = False
    script_seconds: float = 0.0
    exit_message: str | None = None  # a processing job's /opt/ml/output/message, first 1 KB
    # What the process printed (the last `LOG_CHARS` of each), for its CloudWatch log stream.
    stdout: str = ""
    stderr: str = ""


class Workspace:
    """A temporary directory standing for /opt/ml."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="opt-ml-")
        self.root = Path(self._tmp.name)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()

    def path(self, container_path: str, field: str) -> Path:
        """Where `container_path` (under /opt/ml) is in the workspace; `field` names it in
        the error when it is not under /opt/ml or leaves it."""
        try:
            return workspace_paths.container_path(self.root, OPT_ML, container_path)
        except workspace_paths.EscapeError as error:
            raise JobSetupError(f"{field} {error}") from error

    def rewrite(self, value: str) -> str:
        """Map `/opt/ml/...` (anywhere in the string) into the workspace."""
        return value.replace(OPT_ML, str(self.root))


def _failure_reason(workspace: Workspace, stderr: str, returncode: int) -> str:
    for name in ("output/failure", "output/message"):
        candidate = workspace.root / name
        if candidate.is_file() and workspace_paths.inside(workspace.root, candidate):
            text = candidate.read_text(errors="replace").strip()
            if text:
                return f"AlgorithmError: {text}"
    tail = stderr.strip()[-_STDERR_TAIL_CHARS:]
    return (
        f"AlgorithmError: exit code {returncode}: {tail}"
        if tail
        else (f"AlgorithmError: exit code {returncode}")
    )


def run_process(
    workspace: Workspace, argv: list[str], env: dict[str, str], cwd: Path, limit_seconds: int
) -> JobOutcome:
    """Run a job's process with `env` added to this one's; bounded by `limit_seconds`.

    A plain `python SCRIPT.py ...` starts warm (`warm_jobs`), anything else as a subprocess.
    Either way the process leads its own process group, so that `stop_running_jobs` (and the time
    limit) ends it with whatever it started, and a Ctrl-C at the terminal reaches only the
    program that owns the cloud, which then stops its jobs itself."""
    full_env = {**os.environ, **env}
    started = time.perf_counter()
    process: _JobProcess
    if warm_jobs.runs_warm(argv):
        with _running_lock:
            if _closed.is_set():  # the cloud stopped while this job was being staged
                return JobOutcome("Stopped", _STOPPED_REASON)
        # Outside the lock: the first warm job waits for the forkserver to import its libraries.
        process = warm_jobs.WarmProcess(argv, full_env, cwd)
        with _running_lock:
            _running.add(process)
            if _closed.is_set():  # the cloud stopped while it was starting
                _stopped.add(process)
                _signal_job(process.pid, signal.SIGTERM)
    else:
        with _running_lock:
            if _closed.is_set():  # the cloud stopped while this job was being staged
                return JobOutcome("Stopped", _STOPPED_REASON)
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            _running.add(process)
    try:
        stdout, stderr = process.communicate(timeout=limit_seconds)
    except subprocess.TimeoutExpired:
        stdout, stderr = _end_group(process)
        return JobOutcome(
            status="Stopped",
            failure_reason=f"MaxRuntimeExceeded: the job ran longer than {limit_seconds} seconds",
            timed_out=True,
            script_seconds=time.perf_counter() - started,
            stdout=(stdout or "")[-LOG_CHARS:],
            stderr=(stderr or "")[-LOG_CHARS:],
        )
    finally:
        with _running_lock:
            _running.discard(process)
            stopped = process in _stopped
            _stopped.discard(process)
    elapsed = time.perf_counter() - started
    printed = {"stdout": (stdout or "")[-LOG_CHARS:], "stderr": (stderr or "")[-LOG_CHARS:]}
    if stopped:
        return JobOutcome("Stopped", _STOPPED_REASON, script_seconds=elapsed, **printed)
    if process.returncode != 0:
        reason = _failure_reason(workspace, stderr, process.returncode or 0)
        return JobOutcome("Failed", reason, script_seconds=elapsed, **printed)
    return JobOutcome("Completed", script_seconds=elapsed, **printed)


def _signal_job(pid: int, signum: int) -> None:
    """Signal a job's process group, and the process itself: a warm job's process may not lead
    its group yet when the signal comes."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)


def _end_group(process: _JobProcess) -> tuple[str, str]:
    """SIGTERM the job's process group, SIGKILL what is left after a grace period; reap it.
    What it printed, when it could be read."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        _signal_job(process.pid, signum)
        try:
            stdout, stderr = process.communicate(timeout=_STOP_GRACE_SECONDS)
            return stdout or "", stderr or ""
        except subprocess.TimeoutExpired:
            continue
    return "", ""


def accept_jobs() -> None:
    """Let job processes start again (a cloud starting after an earlier one stopped)."""
    _closed.clear()


def stop_running_jobs() -> int:
    """End every job process still running, and start none until `accept_jobs` (their status
    becomes Stopped); how many there were. Called when the cloud that started them shuts down,
    so none outlives it."""
    with _running_lock:
        _closed.set()
        processes = list(_running)
        _stopped.update(processes)
    for process in processes:
        _signal_job(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE_SECONDS
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        # Whatever of the group outlived SIGTERM (the leader, or what it started) goes now.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    # SIGKILL takes effect after killpg returns: none may still run when the cloud has stopped.
    killed = time.monotonic() + _STOP_GRACE_SECONDS
    for process in processes:
        process_groups.wait_until_gone(process.pid, killed)
    return len(processes)


def python_argv(workspace: Workspace, argv: list[str]) -> list[str]:
    rewritten = [workspace.rewrite(part) for part in argv]
    if rewritten and (
        rewritten[0] in _PYTHON_NAMES or Path(rewritten[0]).name.startswith("python")
    ):
        rewritten[0] = sys.executable
    elif rewritten and rewritten[0].endswith(".py"):
        rewritten.insert(0, sys.executable)
    return rewritten


def max_runtime(request: dict[str, Any]) -> int:
    condition = request.get("StoppingCondition") or {}
    return int(condition.get("MaxRuntimeInSeconds") or _DEFAULT_MAX_RUNTIME_SECONDS)


def run_processing_job(request: dict[str, Any], store: ObjectStore) -> JobOutcome:
    """Run a CreateProcessingJob request; stage inputs, run the entrypoint, upload outputs."""
    app = request.get("AppSpecification") or {}
    entrypoint = list(app.get("ContainerEntrypoint") or [])
    if not entrypoint:
        raise JobSetupError("AppSpecification.ContainerEntrypoint is required to run locally")
    with Workspace() as workspace:
        for index, item in enumerate(request.get("ProcessingInputs") or []):
            s3_input = item.get("S3Input")
            if s3_input:
                field = f"ProcessingInputs[{index}].S3Input.LocalPath"
                local = workspace.path(s3_input["LocalPath"], field)
                stage_s3_prefix(store, s3_input["S3Uri"], local)
        outputs = (request.get("ProcessingOutputConfig") or {}).get("Outputs") or []
        output_dirs: list[tuple[Path, str]] = []
        for index, item in enumerate(outputs):
            s3_output = item.get("S3Output")
            if s3_output:
                field = f"ProcessingOutputConfig.Outputs[{index}].S3Output.LocalPath"
                local = workspace.path(s3_output["LocalPath"], field)
                local.mkdir(parents=True, exist_ok=True)
                output_dirs.append((local, s3_output["S3Uri"]))
        (workspace.root / "output").mkdir(exist_ok=True)
        env = {k: workspace.rewrite(str(v)) for k, v in (request.get("Environment") or {}).items()}
        argv = python_argv(workspace, entrypoint + list(app.get("ContainerArguments") or []))
        outcome = run_process(workspace, argv, env, workspace.root, max_runtime(request))
        message = workspace.root / "output" / "message"
        if message.is_file() and workspace_paths.inside(workspace.root, message):
            text = message.read_bytes()[:_EXIT_MESSAGE_BYTES].decode("utf-8", errors="replace")
            outcome = dataclasses.replace(outcome, exit_message=text)
        if outcome.status == "Completed":
            for local, uri in output_dirs:
                upload_dir(store, local, uri, workspace.root)
        return outcome


def _decode_hyperparameter(value: Any) -> str:
    """Hyperparameters may be plain strings or JSON-encoded strings; accept both."""
    text = str(value)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError:
            return text
        return decoded if isinstance(decoded, str) else text
    return text


def _training_env(
    workspace: Workspace, request: dict[str, Any], channels: list[str], user_hps: dict[str, str]
) -> dict[str, str]:
    env = {
        "SM_MODEL_DIR": f"{OPT_ML}/model",
        "SM_OUTPUT_DIR": f"{OPT_ML}/output",
        "SM_OUTPUT_DATA_DIR": f"{OPT_ML}/output/data",
        "SM_INPUT_DIR": f"{OPT_ML}/input",
        "SM_INPUT_CONFIG_DIR": f"{OPT_ML}/input/config",
        "SM_MODULE_DIR": f"{OPT_ML}/code",
        "SM_CHANNELS": json.dumps(channels),
        "SM_HPS": json.dumps(user_hps),
        "SM_CURRENT_HOST": "algo-1",
        "SM_HOSTS": json.dumps(["algo-1"]),
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_NUM_GPUS": "0",
        "SM_TRAINING_ENV": json.dumps({"job_name": request.get("TrainingJobName")}),
    }
    for channel in channels:
        env[f"SM_CHANNEL_{channel.upper()}"] = f"{OPT_ML}/input/data/{channel}"
    for key, value in user_hps.items():
        env[f"SM_HP_{key.upper()}"] = value
    for key, value in (request.get("Environment") or {}).items():
        env[key] = str(value)
    return {key: workspace.rewrite(value) for key, value in env.items()}


def run_training_job(request: dict[str, Any], store: ObjectStore) -> JobOutcome:
    """Run a CreateTrainingJob request in scikit-learn script mode; upload model.tar.gz."""
    raw_hps = {k: str(v) for k, v in (request.get("HyperParameters") or {}).items()}
    hps = {k: _decode_hyperparameter(v) for k, v in raw_hps.items()}
    program = hps.get("sagemaker_program")
    submit_dir = hps.get("sagemaker_submit_directory")
    if not program or not submit_dir:
        raise JobSetupError(
            "HyperParameters.sagemaker_program and sagemaker_submit_directory are required "
            "to run a training job locally (script mode)"
        )
    user_hps = {k: v for k, v in hps.items() if not k.startswith("sagemaker_")}
    job_name = str(request["TrainingJobName"])
    with Workspace() as workspace:
        code_dir = workspace.root / "code"
        code_dir.mkdir()
        stage_code(store, submit_dir, code_dir, "sagemaker_submit_directory")
        script = script_path(code_dir, program, "sagemaker_program")
        if not script.is_file():
            raise JobSetupError(f"sagemaker_program {program!r} is not in {submit_dir}")
        channels: list[str] = []
        for index, channel in enumerate(request.get("InputDataConfig") or []):
            name = str(channel["ChannelName"])
            field = f"InputDataConfig[{index}].ChannelName"
            if not _CHANNEL_NAME.fullmatch(name):
                raise JobSetupError(f"{field} {name!r} must match {_CHANNEL_NAME.pattern}")
            channels.append(name)
            source = (channel.get("DataSource") or {}).get("S3DataSource") or {}
            local = workspace.path(f"{OPT_ML}/input/data/{name}", field)
            if source.get("S3Uri"):
                stage_s3_prefix(store, source["S3Uri"], local)
            else:
                local.mkdir(parents=True, exist_ok=True)
        config_dir = workspace.root / "input" / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "hyperparameters.json").write_text(json.dumps(raw_hps))
        (config_dir / "inputdataconfig.json").write_text(
            json.dumps({name: {"TrainingInputMode": "File"} for name in channels})
        )
        (config_dir / "resourceconfig.json").write_text(
            json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]})
        )
        for directory in ("model", "output/data"):
            (workspace.root / directory).mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, str(script)]
        for hp_key, hp_value in user_hps.items():
            argv += [f"--{hp_key}", hp_value]
        env = _training_env(workspace, request, channels, user_hps)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(code_dir), os.environ.get("PYTHONPATH")])
        )
        outcome = run_process(workspace, argv, env, code_dir, max_runtime(request))
        if outcome.status == "Completed":
            output_path = str((request.get("OutputDataConfig") or {})["S3OutputPath"]).rstrip("/")
            out_bucket, out_prefix = split_s3_uri(f"{output_path}/{job_name}/output/model.tar.gz")
            store.put(out_bucket, out_prefix, tar_dir(workspace.root / "model", workspace.root))
            data_dir = workspace.root / "output" / "data"
            if any(data_dir.iterdir()):
                store.put(
                    out_bucket,
                    out_prefix.replace("model.tar.gz", "output.tar.gz"),
                    tar_dir(data_dir, workspace.root),
                )
        return outcome
