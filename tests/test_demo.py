"""`make demo` end to end: deploy, S3 upload -> retrain -> deploy, drift -> retrain."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from selfheal.demo import run


def test_demo_closes_the_loop():
    lines: list[str] = []
    assert run("dev", lines.append) == 0, "\n".join(lines)
    text = "\n".join(lines)
    # The deploy is one line of counts, not a line per resource: the loop is what it shows.
    assert not re.search(r"\[\d+/\d+\] create ", text)
    assert re.search(r"deploy churn-dev: (\d+)/\1 \(\1 created\)", text)
    # The first retrain was started by EventBridge from the upload and deployed a model.
    assert re.search(r"EventBridge started s3-incoming-", text)
    assert re.search(r"gate decision   approve", text)
    assert re.search(r"endpoint        churn-dev: InService on churn-dev-epc-", text)
    assert re.search(r"model package   churn-dev-models version 1 \(Approved\)", text)
    # Drift was detected on the capture data and its event started a second retrain.
    assert "drift-check: SUCCEEDED, drift detected: yes" in text
    assert re.search(r"drift event started drift-", text)
    assert text.count("notification    [churn-dev] Retrain succeeded") == 2
    # The monitoring half: traffic -> the (demo-lowered) CPU alarm -> capacity raised, notified;
    # a deletion by another principal named by the audit rule and `selfheal audit`; the picture.
    assert "(demo settings: CPU alarm at 1% over 1 period of 60 s instead of 80% over 3" in text
    assert "sent 20 requests (200 rows of churn.csv) to endpoint churn-dev: 20 answered" in text
    assert "alarm churn-dev-endpoint-cpu-percent: ALARM" in text
    assert "churn-dev-endpoint-cpu-percent ALARM: autoscaling maximum raised 2 -> 3" in text
    who = "by arn:aws:sts::123456789012:assumed-role/OperationsAdmin/alice"
    assert f"notification    [churn-dev] DeleteEndpoint on sagemaker.amazonaws.com {who}" in text
    assert re.search(rf"selfheal audit  \S+  DeleteEndpoint  {who}", text)
    picture = re.search(r"  dashboard       (\S+\.png)", text)
    assert picture and Path(picture.group(1)).read_bytes().startswith(b"\x89PNG")


# The demo with a hyperparameter the training script refuses, injected past the settings file's
# validation, as a deploy of a bad build would pass it. A fresh interpreter, as `make demo` runs
# it: anything the embedded cloud logs on its own would reach the terminal there.
FAILING_DEMO = """
import dataclasses, os, sys
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
from selfheal.demo import run
from environments.settings import load_settings

settings = load_settings("dev")
bad = dataclasses.replace(settings, hyperparameters={**settings.hyperparameters, "n_trees": "5"})
sys.exit(run("dev", print, settings=bad))
"""


def test_a_failed_training_reads_in_two_lines_and_fails_the_demo():
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-c", FAILING_DEMO],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    text = completed.stdout
    assert completed.returncode == 1, text + completed.stderr
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  execution "))
    name = re.match(r"  execution\s+(\S+): FAILED in ", lines[start]).group(1)
    # Between the execution line and the endpoint: the failure and nothing else.
    end = next(i for i, line in enumerate(lines) if line.startswith("  endpoint "))
    assert lines[start + 1 : end] == [
        "  failed at       Train: States.TaskFailed",
        "                  AlgorithmError: train.py: unknown hyperparameter 'n_trees'; supported: "
        "['learning_rate', 'max_depth', 'min_samples_leaf', 'n_estimators', "
        "'random_state', 'subsample']",
    ]
    assert f"  notification    [churn-dev] retrain failed at Train: {name}" in lines
    assert lines[-1] == "DEMO FAILED: the first retrain FAILED at Train: States.TaskFailed"
    # Nothing else ran on a run that deployed nothing, and no engine internals were printed.
    assert "firing the drift-check schedule" not in text
    assert "{'" not in text + completed.stderr
    assert "Traceback" not in completed.stderr
    assert "Exception=" not in completed.stderr
