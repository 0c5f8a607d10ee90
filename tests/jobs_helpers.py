"""What the job-script tests share: a job's source folder as the bundle ships it (the scripts
and declarations of tasks/jobs/ plus a model.json, built in tmp: tasks/jobs/ holds none);
running the scripts as the container does (separate processes with their /opt/ml paths
overridden) or as `python <script>` would run, in this process; and the `pipelines` fixture
(registered in conftest.py): a clean and a low-quality churn dataset through preprocess, train
and evaluate, in this process, built once per session because the scripts take seconds."""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest

from environments.settings import load_settings
from examples.churn.churn_data import generate, write_csv
from tests.run_once import once_per_run

ROOT = Path(__file__).resolve().parent.parent
JOBS = ROOT / "tasks" / "jobs"
TIMEOUT = 180


def model_json() -> dict[str, object]:
    """The churn example's model.json, as its settings write it into the job bundle."""
    document: dict[str, object] = json.loads(load_settings("dev").model.job_file())
    return document


def job_folder(target: Path, model: Mapping[str, object] | None) -> Path:
    """`target` made a job's source folder: every script and JSON declaration of tasks/jobs/,
    and `model` as its model.json (none when `model` is None)."""
    target.mkdir(parents=True)
    for path in sorted(JOBS.iterdir()):
        if path.is_file() and path.suffix in (".py", ".json") and path.name != "model.json":
            shutil.copy2(path, target / path.name)
    if model is not None:
        (target / "model.json").write_text(json.dumps(model, indent=1), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def churn_jobs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The job scripts with the churn dataset's model.json beside them."""
    return job_folder(tmp_path_factory.mktemp("churn-jobs") / "code", model_json())


@contextmanager
def job_modules(folder: Path) -> Iterator[None]:
    """`folder` first on sys.path, as when its script runs; on leaving, the sibling modules
    imported from it (errors, schema, features...) are forgotten, so they do not shadow those
    of another job folder or anything of the same name a later test imports."""
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if Path(origin).parent == folder:
                del sys.modules[name]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_parallel(
    commands: dict[str, tuple[list[str], dict[str, str]]], cwd: Path | None = None
) -> dict[str, Run]:
    """Start every job at once (the machine has two cores) and wait for all, bounded. Each
    command's first argument is its script's path; it runs in the script's folder (or `cwd`)."""
    procs = {}
    for key, (args, env) in commands.items():
        procs[key] = subprocess.Popen(
            [sys.executable, *args],
            cwd=cwd or Path(args[0]).parent,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    results = {}
    for key, proc in procs.items():
        out, err = proc.communicate(timeout=TIMEOUT)
        results[key] = Run(proc.returncode, out, err)
    return results


def run_in_process(args: list[str], env: dict[str, str]) -> Run:
    """`python <script> <args>` with `env`, in this process: the script's `__main__` block runs
    with its argv, its environment and its folder first on sys.path, as the container runs it.
    A fresh process costs seconds of importing pandas and scikit-learn; a job that fails on its
    input needs none of that to show its exit status, its failure file and its stderr."""
    script, *argv = args
    path = Path(script)
    stdout, stderr = StringIO(), StringIO()
    with pytest.MonkeyPatch.context() as patch, job_modules(path.parent):
        for name, value in env.items():
            patch.setenv(name, value)
        patch.setattr(sys, "argv", [str(path), *argv])
        try:
            with redirect_stdout(stdout), redirect_stderr(stderr):
                runpy.run_path(str(path), run_name="__main__")
            code: object = 0
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code
    assert isinstance(code, int), f"{script} exited with {code!r}"
    return Run(code, stdout.getvalue(), stderr.getvalue())


def preprocess_args(jobs: Path, data: Path, out: Path) -> list[str]:
    return [
        str(jobs / "preprocess.py"),
        "--input-dir",
        str(data),
        "--output-dir",
        str(out),
        "--message-file",
        str(out / "message"),
    ]


def evaluate_args(jobs: Path, model: Path, test: Path, out: Path, message: Path) -> list[str]:
    """evaluate.py's command line: the model folder (model.tar.gz), the test split, where the
    report goes, and the failure message file."""
    return [
        str(jobs / "evaluate.py"),
        "--model-dir",
        str(model),
        "--test-dir",
        str(test),
        "--output-dir",
        str(out),
        "--message-file",
        str(message),
    ]


def train_env(pre: Path, work: Path) -> dict[str, str]:
    return {
        "SM_CHANNEL_TRAIN": str(pre / "train"),
        "SM_CHANNEL_VALIDATION": str(pre / "validation"),
        "SM_CHANNEL_TRANSFORMER": str(pre / "transformer"),
        "SM_MODEL_DIR": str(work / "model"),
        "SM_OUTPUT_DIR": str(work / "output"),
        "SM_OUTPUT_DATA_DIR": str(work / "output" / "data"),
        "SM_INPUT_CONFIG_DIR": str(work / "config"),
    }


def pack_model(work: Path) -> Path:
    """What SageMaker does with SM_MODEL_DIR after training: model.tar.gz."""
    target = work / "artifacts" / "model.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted((work / "model").iterdir()):
            tar.add(path, arcname=path.name)
    return target


@pytest.fixture(scope="session")
def pipelines(
    tmp_path_factory: pytest.TempPathFactory, churn_jobs: Path
) -> dict[str, dict[str, object]]:
    """A clean and a low-quality (45% label noise) dataset through preprocess, train, evaluate:
    once per test run (the tests only read the folders and reports)."""
    made: dict[str, dict[str, object]] = once_per_run(
        tmp_path_factory,
        "job-pipelines",
        lambda: _pipelines(tmp_path_factory.mktemp("jobs"), churn_jobs),
    )
    return made


def _pipelines(base: Path, churn_jobs: Path) -> dict[str, dict[str, object]]:
    datasets = {"clean": generate(seed=7), "noisy": generate(seed=8, label_noise=0.45)}
    for name, frame in datasets.items():
        # Two files in nested folders: the job must read every CSV under its input.
        half = len(frame) // 2
        write_csv(frame.iloc[:half], base / name / "data" / "a.csv")
        write_csv(frame.iloc[half:], base / name / "data" / "more" / "b.csv")
    # In this process: the scripts' own start-up (pandas, scikit-learn) is paid once, not per
    # job; the process boundary is what the localcloud job tests exercise.
    pre = {
        n: run_in_process(preprocess_args(churn_jobs, base / n / "data", base / n / "pre"), {})
        for n in datasets
    }
    for name, run in pre.items():
        assert run.returncode == 0, f"{name}: {run.stderr}"
    hp_dir = base / "hp"
    (hp_dir / "config").mkdir(parents=True)
    # As the SageMaker SDK writes them: every value a JSON-encoded string.
    (hp_dir / "config" / "hyperparameters.json").write_text(
        json.dumps({"n_estimators": "20", "max_depth": "2", "sagemaker_program": '"train.py"'})
    )
    jobs = {
        n: (
            [str(churn_jobs / "train.py"), "--n_estimators", "120", "--max_depth", "3"],
            train_env(base / n / "pre", base / n),
        )
        for n in datasets
    }
    jobs["hyperparameters_file"] = (
        [str(churn_jobs / "train.py")],
        train_env(base / "clean" / "pre", hp_dir),
    )
    trained = {name: run_in_process(args, env) for name, (args, env) in jobs.items()}
    for name, run in trained.items():
        assert run.returncode == 0, f"{name}: {run.stderr}"
    commands = {}
    for name in datasets:
        archive = pack_model(base / name)
        commands[name] = (
            evaluate_args(
                churn_jobs,
                archive.parent,
                base / name / "pre" / "test",
                base / name / "evaluation",
                base / name / "message",
            ),
            {},
        )
    evaluated = {name: run_in_process(args, env) for name, (args, env) in commands.items()}
    for name, run in evaluated.items():
        assert run.returncode == 0, f"{name}: {run.stderr}"
    return {
        name: {
            "dir": base / name,
            "frame": datasets[name],
            "train_log": trained[name].stdout,
            "report": json.loads((base / name / "evaluation" / "evaluation.json").read_text()),
        }
        for name in datasets
    } | {"hyperparameters_file": {"train_log": trained["hyperparameters_file"].stdout}}
