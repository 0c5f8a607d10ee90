"""`selfheal`, the installed command line: every user verb, usage errors exit 2, and generated
files land in the user's directory (the current one, or --out), never in the package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from selfheal.cli import EXIT_USAGE, main, run
from workflows.generate import ASL_DIR

ROOT = Path(__file__).resolve().parent.parent

USER_VERBS = [
    "asl",
    "validate",
    "iam",
    "plan",
    "deploy",
    "rollback",
    "destroy",
    "unlock",
    "template",
    "permissions",
    "demo",
    "local",
]


def test_help_lists_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.split("verbs:\n")[1].splitlines()]
    assert set(USER_VERBS) <= set(listed)


def test_an_unknown_verb_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["deploi"]) == EXIT_USAGE
    assert "selfheal: unknown verb 'deploi'" in capsys.readouterr().err
    assert main([]) == EXIT_USAGE


def test_a_verbs_own_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["local", "sideways"]) == EXIT_USAGE
    assert main(["plan", "--env", "nowhere"]) == EXIT_USAGE


def test_asl_writes_under_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["asl"]) == 0
    written = sorted(p.name for p in (tmp_path / "asl").iterdir())
    # Definitions and Mermaid pictures always; SVG pictures where graphviz is installed.
    assert {p.name for p in ASL_DIR.iterdir() if p.suffix != ".svg"} <= set(written)
    assert set(written) <= {p.name for p in ASL_DIR.iterdir()}
    # Byte for byte what the clone commits, so `make asl` keeps reproducing asl/.
    for name in written:
        assert (tmp_path / "asl" / name).read_bytes() == (ASL_DIR / name).read_bytes()
    assert main(["validate", str(tmp_path / "asl" / "retrain.asl.json")]) == 0


def test_template_defaults_to_build_under_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["template", "--env", "dev"]) == 0
    template = json.loads((tmp_path / "build" / "dev.template.json").read_text())
    assert template["Resources"]


def test_scripts_deploy_is_the_deploy_verbs_from_a_clone(tmp_path):
    # Run as a file, scripts/ comes first on the path, where a `deploy` module would shadow the
    # deploy package; the entry point must still reach the engine.
    out = tmp_path / "dev.template.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "deploy.py"), "template", "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["Resources"]
