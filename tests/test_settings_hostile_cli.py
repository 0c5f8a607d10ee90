"""Every command that loads settings turns a hostile settings file or an --env that is a path
into one line on stderr and an exit status, never a traceback: the environment name is a usage
error (2) caught before any file is looked for; a refused file is the command's bad-settings
status."""

from __future__ import annotations

from pathlib import Path

import pytest

from environments.project import PROJECT_VARIABLE, current_project
from selfheal.cli import EXIT_USAGE, main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "event_rules" / "samples" / "s3-object-created.json")
VERBS = [
    ["plan"],
    ["template"],
    ["iam"],
    ["package", "--out", "{tmp}/package"],
    ["demo"],
    ["audit"],
    ["asl", "--out", "{tmp}/asl"],
    ["render", "retrain", "--out", "{tmp}/render/retrain"],
    ["rules", "generate", "--out", "{tmp}/rules"],
    ["rules", "explain", SAMPLE],
]
IDS = [" ".join(v[:2]) if v[0] in ("rules", "render") else v[0] for v in VERBS]


@pytest.fixture
def hostile_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose dev settings end in an alias bomb; prod is the churn example's."""
    # main() sets the variable for the verbs it runs: restored after the test.
    monkeypatch.setenv(PROJECT_VARIABLE, str(tmp_path))
    settings = current_project(ROOT / "examples" / "churn").settings_dir
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "prod.yaml").write_text((settings / "prod.yaml").read_text())
    bomb = ['  a0: &a0 "lol"'] + [
        f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)
    ]
    (tmp_path / "settings" / "dev.yaml").write_text(
        (settings / "dev.yaml").read_text() + "extra:\n" + "\n".join(bomb) + "\n"
    )
    return tmp_path


def _argv(verb: list[str], tmp: Path) -> list[str]:
    return [part.replace("{tmp}", str(tmp)) for part in verb]


@pytest.mark.parametrize("verb", VERBS, ids=IDS)
def test_an_environment_that_is_a_path_is_a_usage_error(
    verb: list[str], hostile_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--project", str(hostile_project), *_argv(verb, tmp_path), "--env", "../../x"]
    assert main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        err.strip()
        .splitlines()[-1]
        .endswith(
            "argument --env: environment '../../x' is not a name: use 2-8 lowercase letters or "
            "digits, starting with a letter (e.g. dev, prod)"
        )
    )


@pytest.mark.parametrize("verb", VERBS, ids=IDS)
def test_a_refused_settings_file_is_one_line(
    verb: list[str], hostile_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `audit` let the SettingsError escape as a traceback.
    argv = ["--project", str(hostile_project), *_argv(verb, tmp_path), "--env", "dev"]
    assert main(argv) in (1, 2)
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    first_alias = len((hostile_project / "settings" / "dev.yaml").read_text().splitlines()) - 5
    assert line.endswith(
        f"{hostile_project}/settings/dev.yaml: line {first_alias}: YAML alias *a0 is not "
        "allowed in settings; write the value out where it is used"
    )
    assert not (tmp_path / "package").exists() and not (tmp_path / "asl").exists()
