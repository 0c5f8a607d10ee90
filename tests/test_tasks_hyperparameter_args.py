"""train.py's argument parser, derived from its estimator's <estimator>.hyperparameters.json:
the declared defaults pass, a value out of range fails with argparse's usage error naming it,
every declared key suits both the classifier and the regressor of its estimator, and the
settings check and the parser (two readers of one file) agree on every value."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from environments import hyperparameters as settings_side
from environments.project import current_project
from environments.settings import load_settings
from tasks.jobs import hyperparameter_args as args
from tasks.jobs.hyperparameter_args import (
    HyperparameterError,
    build_parser,
    declaration_path,
    load_declaration,
    parse_hyperparameters,
)
from tests.jobs_helpers import JOBS, job_modules

ESTIMATORS = ("gradient_boosting", "random_forest", "linear")
DECLARED = load_declaration(declaration_path("gradient_boosting"))


def command_line(values: dict[str, object]) -> list[str]:
    """As SageMaker's training toolkit passes them: `--name value`, every value a string."""
    tokens: list[str] = []
    for name, value in values.items():
        text = value if isinstance(value, str) else json.dumps(value)
        tokens += [f"--{name}", text]
    return tokens


def test_the_parser_accepts_the_declared_defaults():
    defaults = {name: h.default for name, h in DECLARED.items()}
    parsed = vars(build_parser(DECLARED).parse_args(command_line(defaults)))
    assert parsed == defaults
    assert parse_hyperparameters([], None, DECLARED) == defaults


def test_an_out_of_range_value_is_argparses_usage_error_naming_it(capsys):
    with pytest.raises(HyperparameterError) as error:
        build_parser(DECLARED).parse_args(["--n_estimators", "5000"])
    assert str(error.value) == (
        "train.py: argument --n_estimators: '5000' is not allowed; use an integer from 1 to 1000"
    )
    assert capsys.readouterr().err.startswith("usage: train.py [-h] [--n_estimators INTEGER]")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--n_estimators", "many"], "argument --n_estimators: 'many' is not allowed"),
        (["--max_depth", "2.5"], "argument --max_depth: '2.5' is not allowed"),
        (["--learning_rate", "nan"], "argument --learning_rate: 'nan' is not allowed"),
        (["--learning_rate", "0"], "use a number above 0 and at most 1"),
        (["--n_trees", "5"], "unknown hyperparameter 'n_trees'; supported: ['learning_rate'"),
        (["--n_est", "5"], "unknown hyperparameter 'n_est'"),  # no argparse abbreviations
        (["stray"], "unexpected argument 'stray'"),
        (["--max_depth"], "argument --max_depth: expected one argument"),
    ],
)
def test_bad_command_lines_are_refused(argv, expected, capsys):
    with pytest.raises(HyperparameterError, match=expected.replace("[", r"\[")):
        parse_hyperparameters(argv, None, DECLARED)


def test_the_config_file_is_read_and_the_command_line_wins(tmp_path: Path):
    config = tmp_path / "hyperparameters.json"
    # As the SageMaker Python SDK writes them: every value JSON-encoded, toolkit keys included.
    config.write_text(
        json.dumps(
            {
                "n_estimators": '"20"',
                "learning_rate": '"0.5"',
                "max_depth": "2",
                "sagemaker_program": '"train.py"',
            }
        )
    )
    parsed = parse_hyperparameters(
        ["--max_depth", "4", "--sagemaker_region", "us-east-1"], config, DECLARED
    )
    assert (parsed["n_estimators"], parsed["learning_rate"], parsed["max_depth"]) == (20, 0.5, 4)


def test_a_bad_value_in_the_config_file_is_refused_too(tmp_path: Path):
    config = tmp_path / "hyperparameters.json"
    config.write_text(json.dumps({"subsample": "1.5"}))
    with pytest.raises(HyperparameterError, match=r"argument --subsample: '1\.5' is not allowed"):
        parse_hyperparameters([], config, DECLARED)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_what_the_settings_send_is_what_the_job_parses(environment):
    """The strings CreateTrainingJob carries parse back to the values the settings hold."""
    written = yaml.safe_load((current_project().settings_dir / f"{environment}.yaml").read_text())
    sent = load_settings(environment).hyperparameters
    argv = [token for k, v in sent.items() for token in (f"--{k}", v)]
    parsed = parse_hyperparameters(argv, None, DECLARED)
    assert {name: parsed[name] for name in sent} == written["hyperparameters"]


