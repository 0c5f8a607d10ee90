"""What the job-script tests share: running the scripts as the container does (separate
processes with their /opt/ml paths overridden) or, for runs that end before any training, as
`python <script>` would run in this process; and the `pipelines` fixture (registered in
conftest.py): a clean and a low-quality dataset through preprocess, train and evaluate, built once
per session because the scripts take seconds."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import tarfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest

from tasks.data.churn import generate, write_csv

ROOT = Path(__file__).resolve().parent.parent
JOBS = ROOT / "tasks" / "jobs"
TIMEOUT = 180


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_parallel(commands: dict[str, tuple[list[str], dict[str, str]]]) -> dict[str, Run]:
    """Start every job at once (the machine has two cores) and wait for all, bounded."""
    procs = {}
    for key, (args, env) in commands.items():
        procs[key] = subprocess.Popen(
            [sys.executable, *args],
            cwd=JOBS,
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
    path = JOBS / script
    before = set(sys.modules)
    stdout, stderr = StringIO(), StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.setattr(sys, "argv", [str(path), *argv])
        patch.syspath_prepend(str(JOBS))
        try:
            with redirect_stdout(stdout), redirect_stderr(stderr):
                runpy.run_path(str(path), run_name="__main__")
            code: object = 0
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code
        finally:
            # The siblings imported by bare name (errors, schema, features...) must not shadow
            # anything of the same name that a later test imports.
            for name in set(sys.modules) - before:
                origin = getattr(sys.modules[name], "__file__", None) or ""
                if Path(origin).parent == JOBS:
                    del sys.modules[name]
    assert isinstance(code, int), f"{script} exited with {code!r}"
    return Run(code, stdout.getvalue(), stderr.getvalue())


def preprocess_args(data: Path, out: Path) -> list[str]:
    return [
        "preprocess.py",
        "--input-dir",
        str(data),
        "--output-dir",
        str(out),
        "--message-file",
        str(out / "message"),
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
def pipelines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """A clean and a low-quality (45% label noise) dataset through preprocess, train, evaluate."""
    base = tmp_path_factory.mktemp("jobs")
    datasets = {"clean": generate(seed=7), "noisy": generate(seed=8, label_noise=0.45)}
    for name, frame in datasets.items():
        # Two files in nested folders: the job must read every CSV under its input.
        half = len(frame) // 2
        write_csv(frame.iloc[:half], base / name / "data" / "a.csv")
        write_csv(frame.iloc[half:], base / name / "data" / "more" / "b.csv")
    pre = run_parallel(
        {n: (preprocess_args(base / n / "data", base / n / "pre"), {}) for n in datasets}
    )
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
            ["train.py", "--n_estimators", "120", "--max_depth", "3"],
            train_env(base / n / "pre", base / n),
        )
        for n in datasets
    }
    jobs["hyperparameters_file"] = (["train.py"], train_env(base / "clean" / "pre", hp_dir))
    trained = run_parallel(jobs)
    for name, run in trained.items():
        assert run.returncode == 0, f"{name}: {run.stderr}"
    commands = {}
    for name in datasets:
        archive = pack_model(base / name)
        commands[name] = (
            [
                "evaluate.py",
                "--model-dir",
                str(archive.parent),
                "--test-dir",
                str(base / name / "pre" / "test"),
                "--output-dir",
                str(base / name / "evaluation"),
                "--message-file",
                str(base / name / "message"),
            ],
            {},
        )
    evaluated = run_parallel(commands)
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
