"""The settings' model section and quality gate: what each problem type may gate on, and the
project a command works on, each refusal naming the key and the fix."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from environments.project import PROJECT_VARIABLE, Project, current_project
from environments.settings import SettingsError, load_settings, parse_settings

DEV = yaml.safe_load((current_project().settings_dir / "dev.yaml").read_text())


def document(**changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(DEV)
    for key, value in changes.items():
        changed[key] = value
    return changed


def test_the_churn_model_is_what_its_settings_say() -> None:
    settings = load_settings("dev")
    assert settings.model.problem == "binary" and settings.model.target == "churned"
    assert settings.model.features[0].name == "age"
    assert settings.model.features[-1].type == "categorical"
    assert b'"target": "churned"' in settings.job_sources()["model.json"]


@pytest.mark.parametrize(
    ("problem", "gate", "message"),
    [
        (
            "regression",
            {"auc": 0.7, "max_regression": 0.02},
            "quality_gate.auc: not a regression metric; use r2, rmse, mae, mse",
        ),
        ("binary", {"max_regression": 0.02}, "quality_gate: names no metric; add one or more"),
        ("multiclass", {"macro_f1": 1.2, "max_regression": 0.0}, "macro_f1: 1.2 must be from 0"),
        ("regression", {"rmse": -1.0, "max_regression": 0.0}, "rmse: -1.0 must be at least 0"),
    ],
)
def test_a_gate_must_use_the_metrics_of_its_problem(
    problem: str, gate: dict[str, float], message: str
) -> None:
    changed = document(quality_gate=gate, model={**DEV["model"], "problem": problem})
    with pytest.raises(SettingsError, match=r"dev\.yaml: ") as error:
        parse_settings(changed, "dev.yaml")
    assert message in str(error.value)


def test_a_regression_gate_on_errors_and_scores_is_accepted() -> None:
    changed = document(
        quality_gate={"r2": -0.5, "rmse": 120.0, "max_regression": 0.1},
        model={**DEV["model"], "problem": "regression"},
    )
    assert parse_settings(changed, "dev.yaml").thresholds["rmse"] == 120.0


def test_the_target_cannot_be_a_feature_and_features_have_types() -> None:
    model = {**DEV["model"], "target": "age"}
    with pytest.raises(SettingsError, match=r"model\.features\.age: the target column cannot"):
        parse_settings(document(model=model), "dev.yaml")
    features = {**DEV["model"]["features"], "age": "date"}
    with pytest.raises(SettingsError, match=r"model.features.age: 'date' is not allowed"):
        parse_settings(document(model={**DEV["model"], "features": features}), "dev.yaml")


def test_an_estimator_without_a_declaration_names_the_file_to_add(tmp_path: Path) -> None:
    model = {**DEV["model"], "estimator": "my_boost"}
    with pytest.raises(SettingsError, match=r"no hyperparameter declaration for estimator "):
        parse_settings(document(model=model), "dev.yaml")
    own = tmp_path / "jobs"
    own.mkdir()
    (own / "my_boost.hyperparameters.json").write_text(
        '{"type": "object", "additionalProperties": false, "properties": {"depth": '
        '{"type": "integer", "minimum": 1, "default": 2, "description": "tree depth"}}}'
    )
    settings = parse_settings(
        document(model=model, hyperparameters={"depth": 4}), "dev.yaml", jobs_dir=own
    )
    assert settings.hyperparameters == {"depth": "4"}
    assert settings.model.estimator == "my_boost"


def test_a_folder_without_settings_says_how_to_make_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PROJECT_VARIABLE)
    monkeypatch.chdir(tmp_path)
    assert current_project() == Project(tmp_path.resolve())
    with pytest.raises(SettingsError, match=r"not a project .*selfheal init DIR --data FILE.csv"):
        load_settings("dev")
    monkeypatch.setenv(PROJECT_VARIABLE, str(Path(DEV_PATH).parent.parent))
    assert load_settings("dev").project == "churn"


DEV_PATH = current_project().settings_dir / "dev.yaml"
