"""Environment settings: the shipped files load, and every bad value names file, key and fix."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from environments.project import current_project
from environments.settings import (
    SettingsError,
    environments,
    load_settings,
    load_settings_file,
    parse_settings,
)

DEV = yaml.safe_load((current_project().settings_dir / "dev.yaml").read_text())


def with_value(path: str, value):
    document = copy.deepcopy(DEV)
    *parents, leaf = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[leaf]
    else:
        node[leaf] = value
    return document


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_shipped_environments_load(name):
    settings = load_settings(name)
    assert settings.environment == name
    assert settings.prefix == f"churn-{name}"
    assert settings.all_tags()["environment"] == name


def test_at_least_dev_and_prod_exist():
    assert {"dev", "prod"} <= set(environments())


def test_hyperparameters_become_strings_as_createtrainingjob_requires():
    assert load_settings("dev").hyperparameters["n_estimators"] == "150"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "approval_mode",
            "sometimes",
            "approval_mode: 'sometimes' is not allowed; use one of 'auto', 'manual'",
        ),
        (
            "location.partition",
            "aws-mars",
            "location.partition: 'aws-mars' is not allowed; "
            "use one of 'aws', 'aws-cn', 'aws-us-gov'",
        ),
        ("location.account", 123, "location.account: 123 is not of type 'string'"),
        ("location.account", "1234", "expected a 12-digit AWS account id"),
        ("project", "Churn_Model", "project: 'Churn_Model' does not match"),
        # "abc" + "dev" names would begin "abc-dev-", as would every name of "abc-dev": a rule or
        # role scoped to one project's prefix would reach the other's resources.
        ("project", "abc-dev", "project: 'abc-dev' does not match"),
        ("buckets.data", "Bad_Bucket", "expected an S3 bucket name"),
        ("training.instance_type", "m5.large", "expected a SageMaker instance type"),
        ("quality_gate.auc", 1.5, "quality_gate.auc: 1.5 must be from 0 to 1"),
        (
            "endpoint.data_capture.sampling_percentage",
            101,
            "sampling_percentage: 101 is greater than the maximum of 100",
        ),
        ("drift.schedule", "every day", "expected rate(N unit) or cron("),
        ("approval_mode", KeyError, "'approval_mode' is a required property"),
        ("surprise", 1, "Additional properties are not allowed ('surprise' was unexpected)"),
    ],
)
def test_bad_values_name_the_file_key_and_allowed_values(path, value, expected):
    with pytest.raises(SettingsError) as error:
        parse_settings(with_value(path, value), "envs/dev.yaml")
    message = str(error.value)
    assert message.startswith("envs/dev.yaml: ")
    assert expected in message


def test_every_problem_is_reported_at_once():
    document = with_value("approval_mode", "x")
    document["location"]["region"] = "mars"
    with pytest.raises(SettingsError) as error:
        parse_settings(document, "f.yaml")
    assert len(str(error.value).splitlines()) == 2


def test_autoscaling_min_above_max():
    document = with_value("endpoint.autoscaling.min_capacity", 5)
    with pytest.raises(SettingsError, match="min_capacity: 5 is above max_capacity 2"):
        parse_settings(document, "f.yaml")


def test_spot_wait_shorter_than_runtime():
    document = with_value("training.spot.max_wait_seconds", 60)
    with pytest.raises(SettingsError, match="MaxWaitTimeInSeconds >= MaxRuntimeInSeconds"):
        parse_settings(document, "f.yaml")


def test_spot_disabled_means_no_spot():
    document = with_value("training.spot.enabled", False)
    assert parse_settings(document, "f.yaml").spot is None


def test_unknown_environment_lists_the_known_ones():
    with pytest.raises(SettingsError, match="use one of dev, prod"):
        load_settings("staging")


def test_unreadable_and_invalid_yaml(tmp_path: Path):
    with pytest.raises(SettingsError, match="cannot read settings"):
        load_settings_file(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("project: [unclosed\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings_file(broken)


def test_the_settings_schema_is_a_valid_json_schema() -> None:
    # Checked here, not when settings load: every process that loads them would pay for it.
    import json

    import jsonschema

    from environments.schema_check import SCHEMA_PATH

    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)
    broken = {**schema, "type": "not-a-type"}
    with pytest.raises(jsonschema.SchemaError):
        jsonschema.validators.validator_for(broken).check_schema(broken)
