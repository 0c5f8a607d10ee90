"""`python -m workflows asl`: write asl/<name>.asl.json for every state machine, and its pictures
(<name>.mmd, and <name>.svg when graphviz is installed: see `workflows.render`).

The files go to ``asl/`` under the current directory (or ``--out``), never into the installed
package; `make asl` runs from the clone's root, so it rewrites the committed ``asl/``.

The committed files are rendered from the default environment's settings (dev); a deploy to
another environment builds its definitions from the builders directly, never from these files.
Output is deterministic: fixed key order from the builders, two-space indent, a final newline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from environments.project import environment_argument
from environments.settings import Settings, SettingsError, load_settings
from workflows.machines import build_all
from workflows.render import NO_GRAPHVIZ, machine_labels, svg_available, to_mermaid, to_svg

ROOT = Path(__file__).resolve().parent.parent
ASL_DIR = ROOT / "asl"  # the clone's committed definitions (its tests compare against them)
OUT_DIR = Path("asl")  # relative: the user's current directory
DEFAULT_ENVIRONMENT = "dev"


def dump(definition: dict[str, Any]) -> str:
    # allow_nan=False: strict JSON, never the bare NaN or Infinity Python would otherwise write.
    return json.dumps(definition, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render(settings: Settings, svg: bool = False) -> dict[str, str]:
    """File name → content for every state machine (its definition, its Mermaid picture, and
    with `svg` its SVG one), after the full validation."""
    from asl_validation import validate_definition

    files: dict[str, str] = {}
    failures: list[str] = []
    for name, machine in build_all(settings).items():
        definition = machine.to_asl()  # raises DefinitionError on a graph problem
        found = validate_definition(definition, requests=True, graph_checked=True)
        failures += [f"{name}: {p}" for p in found]
        files[f"{name}.asl.json"] = dump(definition)
        labels = machine_labels(machine)
        files[f"{name}.mmd"] = to_mermaid(definition, labels)
        if svg:
            files[f"{name}.svg"] = to_svg(definition, labels)
    if failures:
        raise ValueError("generated definitions are not valid:\n" + "\n".join(failures))
    return files


def stale_files(directory: Path, files: dict[str, str]) -> list[str]:
    return [
        name
        for name, text in files.items()
        if not (directory / name).exists() or (directory / name).read_text() != text
    ]


def main(argv: list[str], prog: str = "python -m workflows asl") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument(
        "--env",
        default=DEFAULT_ENVIRONMENT,
        type=environment_argument,
        help="settings to render with",
    )
    parser.add_argument(
        "--out", type=Path, default=OUT_DIR, help="output directory (default: ./asl)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the files differ, writing nothing"
    )
    args = parser.parse_args(argv)
    svg = svg_available()
    if not svg:
        print(NO_GRAPHVIZ, file=sys.stderr)
    try:
        files = render(load_settings(args.env), svg=svg)
    except (SettingsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stale = stale_files(args.out, files)
    if args.check:
        for name in stale:
            print(f"{args.out / name} is stale: run `make asl`", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (args.out / name).write_text(files[name])
        print(f"wrote {args.out / name}")
    if not stale:
        print(f"{args.out}: {len(files)} definitions and pictures up to date")
    return 0
