"""Acceptance: the wheel a team installs. Built from a copy of the sources, installed with
--no-deps into a fresh venv outside the clone (its dependencies are the project venv's, through a
.pth file, so no network), and run from a directory outside the clone: `selfheal init` on a
regression CSV with columns the project has never seen, then `--help`, `asl` into the user's
folder (nothing written into site-packages), `validate`, `iam`, and `selfheal demo`: the whole
loop on the team's own data.

The build needs setuptools >= 70.1 (which makes wheels without the `wheel` package): the dev
extra pins it, so `make test`'s setup installs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]


def _clean_env() -> dict[str, str]:
    # Nothing may point back at the clone: the installed package alone must answer.
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "SELFHEAL_PROJECT"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
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


def _run(
    venv: Path, args: list[str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "selfheal"), *args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _team_csv(path: Path) -> Path:
    """A regression dataset whose column names appear nowhere in the project."""
    rng = np.random.default_rng(5)
    rows = 600
    frame = pd.DataFrame(
        {
            "kiln_temp_c": rng.normal(900, 40, rows).round(1),
            "clay_batch": rng.choice(["red", "buff", "stoneware"], rows),
            "glaze_coats": rng.integers(1, 4, rows),
            "humidity_pct": rng.uniform(20, 80, rows).round(1),
        }
    )
    shrink = {"red": 0.4, "buff": 0.0, "stoneware": -0.3}
    frame["crack_rate_per_1000"] = (
        0.02 * (frame["kiln_temp_c"] - 900)
        + frame["clay_batch"].map(shrink)
        + 0.3 * frame["glaze_coats"]
        + 0.01 * frame["humidity_pct"]
        + rng.normal(0, 0.15, rows)
    ).round(3)
    frame.to_csv(path, index=False)
    return path


@dataclass
class Installed:
    venv: Path
    site: Path
    project: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """The wheel in a fresh venv, and a team's project made by its `selfheal init`."""
    tmp_path = tmp_path_factory.mktemp("wheel")
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
    data = _team_csv(tmp_path / "kiln-log.csv")
    made = _run(
        venv, ["init", "kiln", "--data", str(data), "--target", "crack_rate_per_1000"], tmp_path
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "target 'crack_rate_per_1000' -> regression" in made.stdout
    yield Installed(venv, site, tmp_path / "kiln")


def test_the_installed_wheel_runs_outside_the_clone(installed: Installed) -> None:
    venv, site, user = installed.venv, installed.site, installed.project
    for typed in SHIPPED:
        assert (site / typed / "py.typed").is_file(), f"{typed}/py.typed is not in the wheel"
    for data in (
        "environments/settings.schema.json",
        "tasks/jobs/gradient_boosting.hyperparameters.json",
    ):
        assert (site / data).is_file(), f"{data} is not in the wheel"
    assert not (site / "environments" / "dev.yaml").exists(), "a project's settings shipped"
    before = sorted(p.name for p in user.iterdir())

    shown = _run(venv, ["--help"], user)
    assert shown.returncode == 0, shown.stderr
    assert "deploy" in shown.stdout and "local" in shown.stdout
    assert _run(venv, ["deploi"], user).returncode == 2

    written = _run(venv, ["asl", "--out", "X"], user)
    assert written.returncode == 0, written.stderr
    # The definitions and their Mermaid pictures (SVG ones too where graphviz's dot is found).
    assert sorted(p.name for p in (user / "X").iterdir() if p.suffix != ".svg") == sorted(
        p.name for p in (ROOT / "asl").iterdir() if p.suffix != ".svg"
    )
    assert not (site / "asl").exists(), "asl wrote into site-packages"

    checked = _run(venv, ["validate", "X/retrain.asl.json"], user)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    roles = _run(venv, ["iam"], user)
    assert roles.returncode == 0, roles.stderr
    assert json.loads(roles.stdout)["findings"] == []
    after = sorted(p.name for p in user.iterdir())
    assert after == sorted([*before, "X"]), "a verb wrote outside --out"


def test_the_demo_runs_the_whole_loop_on_the_teams_own_data(installed: Installed) -> None:
    ran = _run(installed.venv, ["demo"], installed.project, timeout=600)
    text = ran.stdout
    assert ran.returncode == 0, text + ran.stderr
    assert "uploading kiln-log.csv to s3://kiln-dev-data-123456789012/incoming/" in text
    assert re.search(r"gate decision   approve", text)
    assert re.search(r"model package   kiln-dev-models version 1 \(Approved\)", text)
    assert "drift-check: SUCCEEDED, drift detected: yes" in text
    assert re.search(r"drift event started drift-", text)
    assert "demo complete" in text
