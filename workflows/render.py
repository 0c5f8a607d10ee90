"""`python -m workflows render NAME`: a picture of a state machine's graph.

Always writes Mermaid text (`<out>.mmd`, which GitHub renders in Markdown); writes SVG too when
graphviz's `dot` is installed (`make setup` installs it where it can). The picture comes from the
builders' definition, the same one `to_asl()` emits: each Choice branch carries the label its
builder gave it (`Choice.when(..., label="approve")`), and transitions that lead from one state to
the same state (a Catch and a Next, a Default and a rule) are one arrow with both labels.
`make asl` (`selfheal asl`) writes the pictures of every machine beside its definition.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from environments.project import environment_argument
from environments.settings import SettingsError, load_settings
from workflows.choice import Choice
from workflows.graph_edges import Labels, edges
from workflows.machine import StateMachine
from workflows.machines import BUILDERS
from workflows.scope import all_states

SHAPES = {"Choice": ("{", "}"), "Succeed": ("([", "])"), "Fail": ("([", "])")}


def machine_labels(machine: StateMachine) -> dict[tuple[str, str], str]:
    """(Choice state, `Choices[i]` or `Default`) -> the label its builder gave that branch."""
    labels: dict[tuple[str, str], str] = {}
    for state in all_states(machine.start_state):
        if isinstance(state, Choice):
            for field, label in state.branch_labels().items():
                labels[(state.name, field)] = label
    return labels


def _node_id(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def to_mermaid(definition: Mapping[str, Any], labels: Labels | None = None) -> str:
    states: Mapping[str, Any] = definition["States"]
    lines = ["flowchart TD", f"  start((start)) --> {_node_id(definition['StartAt'])}"]
    for name, state in states.items():
        left, right = SHAPES.get(state["Type"], ("[", "]"))
        lines.append(f'  {_node_id(name)}{left}"{name}"{right}')
    for edge in edges(states, labels):
        arrow = "-.->" if edge.catch_only else "-->"
        text = f'|"{edge.label.replace(chr(34), "#quot;")}"|' if edge.label else ""
        lines.append(f"  {_node_id(edge.source)} {arrow}{text} {_node_id(edge.target)}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(definition: Mapping[str, Any], labels: Labels | None = None) -> str:
    states: Mapping[str, Any] = definition["States"]
    shape = {"Choice": "diamond", "Succeed": "doublecircle", "Fail": "octagon"}
    lines = ["digraph G {", "  rankdir=TB; node [fontname=Helvetica, shape=box, style=rounded];"]
    lines.append("  edge [fontname=Helvetica, fontsize=10];")
    for name, state in states.items():
        lines.append(f"  {_dot_string(name)} [shape={shape.get(state['Type'], 'box')}];")
    for edge in edges(states, labels):
        style = ", style=dashed, color=gray40" if edge.catch_only else ""
        lines.append(
            f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)} "
            f"[label={_dot_string(edge.label)}{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


NO_GRAPHVIZ = (
    "graphviz is missing (its `dot` or the graphviz Python package): skipped SVG "
    "(`make setup` installs both)"
)


def svg_available() -> bool:
    """Whether graphviz can draw SVG here: its `dot` and its Python package."""
    if shutil.which("dot") is None:
        return False
    try:
        import graphviz  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:  # a development tool: installed by the dev extra, not at runtime
        return False
    return True


def to_svg(definition: Mapping[str, Any], labels: Labels | None = None) -> str:
    """The graph as SVG; needs graphviz (`svg_available`)."""
    import graphviz

    svg: bytes = graphviz.Source(to_dot(definition, labels)).pipe(format="svg")
    return svg.decode("utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflows render", description=__doc__)
    parser.add_argument("name", choices=sorted(BUILDERS), help="state machine")
    parser.add_argument("--env", default="dev", type=environment_argument)
    parser.add_argument("--out", type=Path, help="output path without extension")
    args = parser.parse_args(argv)
    try:
        machine = BUILDERS[args.name](load_settings(args.env))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out: Path = args.out or Path("asl") / args.name
    out.parent.mkdir(parents=True, exist_ok=True)
    definition, labels = machine.to_asl(), machine_labels(machine)
    out.with_suffix(".mmd").write_text(to_mermaid(definition, labels))
    print(f"wrote {out.with_suffix('.mmd')}")
    if not svg_available():
        print(NO_GRAPHVIZ, file=sys.stderr)
        return 0
    out.with_suffix(".svg").write_text(to_svg(definition, labels))
    print(f"wrote {out.with_suffix('.svg')}")
    return 0
