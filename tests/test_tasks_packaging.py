"""Deployable artefacts: reproducible bytes, and only what each function imports."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from environments.settings import load_settings
from tasks import packaging

ROOT = Path(__file__).resolve().parent.parent
# The churn example's job code: the built-in scripts and the project's model.json.
SOURCES = load_settings("dev").job_sources()


def build(out: Path) -> list[Path]:
    return packaging.build(out, SOURCES)


def test_building_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first = build(tmp_path / "one")
    second = build(tmp_path / "two")
    assert [p.relative_to(tmp_path / "one") for p in first] == [
        p.relative_to(tmp_path / "two") for p in second
    ]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_each_zip_holds_the_handler_and_its_project_imports_only(tmp_path: Path) -> None:
    build(tmp_path)
    names = {p.stem: zipfile.ZipFile(p).namelist() for p in (tmp_path / "lambda").glob("*.zip")}
    assert set(names) == {"trigger", "quality_gate", "notify", "approval", "capacity_reaction"}
    assert names["trigger"] == sorted(names["trigger"])
    assert "tasks/handlers/retrain_input.schema.json" in names["trigger"]
    assert "tasks/handlers/notify.py" not in names["trigger"]
    assert set(names["quality_gate"]) == {
        "tasks/__init__.py",
        "tasks/handlers/__init__.py",
        "tasks/handlers/aws_clients.py",
        "tasks/handlers/environment.py",  # aws_clients reads the region through it
        "tasks/handlers/event_input.py",  # the parse edge: malformed input refused, named
        "tasks/handlers/quality_gate.py",
        "tasks/handlers/s3_objects.py",
        "tasks/handlers/tracing.py",  # the X-Ray tracer every handler shares
        "tasks/metrics.py",  # which metrics each problem type gates on, and which way is better
    }
    assert "tasks/handlers/notify.py" in names["approval"]
    for members in names.values():
        assert not any(m.startswith(("tasks/jobs", "tasks/data")) for m in members)
    info = zipfile.ZipFile(tmp_path / "lambda" / "trigger.zip").infolist()[0]
    assert info.date_time == (1980, 1, 1, 0, 0, 0) and (info.external_attr >> 16) == 0o100644


def test_each_handler_imports_from_its_extracted_zip_alone(tmp_path: Path) -> None:
    build(tmp_path / "build")
    for archive in sorted((tmp_path / "build" / "lambda").glob("*.zip")):
        task_root = tmp_path / archive.stem  # Lambda extracts the zip to /var/task
        zipfile.ZipFile(archive).extractall(task_root)
        probe = f"import tasks.handlers.{archive.stem} as m; print(m.__file__); m.handler"
        run = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=task_root,
            env={"PATH": "", "PYTHONPATH": str(task_root), "AWS_DEFAULT_REGION": "us-east-1"},
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith(str(task_root)), run.stdout


def test_sourcedir_holds_the_job_scripts_flat(tmp_path: Path) -> None:
    build(tmp_path)
    with tarfile.open(tmp_path / "jobs" / "sourcedir.tar.gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert {
        "train.py",
        "preprocess.py",
        "evaluate.py",
        "drift_check.py",
        "inference.py",
        "schema.py",
        "estimators.py",
        # train.py builds its argument parser from its estimator's declaration at start-up.
        "gradient_boosting.hyperparameters.json",
        "random_forest.hyperparameters.json",
        "linear.hyperparameters.json",
        # The project's schema, which every script reads beside itself.
        "model.json",
    } <= set(names)
    assert all("/" not in n for n in names) and names == sorted(names)
    assert all(m.mtime == 315532800 and m.uid == 0 and m.mode == 0o644 for m in members)
    assert (tmp_path / "jobs" / "code" / "preprocess.py").read_bytes() == (
        ROOT / "tasks" / "jobs" / "preprocess.py"
    ).read_bytes()


def test_train_reads_its_declaration_from_the_sourcedir_alone(tmp_path: Path) -> None:
    """On SageMaker the script sees only the extracted sourcedir: the declaration it builds its
    parser from must be in it, and nothing of workflows/ may be needed."""
    build(tmp_path / "build")
    code = tmp_path / "code"
    with tarfile.open(tmp_path / "build" / "jobs" / "sourcedir.tar.gz") as tar:
        tar.extractall(code, filter="data")
    run = subprocess.run(
        [sys.executable, "train.py", "--n_estimators", "5000"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=code,
        env={"PATH": "", "PYTHONPATH": str(code), "SM_OUTPUT_DIR": str(tmp_path / "output")},
    )
    assert run.returncode == 1
    reason = (tmp_path / "output" / "failure").read_text()
    assert reason == (
        "train.py: argument --n_estimators: '5000' is not allowed; use an integer from 1 to 1000"
    )
    assert "usage: train.py" in run.stderr
