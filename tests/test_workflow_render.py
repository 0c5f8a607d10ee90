"""Rendering: Mermaid from the builders' definition, and SVG through graphviz."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from environments.settings import load_settings
from workflows.generate import ASL_DIR
from workflows.machines import build_all
from workflows.render import edges, to_mermaid

ROOT = Path(__file__).resolve().parent.parent


def test_committed_mermaid_matches_the_builders():
    definition = build_all(load_settings("dev"))["retrain"].to_asl()
    assert (ASL_DIR / "retrain.mmd").read_text() == to_mermaid(definition), "run `make render`"


def test_every_transition_is_drawn():
    definition = json.loads((ASL_DIR / "deploy-model.asl.json").read_text())
    mermaid = to_mermaid(definition)
    transitions = list(edges(definition["States"]))
    assert ("EndpointStatus", "WaitForEndpoint", "otherwise") in transitions
    assert ("CreateModel", "NotifyFailure", "catch") in transitions
    for name in definition["States"]:
        assert f'"{name}"' in mermaid


@pytest.mark.skipif(
    shutil.which("dot") is None and os.geteuid() != 0,
    reason="graphviz 'dot' is not installed and cannot be installed without root: "
    "install graphviz to render SVG",
)
def test_render_command_writes_mermaid_and_svg(tmp_path: Path):
    assert shutil.which("dot"), "graphviz 'dot' is missing: `make setup` installs it"
    out = tmp_path / "drift"
    result = subprocess.run(
        [sys.executable, "-m", "workflows", "render", "drift-check", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    svg = (tmp_path / "drift.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for name in ("CheckDrift", "PutDriftEvent", "NotifyFailure"):
        assert name in svg
    assert (tmp_path / "drift.mmd").read_text().startswith("flowchart TD")


def test_render_rejects_unknown_machine():
    result = subprocess.run(
        [sys.executable, "-m", "workflows", "render", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
