"""Acceptance: the wheel a team installs. Built from a copy of the sources, installed with
--no-deps into a fresh venv outside the clone (its dependencies are the project venv's, through a
.pth file, so no network), and run from a directory outside the clone: `selfheal --help`, `asl`
into the user's folder (nothing written into site-packages), `validate` and `iam`.

The build needs setuptools >= 70.1 (which makes wheels without the `wheel` package): the dev
extra pins it, so `make test`'s setup installs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]


def _clean_env() -> dict[str, str]:
    # Nothing may point back at the clone: the installed package alone must answer.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return {**env, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _build_wheel(tmp_path: Path) -> Path:
    """The wheel, built from a copy (an in-tree build leaves build/ and *.egg-info behind)."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in SHIPPED:
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(dist),
            str(source),
        ],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = dist.glob("selfheal_mlops-*.whl")
    return wheel


def _fresh_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "user-venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        timeout=60,
        env=_clean_env(),
    )
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    # Appended after the venv's own site-packages, so the installed wheel wins over anything.
    (Path(purelib) / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _run(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "selfheal"), *args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_installed_wheel_runs_outside_the_clone(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    venv = _fresh_venv(tmp_path)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        check=True,
        timeout=120,
        env=_clean_env(),
        cwd=tmp_path,
    )
    site = Path(
        subprocess.run(
            [
                str(python),
                "-c",
                "import selfheal, pathlib; print(pathlib.Path(selfheal.__file__).parent.parent)",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
            cwd=tmp_path,
            env=_clean_env(),
        ).stdout.strip()
    )
    assert site.is_relative_to(venv), f"selfheal imported from {site}, not the fresh venv"
    for typed in ("selfheal", "deploy", "workflows", "iam"):
        assert (site / typed / "py.typed").is_file(), f"{typed}/py.typed is not in the wheel"
    for data in (
        "environments/dev.yaml",
        "environments/settings.schema.json",
        "tasks/jobs/gradient_boosting.hyperparameters.json",
    ):
        assert (site / data).is_file(), f"{data} is not in the wheel"

    user = tmp_path / "team-project"
    user.mkdir()
    shown = _run(venv, ["--help"], user)
    assert shown.returncode == 0, shown.stderr
    assert "deploy" in shown.stdout and "local" in shown.stdout
    assert _run(venv, ["deploi"], user).returncode == 2

    written = _run(venv, ["asl", "--out", "X"], user)
    assert written.returncode == 0, written.stderr
    assert sorted(p.name for p in (user / "X").iterdir()) == sorted(
        p.name for p in (ROOT / "asl").glob("*.asl.json")
    )
    assert not (site / "asl").exists(), "asl wrote into site-packages"

    checked = _run(venv, ["validate", "X/retrain.asl.json"], user)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    roles = _run(venv, ["iam"], user)
    assert roles.returncode == 0, roles.stderr
    assert json.loads(roles.stdout)["findings"] == []
    assert sorted(p.name for p in user.iterdir()) == ["X"], "a verb wrote outside --out"
