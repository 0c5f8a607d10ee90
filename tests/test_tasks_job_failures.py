"""The job scripts given bad input: each fails with a message that says what is wrong, where
SageMaker reads it, and leaves nothing a later step could take for a result.

Every case runs in this process (run_in_process: the script's `__main__` block with its argv and
environment); one case per script also runs as its own process, proving the contract SageMaker
sees end to end: the exit status and the failure file written by a real interpreter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from examples.churn.churn_data import generate, write_csv
from tests.jobs_helpers import (
    Run,
    evaluate_args,
    preprocess_args,
    run_in_process,
    run_parallel,
    train_env,
)

Commands = dict[str, tuple[list[str], dict[str, str]]]


@pytest.fixture(scope="module")
def clean_pre(tmp_path_factory: pytest.TempPathFactory, churn_jobs: Path) -> Path:
    """A clean dataset through preprocess (in this process): what the bad inputs start from."""
    base = tmp_path_factory.mktemp("clean")
    write_csv(generate(seed=7), base / "data" / "churn.csv")
    run = run_in_process(preprocess_args(churn_jobs, base / "data", base / "pre"), {})
    assert run.returncode == 0, run.stderr
    return base / "pre"


@pytest.fixture(scope="module")
def failures(
    tmp_path_factory: pytest.TempPathFactory, clean_pre: Path, churn_jobs: Path
) -> dict[str, tuple[Run, Path]]:
    """Jobs given bad input, run in this process; each writes its reason where SageMaker
    reads it."""
    cases, where = _bad_inputs(tmp_path_factory.mktemp("bad"), clean_pre, churn_jobs)
    return {name: (run_in_process(*cases[name]), where[name]) for name in cases}


# One case per script, each in its own interpreter as the container runs it.
PROCESS_CASES = {
    "empty": "is empty",
    "train-hp": "unknown hyperparameter 'n_trees'",
    "evaluate-nomodel": "no model.joblib",
}


@pytest.fixture(scope="module")
def process_failures(
    tmp_path_factory: pytest.TempPathFactory, clean_pre: Path, churn_jobs: Path
) -> dict[str, tuple[Run, Path]]:
    base = tmp_path_factory.mktemp("bad-process")
    cases, where = _bad_inputs(base, clean_pre, churn_jobs)
    runs = run_parallel({name: cases[name] for name in PROCESS_CASES})
    return {name: (runs[name], where[name]) for name in PROCESS_CASES}


def _bad_inputs(base: Path, clean_pre: Path, jobs: Path) -> tuple[Commands, dict[str, Path]]:
    """Each bad input's command and environment, and where its reason must be written."""
    (base / "empty").mkdir()
    (base / "empty" / "data.csv").write_text("")
    (base / "nocsv").mkdir()
    (base / "nocsv" / "data.parquet").write_bytes(b"PAR1")
    frame = generate(rows=200)
    write_csv(frame.drop(columns=["tenure_months"]), base / "missing" / "d.csv")
    broken = frame.astype({"monthly_charges": object})
    broken.loc[3, "monthly_charges"] = "twelve"
    write_csv(broken, base / "types" / "d.csv")
    cases: Commands = {}
    for name in ("empty", "nocsv", "missing", "types"):
        cases[name] = (preprocess_args(jobs, base / name, base / f"{name}-out"), {})
    for name, damage in (
        ("train-missing", lambda f: f.drop(columns=["tenure_months"])),
        ("train-types", _unparseable_charge),
        ("train-empty", None),
    ):
        channels = base / f"{name}-pre"
        shutil.copytree(clean_pre, channels)
        train_file = channels / "train" / "train.csv"
        if damage is None:
            train_file.write_text("")
        else:
            damage(pd.read_csv(train_file)).to_csv(train_file, index=False)
        cases[name] = ([str(jobs / "train.py")], train_env(channels, base / name))
    notransformer = train_env(clean_pre, base / "train-nt")
    notransformer["SM_CHANNEL_TRANSFORMER"] = str(base / "nowhere")
    train = str(jobs / "train.py")
    cases["train-nt"] = ([train], notransformer)
    cases["train-hp"] = ([train, "--n_trees", "5"], train_env(clean_pre, base / "train-hp"))
    cases["train-range"] = (
        [train, "--n_estimators", "5000"],
        train_env(clean_pre, base / "train-range"),
    )
    cases["evaluate-nomodel"] = (
        evaluate_args(
            jobs,
            base / "nocsv",
            clean_pre / "test",
            base / "ev",
            base / "evaluate-nomodel-out" / "message",
        ),
        {},
    )
    where = {name: base / f"{name}-out" / "message" for name in cases}
    for name in (
        "train-nt",
        "train-hp",
        "train-range",
        "train-missing",
        "train-types",
        "train-empty",
    ):
        where[name] = base / name / "output" / "failure"
    return cases, where


def _unparseable_charge(frame: pd.DataFrame) -> pd.DataFrame:
    broken = frame.astype({"monthly_charges": object})
    broken.loc[3, "monthly_charges"] = "twelve"
    return broken


def _produced(case: str, message_file: Path) -> list[Path]:
    """What a failed job left besides its failure message: it must be nothing a later step
    could take for a result (no split, no transformer, no model, no report)."""
    if case.startswith("train"):
        outputs = message_file.parent.parent / "model"
    elif case.startswith("evaluate"):
        outputs = message_file.parent.parent / "ev"
    else:
        outputs = message_file.parent
    return [p for p in outputs.rglob("*") if p.is_file() and p != message_file]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("empty", "is empty"),
        ("nocsv", "no CSV file"),
        ("missing", "missing column(s) ['tenure_months']"),
        ("types", "column 'monthly_charges' must be numeric"),
        ("train-nt", "transformer.joblib not found"),
        ("train-hp", "unknown hyperparameter 'n_trees'"),
        # The declaration's range, enforced by the parser built from it, before any data is read.
        (
            "train-range",
            "argument --n_estimators: '5000' is not allowed; use an integer from 1 to 1000",
        ),
        ("train-missing", "missing column(s) ['tenure_months']"),
        ("train-types", "column 'monthly_charges' must be numeric"),
        ("train-empty", "train.csv is empty"),
        ("evaluate-nomodel", "no model.joblib"),
    ],
)
def test_bad_input_fails_the_job_with_its_reason(failures: dict, case: str, expected: str) -> None:
    run, message_file = failures[case]
    assert run.returncode == 1
    assert expected in message_file.read_text()
    assert expected in run.stderr
    assert _produced(case, message_file) == []


@pytest.mark.parametrize(("case", "expected"), PROCESS_CASES.items())
def test_a_job_process_given_bad_input_exits_1_with_its_reason(
    process_failures: dict, case: str, expected: str
) -> None:
    run, message_file = process_failures[case]
    assert run.returncode == 1, run.stderr
    assert expected in message_file.read_text()
    assert expected in run.stderr
    assert "Traceback" not in run.stderr
    assert _produced(case, message_file) == []