# Specs of every kind the declaration may use, and values either side must judge alike.
SPECS = [
    {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1, "description": "d"},
    {"type": "integer", "minimum": 0, "default": 0, "description": "d"},
    {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 1, "description": "d"},
    {"type": "number", "minimum": -1, "exclusiveMaximum": 1, "default": 0, "description": "d"},
    {"type": "number", "default": 0.5, "description": "d"},
    {"type": "boolean", "default": False, "description": "d"},
    {"type": "string", "enum": ["a", "b"], "default": "a", "description": "d"},
    {"type": "string", "maxLength": 3, "default": "", "description": "d"},
]
VALUES = [0, 1, 1.0, 1.5, -1, 1000, 1001, 0.5, -0.5, True, False, "a", "b", "abcd", "1", None]
VALUES += [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: settings_side.allowed(s))
def test_the_settings_check_and_the_parser_agree(spec):
    assert args.allowed(spec) == settings_side.allowed(spec)
    judged = {repr(v): (args.accepts(spec, v), settings_side.accepts(spec, v)) for v in VALUES}
    assert {v: a for v, (a, b) in judged.items() if a != b} == {}


@pytest.mark.parametrize(
    ("estimator", "name"),
    [(e, n) for e in ESTIMATORS for n in sorted(load_declaration(declaration_path(e)))],
)
def test_both_sides_word_each_declared_hyperparameter_alike(estimator, name):
    declared = load_declaration(declaration_path(estimator))
    read_by_settings = settings_side.declaration(estimator)
    assert set(read_by_settings.properties) == set(declared)
    spec = read_by_settings.properties[name]
    assert args.allowed(declared[name].spec) == settings_side.allowed(spec)


def test_the_churn_defaults_are_kept():
    defaults = {name: h.default for name, h in DECLARED.items()}
    assert defaults == {
        "n_estimators": 150,
        "max_depth": 3,
        "learning_rate": 0.1,
        "subsample": 1.0,
        "min_samples_leaf": 20,
        "random_state": 42,
    }


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_every_declared_key_suits_the_classifier_and_the_regressor(estimator):
    # A key only one of the two accepts would fail training for the other problem type.
    with job_modules(JOBS):  # estimators imports its siblings by bare name, as jobs run
        from estimators import ESTIMATOR_CLASSES
    classifier, regressor = ESTIMATOR_CLASSES[estimator]
    defaults = {
        name: h.default for name, h in load_declaration(declaration_path(estimator)).items()
    }
    for cls in (classifier, regressor):
        assert set(defaults) <= set(cls().get_params()), cls.__name__
        cls(**defaults)  # and the declared defaults construct it


def test_every_kind_parses_from_its_command_line_text(tmp_path: Path):
    path = tmp_path / "train.hyperparameters.json"
    names = ["count", "rate", "flag", "mode", "note"]
    path.write_text(
        json.dumps({"properties": dict(zip(names, [SPECS[0], SPECS[2], *SPECS[5:]], strict=True))})
    )
    declared = load_declaration(path)
    argv = ["--count=7", "--rate", "1e-3", "--flag", "True", "--mode", '"b"', "--note", "abc"]
    assert parse_hyperparameters(argv, None, declared) == {
        "count": 7,
        "rate": 0.001,
        "flag": True,
        "mode": "b",
        "note": "abc",
    }
    with pytest.raises(HyperparameterError, match=r"argument --flag: '1' is not allowed"):
        parse_hyperparameters(["--flag", "1"], None, declared)


def test_a_declaration_whose_default_is_out_of_range_is_refused(tmp_path: Path):
    path = tmp_path / "train.hyperparameters.json"
    spec = {**SPECS[0], "default": 0}
    path.write_text(json.dumps({"properties": {"count": spec}}))
    with pytest.raises(HyperparameterError, match="count: default 0 is not an integer from 1"):
        load_declaration(path)
