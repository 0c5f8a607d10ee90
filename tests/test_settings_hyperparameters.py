"""The settings' hyperparameters, checked against train.py's own declaration before anything
runs: each bad value names the settings file, the key, the value and what is allowed."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from botocore.loaders import create_loader
from botocore.model import ServiceModel

from environments import hyperparameters as hp
from environments.hyperparameters import (
    DeclarationError,
    check_hyperparameters,
    declaration,
    read_declaration,
)
from environments.project import current_project
from environments.settings import (
    SettingsError,
    environments,
    load_settings,
    load_settings_file,
    parse_settings,
)

DEV = yaml.safe_load((current_project().settings_dir / "dev.yaml").read_text())
SOURCE = "settings/dev.yaml"


def with_hyperparameters(**values: object) -> dict:
    document = copy.deepcopy(DEV)
    document["hyperparameters"].update(values)
    return document


def problems_of(**values: object) -> list[str]:
    with pytest.raises(SettingsError) as error:
        parse_settings(with_hyperparameters(**values), SOURCE)
    return str(error.value).splitlines()


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        # The value seen in dev.yaml that used to fail ~20 s later inside the Train job.
        ("n_estimators", "many", "'many' is not allowed; use an integer from 1 to 1000"),
        ("n_estimators", 0, "0 is not allowed; use an integer from 1 to 1000"),
        ("n_estimators", 5000, "5000 is not allowed; use an integer from 1 to 1000"),
        ("n_estimators", 1.5, "1.5 is not allowed; use an integer from 1 to 1000"),
        # YAML true is a boolean, never the integer 1.
        ("max_depth", True, "true is not allowed; use an integer from 1 to 32"),
        ("learning_rate", 0, "0 is not allowed; use a number above 0 and at most 1"),
        ("learning_rate", "0.1", "'0.1' is not allowed; use a number above 0 and at most 1"),
        ("subsample", 1.01, "1.01 is not allowed; use a number above 0 and at most 1"),
    ],
)
def test_bad_value_names_file_key_value_and_what_is_allowed(name, value, line):
    assert problems_of(**{name: value}) == [f"{SOURCE}: hyperparameters.{name}: {line}"]


def test_a_choice_names_the_allowed_values(tmp_path: Path):
    # A project's own train.py declares its estimator's choices beside it, in its jobs/ folder.
    (tmp_path / "boost.hyperparameters.json").write_text(
        json.dumps(
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "loss": {
                        "type": "string",
                        "enum": ["log_loss", "exponential"],
                        "default": "log_loss",
                        "description": "loss to optimise",
                    }
                },
            }
        )
    )
    document = copy.deepcopy(DEV)
    document["model"]["estimator"] = "boost"
    document["hyperparameters"] = {"loss": "hinge"}
    with pytest.raises(SettingsError) as error:
        parse_settings(document, SOURCE, jobs_dir=tmp_path)
    assert str(error.value).splitlines() == [
        f"{SOURCE}: hyperparameters.loss: 'hinge' is not allowed; "
        "use one of 'log_loss', 'exponential'"
    ]


def test_nan_and_infinity_are_refused_from_the_yaml_file(tmp_path: Path):
    # NaN compares false with every bound, so a range alone would let it through.
    text = (current_project().settings_dir / "dev.yaml").read_text()
    text = text.replace("learning_rate: 0.1", "learning_rate: .nan\n  random_state: .inf")
    path = tmp_path / "dev.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError) as error:
        load_settings_file(path)
    assert str(error.value).splitlines() == [
        f"{path}: hyperparameters.learning_rate: nan is not allowed; "
        "use a number above 0 and at most 1",
        f"{path}: hyperparameters.random_state: inf is not allowed; "
        "use an integer from 0 to 4294967295",
    ]


def test_unknown_name_is_refused_with_the_known_ones():
    [line] = problems_of(n_trees=5)
    assert line == (
        f"{SOURCE}: hyperparameters.n_trees: 5: train.py has no hyperparameter 'n_trees'; use "
        "one of learning_rate, max_depth, min_samples_leaf, n_estimators, random_state, "
        "subsample (declared in tasks/jobs/gradient_boosting.hyperparameters.json)"
    )


def test_hyperparameter_problems_come_with_the_other_settings_problems():
    document = with_hyperparameters(n_estimators="many", n_trees=5)
    document["approval_mode"] = "sometimes"
    with pytest.raises(SettingsError) as error:
        parse_settings(document, SOURCE)
    assert [line.split(": ")[1] for line in str(error.value).splitlines()] == [
        "approval_mode",
        "hyperparameters.n_estimators",
        "hyperparameters.n_trees",
    ]


def test_values_reach_createtrainingjob_as_the_strings_the_job_parses():
    settings = parse_settings(
        with_hyperparameters(n_estimators=150.0, learning_rate=1, subsample=0.5), SOURCE
    )
    # An integral 150.0 is the integer 150; SageMaker takes every value as a string.
    assert dict(settings.hyperparameters) == {
        "n_estimators": "150",
        "max_depth": "3",
        "learning_rate": "1",
        "subsample": "0.5",
    }


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_every_shipped_hyperparameter_is_declared_and_allowed(name):
    document = yaml.safe_load((current_project().settings_dir / f"{name}.yaml").read_text())
    values = document["hyperparameters"]
    assert set(values) <= set(declaration().properties)
    assert check_hyperparameters(values, name, declaration()) == []
    assert load_settings(name).hyperparameters.keys() == values.keys()


def test_every_environment_is_covered():
    assert set(environments()) == {"dev", "prod"}, "add the new environment to the test above"


def test_limits_are_createtrainingjobs_own():
    model = ServiceModel(create_loader().load_service_model("sagemaker", "service-2"))
    shape = model.operation_model("CreateTrainingJob").input_shape.members["HyperParameters"]
    assert shape.metadata["max"] == hp.MAX_ENTRIES
    assert shape.key.metadata["max"] == hp.MAX_KEY_LENGTH
    assert shape.value.metadata["max"] == hp.MAX_VALUE_LENGTH


def _declaration(tmp_path: Path, properties: dict, **extra: object) -> Path:
    path = tmp_path / "train.hyperparameters.json"
    document = {"type": "object", "additionalProperties": False, "properties": properties}
    path.write_text(json.dumps({**document, **extra}))
    return path


def test_a_value_longer_than_sagemaker_takes_is_refused(tmp_path: Path):
    spec = {"type": "string", "default": "", "description": "free text"}
    declared = read_declaration(_declaration(tmp_path, {"note": spec}))
    assert check_hyperparameters({"note": "x" * 2500}, "f.yaml", declared) == []
    assert check_hyperparameters({"note": "x" * 2501}, "f.yaml", declared) == [
        "f.yaml: hyperparameters.note: 2501 characters; CreateTrainingJob takes at most 2500"
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"type": "integer", "pattern": "x", "default": 1, "description": "d"},
            "k: pattern not supported",
        ),
        ({"type": "integer", "default": 1}, "k: needs description"),
        ({"type": "array", "default": [], "description": "d"}, "type must be one of"),
        (
            {"type": "integer", "minimum": 1, "maximum": 9, "default": 10, "description": "d"},
            "k: default 10 is not an integer from 1 to 9",
        ),
    ],
)
def test_a_declaration_the_parser_could_not_follow_is_refused(tmp_path: Path, spec, expected):
    path = _declaration(tmp_path, {"k": spec})
    with pytest.raises(DeclarationError, match=expected) as error:
        read_declaration(path)
    assert str(error.value).startswith(f"{path}: ")


@pytest.mark.parametrize("name", ["n-trees", "sagemaker_program", "help", "x" * 257])
def test_a_declared_name_must_be_an_option_sagemaker_leaves_alone(tmp_path: Path, name):
    spec = {"type": "boolean", "default": True, "description": "d"}
    with pytest.raises(DeclarationError, match="a name must be lowercase letters"):
        read_declaration(_declaration(tmp_path, {name: spec}))


def test_a_declaration_must_refuse_unknown_names(tmp_path: Path):
    spec = {"type": "boolean", "default": True, "description": "d"}
    path = _declaration(tmp_path, {"k": spec}, additionalProperties=True)
    with pytest.raises(DeclarationError, match="additionalProperties must be false"):
        read_declaration(path)
