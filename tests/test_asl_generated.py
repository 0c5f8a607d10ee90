"""The committed definitions in asl/ are what the builders produce, and every one is valid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from asl_validation import validate_definition
from environments.settings import environments, load_settings
from tests.scenarios.cases import DEPLOYED
from workflows.generate import ASL_DIR, DEFAULT_ENVIRONMENT, render, stale_files
from workflows.machines import build_all

ROOT = Path(__file__).resolve().parent.parent


def test_asl_dir_is_not_stale():
    files = render(load_settings(DEFAULT_ENVIRONMENT))
    assert sorted(files) == [
        "deploy-model.asl.json",
        "deploy-model.mmd",
        "drift-check.asl.json",
        "drift-check.mmd",
        "retrain.asl.json",
        "retrain.mmd",
    ]
    assert stale_files(ASL_DIR, files) == [], "asl/ is stale: run `make asl` and commit"


@pytest.mark.parametrize("env", environments())
def test_every_environment_builds_valid_definitions(env):
    for name, machine in build_all(load_settings(env)).items():
        assert validate_definition(machine.to_asl()) == [], (env, name)


def test_generation_is_deterministic():
    settings = load_settings("dev")
    assert render(settings) == render(settings)


def test_asl_command_writes_and_check_detects_drift(tmp_path: Path):
    run = [sys.executable, "-m", "workflows", "asl", "--out", str(tmp_path)]
    assert subprocess.run(run, cwd=ROOT, capture_output=True, check=False).returncode == 0
    # The definitions and their Mermaid pictures, and SVG ones where graphviz is installed.
    written = {p.name for p in tmp_path.iterdir()}
    assert {p.name for p in ASL_DIR.iterdir() if p.suffix != ".svg"} <= written
    assert {p.name for p in ASL_DIR.iterdir()} >= written
    check = subprocess.run([*run, "--check"], cwd=ROOT, capture_output=True, check=False)
    assert check.returncode == 0
    retrain = tmp_path / "retrain.asl.json"
    retrain.write_text(retrain.read_text().replace('"Preprocess"', '"PreProcess"', 1))
    check = subprocess.run([*run, "--check"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert check.returncode == 1
    assert "retrain.asl.json is stale" in check.stderr


def test_retrain_reads_like_the_workflow():
    definition = json.loads((ASL_DIR / "retrain.asl.json").read_text())
    states = definition["States"]
    path, name = [], definition["StartAt"]
    seen = set()
    while name and name not in seen:
        seen.add(name)
        path.append(name)
        state = states[name]
        name = state["Choices"][0]["Next"] if state["Type"] == "Choice" else state.get("Next")
    # Each Choice's first rule is the way forward: the path the happy-path scenario enters.
    assert path == list(DEPLOYED)
    assert states["GateDecision"]["Default"] == "NotifyRejected"
    assert states["NotifyRejected"]["Next"] == "Rejected"
    assert states["Rejected"]["Type"] == "Succeed"
    assert states["ApprovalMode"]["Default"] == "RequestApproval"
