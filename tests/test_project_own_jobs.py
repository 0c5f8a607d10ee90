"""A team's own train.py, in its project's jobs/ folder, replaces the built-in one in the job code
bundle the deploy uploads, and runs between the built-in preprocess and evaluate jobs, its
hyperparameters checked against its own declaration: the package itself is not touched."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from environments.project import Project
from environments.settings import SettingsError, load_settings
from selfheal.cli import main
from tests.jobs_helpers import evaluate_args, pack_model, preprocess_args, run_in_process, train_env

OWN_TRAIN = '''"""The team's own training: ridge regression with its own alpha."""
import argparse, json, os, sys
from pathlib import Path

import joblib
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.pipeline import Pipeline

import schema

parser = argparse.ArgumentParser()
parser.add_argument("--alpha", type=float, default=1.0)
args, _ = parser.parse_known_args()
train = pd.read_csv(Path(os.environ["SM_CHANNEL_TRAIN"]) / "train.csv")
validation = pd.read_csv(Path(os.environ["SM_CHANNEL_VALIDATION"]) / "validation.csv")
transformer = joblib.load(Path(os.environ["SM_CHANNEL_TRANSFORMER"]) / "transformer.joblib")
features = list(schema.FEATURES)
model = Pipeline([("transformer", transformer), ("regressor", Ridge(alpha=args.alpha))])
model.fit(train[features], train[schema.TARGET])
score = r2_score(validation[schema.TARGET], model.predict(validation[features]))
print(f"own train.py, alpha={args.alpha}")
print(f"validation:r2={score:.6f};")
Path(os.environ["SM_MODEL_DIR"]).mkdir(parents=True, exist_ok=True)
joblib.dump(model, Path(os.environ["SM_MODEL_DIR"]) / "model.joblib")
'''

DECLARATION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "alpha": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 1.0,
            "description": "ridge regularisation strength",
        }
    },
}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    rng = np.random.default_rng(9)
    rows = 300
    frame = pd.DataFrame(
        {"dose_mg": rng.uniform(5, 50, rows).round(2), "site": rng.choice(["a", "b"], rows)}
    )
    frame["response"] = (2.0 * frame["dose_mg"] + (frame["site"] == "a") * 5).round(3)
    frame.to_csv(tmp_path / "trial.csv", index=False)
    root = tmp_path / "trial"
    assert (
        main(["init", str(root), "--data", str(tmp_path / "trial.csv"), "--target", "response"])
        == 0
    )
    (root / "jobs").mkdir()
    (root / "jobs" / "train.py").write_text(OWN_TRAIN)
    (root / "jobs" / "ridge.hyperparameters.json").write_text(json.dumps(DECLARATION))
    for env in ("dev", "prod"):
        path = root / "settings" / f"{env}.yaml"
        text = path.read_text()
        text = text.replace("  estimator: gradient_boosting\n", "  estimator: ridge\n")
        start, end = text.index("hyperparameters:\n"), text.index("# regression metrics")
        path.write_text(text[:start] + "hyperparameters:\n  alpha: 0.5\n" + text[end:])
    return Project(root)


def test_the_projects_train_py_replaces_the_built_in_one_and_runs(
    project: Project, tmp_path: Path
) -> None:
    settings = load_settings("dev", project)
    assert settings.hyperparameters == {"alpha": "0.5"}
    sources = settings.job_sources()
    assert sources["train.py"] == OWN_TRAIN.encode()
    assert sources["preprocess.py"] == (Path("tasks/jobs/preprocess.py")).read_bytes()
    code = tmp_path / "code"
    code.mkdir()
    for name, data in sources.items():
        (code / name).write_bytes(data)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "trial.csv").write_bytes((project.data_dir / "trial.csv").read_bytes())
    pre = run_in_process(preprocess_args(code, tmp_path / "data", tmp_path / "pre"), {})
    assert pre.returncode == 0, pre.stderr
    trained = run_in_process(
        [str(code / "train.py"), "--alpha", settings.hyperparameters["alpha"]],
        train_env(tmp_path / "pre", tmp_path),
    )
    assert trained.returncode == 0, trained.stderr
    assert "own train.py, alpha=0.5" in trained.stdout
    archive = pack_model(tmp_path)
    evaluated = run_in_process(
        evaluate_args(
            code,
            archive.parent,
            tmp_path / "pre" / "test",
            tmp_path / "evaluation",
            tmp_path / "message",
        ),
        {},
    )
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads((tmp_path / "evaluation" / "evaluation.json").read_text())
    assert report["regression_metrics"]["r2"]["value"] > 0.9


def test_its_hyperparameters_are_checked_against_its_own_declaration(project: Project) -> None:
    path = project.settings_dir / "dev.yaml"
    path.write_text(path.read_text().replace("  alpha: 0.5\n", "  alpha: -1\n"))
    with pytest.raises(
        SettingsError, match=r"hyperparameters\.alpha: -1 is not allowed; use a number above 0"
    ):
        load_settings("dev", project)
