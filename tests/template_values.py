"""Resolve a template's Fn::Sub strings as CloudFormation would for one stack: the tests'
stand-in for a stack's pseudo-parameters and parameter values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from deploy.template_parameters import PARAMETERS
from environments.settings import Settings

_VARIABLE = re.compile(r"\$\{(!?)([A-Za-z0-9:]+)\}")


def stack_values(settings: Settings, **overrides: str) -> dict[str, str]:
    """The values a stack in the settings' account and region, with the default parameters
    (but ``overrides``), substitutes."""
    location = settings.location
    values = {
        "AWS::AccountId": location.account,
        "AWS::Region": location.region,
        "AWS::Partition": location.partition,
        "AWS::URLSuffix": "amazonaws.com",
    }
    values.update({p.name: p.value(settings) for p in PARAMETERS})
    values.update(overrides)
    return values


def resolve(value: Any, values: Mapping[str, str]) -> Any:
    """A string, or the string an ``Fn::Sub`` makes; an unknown variable is a KeyError."""
    if isinstance(value, str):
        return value
    [(function, text)] = value.items()
    assert function == "Fn::Sub" and isinstance(text, str), value

    def variable(match: re.Match[str]) -> str:
        if match.group(1):  # "${!x}" is the literal "${x}"
            return "${" + match.group(2) + "}"
        return values[match.group(2)]

    return _VARIABLE.sub(variable, text)
