"""A state machine's graph as SVG, from its definition: one box per top-level state, layered
by distance from StartAt, an arrow per transition (labelled when it is a Choice branch or a
Catch). An execution's states are coloured by how they ended and the path it took drawn bold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.page import esc
from workflows.graph_edges import edges

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 190, 30, 24, 54, 20
FILL = {"succeeded": "#d7f2d3", "failed": "#fbd5d0", "running": "#fff1c2"}


def graph_edges(states: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(from, to, label) for every transition, each (from, to) once with the labels of all the
    transitions it stands for, as the workflow pictures draw them."""
    return [(edge.source, edge.target, edge.label) for edge in edges(states)]


def layers(definition: Mapping[str, Any]) -> list[list[str]]:
    """States by their longest distance from StartAt once the transitions that loop back are
    set aside, so a state every other one catches into (a failure notice) sits below them all;
    unreachable states in a last layer."""
    states = definition.get("States") or {}
    following: dict[str, list[str]] = {name: [] for name in states}
    for a, b, _ in graph_edges(states):
        if b in states:
            following[a].append(b)
    start = str(definition.get("StartAt", ""))
    forward: dict[str, list[str]] = {name: [] for name in states}
    order: list[str] = []  # reverse post-order: a topological order of the forward edges
    if start in states:
        on_path, done = {start}, set()
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:  # iterative depth-first search: definitions may be long chains
            name, index = stack.pop()
            if index < len(following[name]):
                stack.append((name, index + 1))
                nxt = following[name][index]
                if nxt in on_path:
                    continue  # a loop back
                forward[name].append(nxt)
                if nxt not in done:
                    on_path.add(nxt)
                    stack.append((nxt, 0))
            else:
                on_path.discard(name)
                if name not in done:
                    done.add(name)
                    order.append(name)
    depth: dict[str, int] = dict.fromkeys(order, 0)
    for name in reversed(order):
        for nxt in forward[name]:
            depth[nxt] = max(depth[nxt], depth[name] + 1)
    rows: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name in states:  # the definition's order within a layer
        if name in depth:
            rows[depth[name]].append(name)
    unreached = [name for name in states if name not in depth]
    return rows + ([unreached] if unreached else [])


def render(
    definition: Mapping[str, Any],
    state_status: Mapping[str, str] | None = None,
    path: list[str] | None = None,
) -> str:
    """The SVG element. `state_status` maps a state to succeeded/failed/running; `path` is the
    states entered, in order."""
    states = definition.get("States") or {}
    state_status = state_status or {}
    taken = set(zip(path or [], (path or [])[1:], strict=False))
    rows = layers(definition)
    width = max((len(r) for r in rows), default=1) * (BOX_W + GAP_X) + 2 * MARGIN
    height = len(rows) * (BOX_H + GAP_Y) + 2 * MARGIN
    where: dict[str, tuple[float, float]] = {}
    for y, row in enumerate(rows):
        offset = (width - len(row) * (BOX_W + GAP_X) + GAP_X) / 2
        for x, name in enumerate(row):
            where[name] = (offset + x * (BOX_W + GAP_X), float(MARGIN + y * (BOX_H + GAP_Y)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0,0L10,5L0,10z" fill="#545b64"/></marker></defs>',
    ]
    for a, b, label in graph_edges(states):
        if a not in where or b not in where:
            continue
        parts.append(_edge(where[a], where[b], label, (a, b) in taken))
    for name, (left, top) in where.items():
        state = states.get(name) or {}
        kind = state.get("Type", "?") if isinstance(state, Mapping) else "?"
        fill = FILL.get(state_status.get(name, ""), "#ffffff")
        radius = 14 if kind in ("Succeed", "Fail") else 3
        parts.append(
            f'<g class="state" data-state="{esc(name)}" data-status="'
            f'{esc(state_status.get(name, "not-entered"))}"><title>{esc(name)} ({esc(kind)})'
            f'</title><rect x="{left:.0f}" y="{top:.0f}" width="{BOX_W}" height="{BOX_H}" '
            f'rx="{radius}" '
            f'fill="{fill}" stroke="#545b64"/><text x="{left + BOX_W / 2:.0f}" '
            f'y="{top + BOX_H / 2 + 4:.0f}" text-anchor="middle">{esc(_short(name))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def _edge(a: tuple[float, float], b: tuple[float, float], label: str, bold: bool) -> str:
    x1, y1 = a[0] + BOX_W / 2, a[1] + BOX_H
    x2, y2 = b[0] + BOX_W / 2, b[1]
    style = 'stroke="#0073bb" stroke-width="3"' if bold else 'stroke="#879596" stroke-width="1"'
    if y2 <= y1:  # a loop back up: bend around the boxes' right side
        x1, y1, x2, y2 = a[0] + BOX_W, a[1] + BOX_H / 2, b[0] + BOX_W, b[1] + BOX_H / 2
        bend = max(x1, x2) + 40
        d = f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    elif y2 - y1 > GAP_Y + 1:  # skips layers: bend out to the right instead of crossing boxes
        x1, y1 = a[0] + BOX_W, a[1] + BOX_H / 2
        x2 = b[0] + BOX_W * 0.8
        bend = max(a[0], b[0]) + BOX_W + 30
        d = f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2 - 20:.0f} {x2:.0f},{y2:.0f}"
    else:
        d = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
    text = ""
    if label:
        # A curve's label goes by its start, where it still says which state it leaves.
        mx, my = (x1 + 2, y1 - 4) if " C" in d else ((x1 + x2) / 2, (y1 + y2) / 2)
        text = (
            f'<text x="{mx + 4:.0f}" y="{my:.0f}" fill="#545b64" font-size="10">{esc(label)}</text>'
        )
    return f'<path d="{d}" fill="none" {style} marker-end="url(#arrow)"/>{text}'
