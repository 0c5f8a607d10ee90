"""`python -m workflows render NAME`: a picture of a state machine's graph.

Always writes Mermaid text (`<out>.mmd`, which GitHub renders in Markdown); writes SVG too when
graphviz's `dot` is installed (`make setup` installs it where it can). The picture comes from the
builders' definition, the same one `to_asl()` emits.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from asl_validation.graph import transitions
from environments.project import environment_argument
from environments.settings import SettingsError, load_settings
from workflows.machines import BUILDERS

_LABELS = {"Next": "", "Choices": "when", "Default": "otherwise", "Catch": "catch"}
SHAPES = {"Choice": ("{", "}"), "Succeed": ("([", "])"), "Fail": ("([", "])")}


def edges(states: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(from, to, label) for every transition of one scope, as the graph check sees them."""
    for name, state in states.items():
        for _, field, target in transitions(state, ""):
            yield name, target, _LABELS[field.split("[")[0].split(".")[0]]


def _node_id(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def to_mermaid(definition: Mapping[str, Any]) -> str:
    states: Mapping[str, Any] = definition["States"]
    lines = ["flowchart TD", f"  start((start)) --> {_node_id(definition['StartAt'])}"]
    for name, state in states.items():
        left, right = SHAPES.get(state["Type"], ("[", "]"))
        lines.append(f'  {_node_id(name)}{left}"{name}"{right}')
    for source, target, label in edges(states):
        arrow = f"-. {label} .->" if label == "catch" else (f"-- {label} -->" if label else "-->")
        lines.append(f"  {_node_id(source)} {arrow} {_node_id(target)}")
    return "\n".join(lines) + "\n"


def to_dot(definition: Mapping[str, Any]) -> str:
    states: Mapping[str, Any] = definition["States"]
    shape = {"Choice": "diamond", "Succeed": "doublecircle", "Fail": "octagon"}
    lines = ["digraph G {", "  rankdir=TB; node [fontname=Helvetica, shape=box, style=rounded];"]
    for name, state in states.items():
        lines.append(f'  "{name}" [shape={shape.get(state["Type"], "box")}];')
    for source, target, label in edges(states):
        style = ", style=dashed, color=gray40" if label == "catch" else ""
        lines.append(f'  "{source}" -> "{target}" [label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflows render", description=__doc__)
    parser.add_argument("name", choices=sorted(BUILDERS), help="state machine")
    parser.add_argument("--env", default="dev", type=environment_argument)
    parser.add_argument("--out", type=Path, help="output path without extension")
    args = parser.parse_args(argv)
    try:
        definition = BUILDERS[args.name](load_settings(args.env)).to_asl()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out: Path = args.out or Path("asl") / args.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".mmd").write_text(to_mermaid(definition))
    print(f"wrote {out.with_suffix('.mmd')}")
    if shutil.which("dot") is None:
        print("graphviz 'dot' not found: skipped SVG (run `make setup`)", file=sys.stderr)
        return 0
    try:
        import graphviz  # type: ignore[import-untyped]
    except ImportError:  # a development tool: installed by the dev extra, not at runtime
        print(
            "the graphviz Python package is not installed: skipped SVG "
            "(pip install 'selfheal-mlops[dev]')",
            file=sys.stderr,
        )
        return 0

    svg = graphviz.Source(to_dot(definition)).pipe(format="svg")
    out.with_suffix(".svg").write_bytes(svg)
    print(f"wrote {out.with_suffix('.svg')}")
    return 0
