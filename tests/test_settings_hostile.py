"""Hostile or mistaken settings files get a short refusal naming the file and the fix, quickly and
without a traceback: aliases (billion laughs), duplicate keys, deep nesting, non-UTF-8 bytes,
non-finite numbers, and environment names that are paths."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml

from environments.project import ENVIRONMENT_NAME, Project, current_project
from environments.schema_check import SCHEMA_PATH
from environments.settings import SettingsError, load_settings, load_settings_file

DEV_PATH = current_project().settings_dir / "dev.yaml"
DEV_TEXT = DEV_PATH.read_text()


def _write(tmp_path: Path, text: str | bytes, name: str = "dev.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _billion_laughs(levels: int) -> str:
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        previous = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{previous}]")
    return "tags:\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def test_billion_laughs_is_refused_fast_with_a_short_message(tmp_path: Path) -> None:
    # Guards the alias refusal: checked, 10 levels ran past 5 GB; 6 keep a regression cheap.
    path = _write(tmp_path, DEV_TEXT + _billion_laughs(6))
    started = time.perf_counter()
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    assert time.perf_counter() - started < 2
    message = str(caught.value)
    assert len(message) < 300
    assert message.startswith(f"{path}: line ")
    assert "alias *a0 is not allowed" in message


def test_one_alias_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "project: &p churn\nenvironment: *p\n")
    with pytest.raises(SettingsError, match=r"line 2: YAML alias \*p is not allowed"):
        load_settings_file(path)


def test_duplicate_key_is_refused_naming_key_and_lines(tmp_path: Path) -> None:
    # Guards the duplicate check: YAML keeps the last value of a repeated key silently.
    path = _write(tmp_path, DEV_TEXT + "approval_mode: manual\n")
    first = 1 + DEV_TEXT.splitlines().index(
        next(line for line in DEV_TEXT.splitlines() if line.startswith("approval_mode:"))
    )
    last = len(DEV_TEXT.splitlines()) + 1
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    assert str(caught.value) == (
        f"{path}: line {last}: key 'approval_mode' is given twice (first on line {first}); keep one"
    )


def test_duplicate_nested_key_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "drift:\n  psi_threshold: 0.2\n  psi_threshold: 9\n")
    with pytest.raises(SettingsError, match="line 3: key 'psi_threshold' is given twice"):
        load_settings_file(path)


def test_non_utf8_file_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, b"project: caf\xe9\n")
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    assert str(caught.value) == (
        f"{path}: not UTF-8 text (byte 0xe9 at offset 12); save the file as UTF-8"
    )


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deep_nesting_is_refused_without_a_traceback(tmp_path: Path, depth: int) -> None:
    # 100,000 levels overflowed PyYAML's recursive composer (RecursionError).
    path = _write(tmp_path, "tags: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(SettingsError, match=r": line 1: nested more than 32 levels deep"):
        load_settings_file(path)


def test_shipped_settings_nest_well_within_the_bound() -> None:
    def depth(value: object) -> int:
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        return 0

    assert depth(yaml.safe_load(DEV_TEXT)) <= 8


def test_echoed_values_are_capped(tmp_path: Path) -> None:
    # A 1 MB value in a bad place must not come back as a 1 MB error.
    path = _write(
        tmp_path, DEV_TEXT.replace("approval_mode: auto", "approval_mode: " + "x" * 10**5)
    )
    assert path.read_text() != DEV_TEXT
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    assert "approval_mode" in str(caught.value)
    assert len(str(caught.value)) < 600


def test_yaml_syntax_error_is_one_short_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "project: [unclosed " + "y" * 10**5 + "\n")
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: not valid YAML: line ")
    assert len(message) < 400


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _write(tmp_path, DEV_TEXT + "#" + "x" * (1024 * 1024) + "\n")
    with pytest.raises(SettingsError, match=r"more than the 1048576 a settings file may hold"):
        load_settings_file(path)


@pytest.mark.parametrize(
    ("yaml_value", "shown"),
    [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf"), ("1.0e+999", "inf")],
)
def test_non_finite_threshold_is_refused_naming_the_field(
    tmp_path: Path, yaml_value: str, shown: str
) -> None:
    # NaN passes JSON Schema's minimum/maximum (every comparison with it is false).
    path = _write(tmp_path, re.sub(r"(\n  auc: )\S+", rf"\g<1>{yaml_value}", DEV_TEXT))
    assert path.read_text() != DEV_TEXT
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    assert str(caught.value).startswith(
        f"{path}: quality_gate.auc: {shown} is not a finite number; write a number"
    )


def test_non_finite_drift_threshold_is_refused(tmp_path: Path) -> None:
    text = re.sub(r"(\n  psi_threshold: )\S+", r"\g<1>.inf", DEV_TEXT)
    path = _write(tmp_path, text)
    assert text != DEV_TEXT
    with pytest.raises(SettingsError, match=r"drift\.psi_threshold: inf is not a finite number"):
        load_settings_file(path)


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "dev/../prod", "DEV", "d", "a" * 9])
def test_environment_must_be_a_name(name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(name)
    assert "is not a name: use 2-8 lowercase letters or digits" in str(caught.value)


def test_environment_path_never_reaches_a_file_outside_settings(tmp_path: Path) -> None:
    # Before the rule, `../outside` read <project>/outside.yaml.
    project = tmp_path / "p"
    (project / "settings").mkdir(parents=True)
    (project / "settings" / "dev.yaml").write_text(DEV_TEXT)
    (project / "outside.yaml").write_text(DEV_TEXT)
    with pytest.raises(SettingsError, match="is not a name"):
        load_settings("../outside", Project(project))


def test_environment_rule_is_the_schema_rule() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["properties"]["environment"]["pattern"] == f"^{ENVIRONMENT_NAME.pattern}$"


def test_a_huge_hyperparameter_value_is_echoed_cut(tmp_path: Path) -> None:
    # The hyperparameter check echoed the whole value: a 100 KB line.
    huge = "x" * 100_000
    path = _write(tmp_path, DEV_TEXT.replace("learning_rate: 0.1", f"learning_rate: '{huge}'"))
    assert huge in path.read_text()
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: hyperparameters.learning_rate: 'xxx")
    assert "more characters) is not allowed; use a number" in message
    assert len(message) < 400
