"""`selfheal init`: what it infers from a CSV, the project it writes (whose settings load), and the
files it refuses, each with the reason, before anything is written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from environments.project import Project
from environments.settings import load_settings
from selfheal.cli import main

ROWS = 120


def write_csv(path: Path, **columns: object) -> Path:
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


@pytest.fixture
def frame_columns() -> dict[str, object]:
    rng = np.random.default_rng(3)
    return {
        "reading_a": rng.normal(10, 2, ROWS).round(3),
        "shade": rng.choice(["teal", "ochre", "umber"], ROWS),
        "batch_ref": [f"B{i:04d}" for i in range(ROWS)],
        "constant": ["same"] * ROWS,
        "yield_kg": rng.normal(50, 5, ROWS).round(2),
        "grade": rng.choice(["low", "mid", "high"], ROWS),
        "passed": rng.choice([0, 1], ROWS),
    }


def run_init(*argv: str | Path) -> int:
    return main(["init", *map(str, argv)])


def test_a_regression_project_loads_with_the_columns_it_found(
    tmp_path: Path, frame_columns: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_csv(tmp_path / "plant.csv", **frame_columns)
    directory = tmp_path / "plant-yield"  # a hyphen never reaches the project name
    assert run_init(directory, "--data", data, "--target", "yield_kg") == 0
    out = capsys.readouterr().out
    assert "target 'yield_kg' -> regression" in out
    assert "batch_ref: skipped, every row has its own value" in out
    assert "constant: skipped, it has a single value" in out
    project = Project(directory)
    assert project.environments() == ["dev", "prod"]
    assert (directory / "data" / "plant.csv").read_bytes() == data.read_bytes()
    for env in ("dev", "prod"):
        settings = load_settings(env, project)
        assert settings.project == "plantyield"
        assert settings.model.problem == "regression"
        assert [(f.name, f.type) for f in settings.model.features] == [
            ("reading_a", "numeric"),
            ("shade", "categorical"),
            ("grade", "categorical"),
            ("passed", "numeric"),
        ]
        assert set(settings.thresholds) == {"r2", "max_regression"}
    readme = (directory / "README.md").read_text()
    assert "a **regression** model predicting `yield_kg`" in readme


@pytest.mark.parametrize(
    ("target", "problem", "expected"),
    [("grade", None, "multiclass"), ("passed", None, "binary"), ("passed", "multiclass", None)],
)
def test_the_problem_type_follows_the_target(
    tmp_path: Path,
    frame_columns: dict[str, object],
    target: str,
    problem: str | None,
    expected: str | None,
) -> None:
    data = write_csv(tmp_path / "plant.csv", **frame_columns)
    asked = ["--problem", problem] if problem else []
    code = run_init(tmp_path / "proj", "--data", data, "--target", target, *asked)
    if expected is None:  # two classes asked to be multiclass
        assert code == 1 and not (tmp_path / "proj").exists()
        return
    assert code == 0
    assert load_settings("dev", Project(tmp_path / "proj")).model.problem == expected


@pytest.mark.parametrize(
    ("columns", "argv", "message"),
    [
        ({"a": [1, 2], "b": [3, 4]}, ["--target", "nope"], "no column 'nope'; the header has"),
        ({"a": [1], "b": [2]}, ["--target", "b"], "1 data row(s); training, validation"),
        (
            {"a": list(range(60)), "b": [1] * 60},
            ["--target", "b"],
            "target column 'b' has only one value",
        ),
        (
            {"a": list(range(60)), "b": ["x", "y"] * 30},
            ["--target", "b", "--problem", "regression"],
            "target column 'b' is not numeric (e.g. 'x'); regression needs a numeric target",
        ),
        (
            {"a": list(range(60)), "b": ["x"] * 55 + ["y"] * 5},
            ["--target", "b"],
            "fewer than 10 rows of class(es) {'y': 5}",
        ),
    ],
)
def test_a_file_it_cannot_use_stops_it_with_the_reason(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    columns: dict[str, list[object]],
    argv: list[str],
    message: str,
) -> None:
    data = write_csv(tmp_path / "bad.csv", **columns)
    assert run_init(tmp_path / "proj", "--data", data, *argv) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "proj").exists()


def test_an_existing_directory_with_files_is_left_alone(
    tmp_path: Path, frame_columns: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_csv(tmp_path / "plant.csv", **frame_columns)
    directory = tmp_path / "mine"
    directory.mkdir()
    (directory / "notes.txt").write_text("the user's own")
    assert run_init(directory, "--data", data, "--target", "yield_kg") == 1
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in directory.iterdir()] == ["notes.txt"]
