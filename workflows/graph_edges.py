"""The arrows of a state machine's picture, from its definition: every transition from one state
to another drawn once, labelled with what it is (a Choice rule, the Default, a Catch) or with the
label the branch's builder gave it. The workflow pictures (`render.py`) and the console's graph
draw the same arrows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asl_validation.graph import transitions

# What a transition is called when its builder gave it no label.
FALLBACK_LABELS = {"Next": "", "Choices": "when", "Default": "otherwise", "Catch": "catch"}
# (Choice state, `Choices[i]` or `Default`) -> the label its builder gave that branch.
Labels = Mapping[tuple[str, str], str]


@dataclass(frozen=True)
class Edge:
    """One arrow: every transition from `source` to `target`, drawn once."""

    source: str
    target: str
    label: str
    catch_only: bool  # every transition it stands for is a Catch: drawn dashed


def edges(states: Mapping[str, Any], labels: Labels | None = None) -> list[Edge]:
    """The arrows of one scope: a Catch and a Next, or a Default and a rule, that lead to the
    same state are one arrow, with the labels of both. A state that is not an object (a
    definition read from elsewhere may hold anything) has none."""
    grouped: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        for _, field, target in transitions(state, ""):
            if not isinstance(target, str):
                continue
            key = field.split(".")[0]  # Next, Default, Choices[i], Catch[i]
            kind = key.split("[")[0]
            label = (labels or {}).get((name, key)) or FALLBACK_LABELS.get(kind, "")
            grouped.setdefault((name, target), []).append((kind, label))
    found = []
    for (source, target), kinds in grouped.items():
        names = [label or ("next" if len(kinds) > 1 else "") for _, label in kinds]
        label = " / ".join(dict.fromkeys(n for n in names if n))
        catch_only = all(kind == "Catch" for kind, _ in kinds)
        found.append(Edge(source, target, label, catch_only))
    return found
