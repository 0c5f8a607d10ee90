"""Rendering: Mermaid from the builders' definition, and SVG through graphviz; each Choice branch
labelled with what taking it means, each arrow drawn once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from environments.settings import load_settings
from workflows.choice import Choice, Condition
from workflows.generate import ASL_DIR, DEFAULT_ENVIRONMENT, render, stale_files
from workflows.graph_edges import Edge, edges
from workflows.machine import StateMachine
from workflows.machines import build_all
from workflows.render import machine_labels, svg_available, to_dot, to_mermaid
from workflows.scope import all_states
from workflows.states import Pass, Succeed

ROOT = Path(__file__).resolve().parent.parent
NO_DOT = pytest.mark.skipif(
    shutil.which("dot") is None and os.geteuid() != 0,
    reason="graphviz 'dot' is not installed and cannot be installed without root: "
    "install graphviz to render SVG",
)


def test_every_choice_branch_of_every_machine_is_labelled():
    for name, machine in build_all(load_settings("dev")).items():
        for state in all_states(machine.start_state):
            if isinstance(state, Choice):
                expected = {f"Choices[{i}]" for i in range(len(state.branches))} | {"Default"}
                assert set(state.branch_labels()) == expected, (name, state.name)


def test_branches_carry_their_meaning_and_each_arrow_is_drawn_once():
    machines = build_all(load_settings("dev"))
    retrain = machines["retrain"]
    drawn = edges(retrain.to_asl()["States"], machine_labels(retrain))
    assert Edge("GateDecision", "RegisterModel", "approve", False) in drawn
    assert Edge("GateDecision", "NotifyRejected", "reject", False) in drawn
    assert Edge("ApprovalMode", "DeployModel", "auto", False) in drawn
    assert Edge("ApprovalMode", "RequestApproval", "manual", False) in drawn
    # NotifyFailure's Next and its Catch both lead to Failed: one arrow, solid, both named.
    assert Edge("NotifyFailure", "Failed", "next / catch", False) in drawn
    assert Edge("Train", "NotifyFailure", "catch", True) in drawn
    deploy = machines["deploy-model"]
    drawn = edges(deploy.to_asl()["States"], machine_labels(deploy))
    # Three rules of EndpointStatus lead to the failure path: one arrow with their three labels.
    failing = Edge("EndpointStatus", "NotifyFailure", "rolled back / failed / timed out", False)
    assert failing in drawn
    for machine in machines.values():
        pairs = Counter((e.source, e.target) for e in edges(machine.to_asl()["States"]))
        assert max(pairs.values()) == 1, machine.name
        text = to_mermaid(machine.to_asl(), machine_labels(machine))
        assert len(text.splitlines()) == len(set(text.splitlines()))


def test_a_default_that_equals_a_rule_is_one_arrow_and_unlabelled_branches_say_when():
    done = Succeed("Done")
    choice = Choice("Pick").when(Condition.jsonata("$a"), done, label="a").otherwise(done)
    machine = StateMachine("m", Pass("Start").next(choice))
    definition = machine.to_asl()
    assert edges(definition["States"], machine_labels(machine)) == [
        Edge("Start", "Pick", "", False),
        Edge("Pick", "Done", "a / otherwise", False),
    ]
    assert edges(definition["States"]) == [
        Edge("Start", "Pick", "", False),
        Edge("Pick", "Done", "when / otherwise", False),
    ]
    assert '  Pick -->|"when / otherwise"| Done' in to_mermaid(definition).splitlines()


def test_labels_are_quoted_in_dot_and_mermaid():
    done = Succeed("Done")
    choice = Choice("Pick").when(Condition.jsonata("$a"), done, label='say "yes"')
    machine = StateMachine("m", choice.otherwise(Succeed("Other")))
    definition = machine.to_asl()
    assert '"Pick" -> "Done" [label="say \\"yes\\""];' in to_dot(
        definition, machine_labels(machine)
    )
    assert '|"say #quot;yes#quot;"|' in to_mermaid(definition, machine_labels(machine))


def test_every_transition_is_drawn():
    definition = json.loads((ASL_DIR / "deploy-model.asl.json").read_text())
    mermaid = to_mermaid(definition)
    pairs = {(e.source, e.target) for e in edges(definition["States"])}
    assert ("EndpointStatus", "WaitForEndpoint") in pairs
    assert ("CreateModel", "NotifyFailure") in pairs
    for name in definition["States"]:
        assert f'"{name}"' in mermaid


@NO_DOT
def test_committed_svg_pictures_are_what_graphviz_draws_now():
    assert svg_available(), "graphviz is missing: `make setup` installs it"
    files = render(load_settings(DEFAULT_ENVIRONMENT), svg=True)
    svgs = {name: text for name, text in files.items() if name.endswith(".svg")}
    assert sorted(svgs) == ["deploy-model.svg", "drift-check.svg", "retrain.svg"]
    assert stale_files(ASL_DIR, svgs) == [], "asl/ pictures are stale: run `make asl` and commit"


@NO_DOT
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
    for name in ("CheckDrift", "PutDriftEvent", "NotifyFailure", "no drift"):
        assert name in svg
    assert (tmp_path / "drift.mmd").read_text() == (ASL_DIR / "drift-check.mmd").read_text()


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
