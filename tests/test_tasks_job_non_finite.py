"""Numbers that are not numbers at the jobs' input checks: a CSV holding inf, -inf or 1e309 fails
preprocess naming the column, drift_check refuses thresholds of nan or inf, and a preprocess
that fails (even while writing) leaves no output a later step could take for a result."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from examples.churn.churn_data import generate, write_csv
from tests.jobs_helpers import job_modules, preprocess_args, run_in_process


def _outputs(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.name != "message")


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e309"])
def test_preprocess_refuses_infinite_cells_naming_the_column(
    tmp_path: Path, churn_jobs: Path, cell: str
) -> None:
    # Before: a traceback naming no column (the scaler's "Input contains infinity").
    frame = generate(seed=7, rows=300).astype({"monthly_charges": object})
    frame.loc[5, "monthly_charges"] = cell
    write_csv(frame, tmp_path / "data" / "churn.csv")
    out = tmp_path / "out"
    run = run_in_process(preprocess_args(churn_jobs, tmp_path / "data", out), {})
    assert run.returncode == 1
    message = (out / "message").read_text()
    assert "column 'monthly_charges' must hold finite numbers; found [" in message
    assert "in 1 row(s)" in message
    assert "Traceback" not in run.stderr
    assert _outputs(out) == []


def test_preprocess_that_fails_while_writing_leaves_nothing(
    tmp_path: Path, churn_jobs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The transformer is written after the three splits: a failure there left the splits behind.
    write_csv(generate(seed=7, rows=300), tmp_path / "data" / "churn.csv")
    out = tmp_path / "out"
    with job_modules(churn_jobs):
        import preprocess  # type: ignore[import-not-found]

        def full_disk(*_: object, **__: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(preprocess.joblib, "dump", full_disk)
        with pytest.raises(OSError, match="No space left"):
            preprocess.main(preprocess_args(churn_jobs, tmp_path / "data", out)[1:])
    assert out.is_dir()
    assert list(out.iterdir()) == []


def test_preprocess_moves_every_output_into_place(tmp_path: Path, churn_jobs: Path) -> None:
    write_csv(generate(seed=7, rows=300), tmp_path / "data" / "churn.csv")
    out = tmp_path / "out"
    run = run_in_process(preprocess_args(churn_jobs, tmp_path / "data", out), {})
    assert run.returncode == 0, run.stderr
    assert [p.relative_to(out).as_posix() for p in _outputs(out)] == [
        "baseline/statistics.json",
        "test/test.csv",
        "train/train.csv",
        "transformer/transformer.joblib",
        "validation/validation.csv",
    ]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    assert len(pd.read_csv(out / "train" / "train.csv")) > 150


@pytest.mark.parametrize(
    ("argument", "value", "expected"),
    [
        ("--psi-threshold", "nan", "--psi-threshold must be a finite number above 0"),
        ("--psi-threshold", "inf", "--psi-threshold must be a finite number above 0"),
        ("--psi-threshold", "0", "--psi-threshold must be a finite number above 0"),
        ("--ks-pvalue", "nan", "--ks-pvalue must be a finite number above 0 and at most 1"),
        ("--ks-pvalue", "2", "--ks-pvalue must be a finite number above 0 and at most 1"),
    ],
)
def test_drift_check_refuses_thresholds_that_are_not_finite_or_in_range(
    tmp_path: Path, churn_jobs: Path, argument: str, value: str, expected: str
) -> None:
    # With --psi-threshold nan (or inf) no PSI exceeded it: a PSI of 1.67 reported no drift.
    report = tmp_path / "report"
    args = [
        str(churn_jobs / "drift_check.py"),
        "--baseline-dir",
        str(tmp_path / "no-baseline"),
        "--capture-dir",
        str(tmp_path / "no-capture"),
        "--report-dir",
        str(report),
        "--message-file",
        str(tmp_path / "message"),
        argument,
        value,
    ]
    run = run_in_process(args, {})
    assert run.returncode == 1
    assert (tmp_path / "message").read_text().startswith(expected)
    assert not report.exists()
