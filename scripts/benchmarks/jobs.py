"""Wall time of the local preprocess, train and evaluate jobs on the demo dataset, each run as
its own process with the /opt/ml paths overridden (as the embedded cloud runs them)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOBS = ROOT / "tasks" / "jobs"
TIMEOUT = 600


def _timed(args: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=JOBS,
        env={**os.environ, **(env or {})},
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    return round(time.perf_counter() - start, 3)


def run() -> dict[str, object]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tasks.data.churn import DEFAULT_ROWS, generate, write_csv

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        write_csv(generate(seed=7), work / "data" / "churn.csv")
        pre = work / "pre"
        figures: dict[str, object] = {"rows": DEFAULT_ROWS}
        figures["preprocess_s"] = _timed(
            [
                "preprocess.py",
                "--input-dir",
                str(work / "data"),
                "--output-dir",
                str(pre),
                "--message-file",
                str(work / "message"),
            ]
        )
        figures["train_s"] = _timed(
            ["train.py"],
            {
                "SM_CHANNEL_TRAIN": str(pre / "train"),
                "SM_CHANNEL_VALIDATION": str(pre / "validation"),
                "SM_CHANNEL_TRANSFORMER": str(pre / "transformer"),
                "SM_MODEL_DIR": str(work / "model"),
                "SM_OUTPUT_DIR": str(work / "output"),
                "SM_OUTPUT_DATA_DIR": str(work / "output" / "data"),
                "SM_INPUT_CONFIG_DIR": str(work / "config"),
            },
        )
        (work / "artifacts").mkdir()
        with tarfile.open(work / "artifacts" / "model.tar.gz", "w:gz") as tar:
            tar.add(work / "model" / "model.joblib", arcname="model.joblib")
        figures["evaluate_s"] = _timed(
            [
                "evaluate.py",
                "--model-dir",
                str(work / "artifacts"),
                "--test-dir",
                str(pre / "test"),
                "--output-dir",
                str(work / "evaluation"),
                "--message-file",
                str(work / "message"),
            ]
        )
        figures["python_startup_s"] = _timed(["-c", "import pandas, sklearn.ensemble, scipy.stats"])
    figures["total_s"] = round(
        sum(float(figures[k]) for k in ("preprocess_s", "train_s", "evaluate_s")),
        3,  # type: ignore[arg-type]
    )
    return figures


if __name__ == "__main__":
    print(run())
