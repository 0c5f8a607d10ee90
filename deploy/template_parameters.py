"""What a stack may vary without a new template: the account, region and partition it lands in
(pseudo-parameters) and a few environment values (stack parameters, the settings as defaults).

The template is rendered from settings whose parameterised values are markers (``@@Name@@``),
so every place a value reaches (a definition, a role's policy, a function's environment) is
found by the rendering itself rather than by searching for the value, which other values may
share (the processing and training instance types often do). Marked strings then become
``Fn::Sub`` (or, inside a state machine definition, ``DefinitionSubstitutions`` placeholders,
since CloudFormation does not resolve intrinsic functions inside ``Definition``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deploy.model import Json
from environments.settings import Settings

STATE_MACHINE = "AWS::StepFunctions::StateMachine"


@dataclass(frozen=True)
class StackParameter:
    name: str
    description: str
    value: Callable[[Settings], str]
    with_value: Callable[[Settings, str], Settings]
    allowed: tuple[str, ...] = ()


def _compute(field: str) -> Callable[[Settings, str], Settings]:
    def with_value(settings: Settings, value: str) -> Settings:
        compute = dataclasses.replace(getattr(settings, field), instance_type=value)
        return dataclasses.replace(settings, **{field: compute})

    return with_value


def _endpoint_type(settings: Settings, value: str) -> Settings:
    endpoint = dataclasses.replace(settings.endpoint, instance_type=value)
    return dataclasses.replace(settings, endpoint=endpoint)


PARAMETERS = (
    StackParameter(
        "ProcessingInstanceType",
        "Instance type of the preprocess, evaluate and drift-check processing jobs",
        lambda s: s.processing.instance_type,
        _compute("processing"),
    ),
    StackParameter(
        "TrainingInstanceType",
        "Instance type of the training job",
        lambda s: s.training.instance_type,
        _compute("training"),
    ),
    StackParameter(
        "EndpointInstanceType",
        "Instance type of the serving endpoint (also what the registered model supports)",
        lambda s: s.endpoint.instance_type,
        _endpoint_type,
    ),
    StackParameter(
        "ApprovalMode",
        "auto deploys a model that passes the gate; manual waits for approval in the registry",
        lambda s: s.approval_mode,
        lambda s, v: dataclasses.replace(s, approval_mode=v),  # type: ignore[arg-type]
        ("auto", "manual"),
    ),
)


def marker(name: str) -> str:
    return f"@@{name}@@"


def marked(settings: Settings) -> Settings:
    """The settings with every stack parameter's value replaced by its marker."""
    for parameter in PARAMETERS:
        settings = parameter.with_value(settings, marker(parameter.name))
    return settings


def parameters(settings: Settings) -> dict[str, Json]:
    out: dict[str, Json] = {}
    for p in PARAMETERS:
        declared: dict[str, Json] = {
            "Type": "String",
            "Description": p.description,
            "Default": p.value(settings),
        }
        if p.allowed:
            declared["AllowedValues"] = list(p.allowed)
        out[p.name] = declared
    return out


def _substitutions(settings: Settings, pseudo: Callable[[str], str]) -> list[tuple[str, str]]:
    """(literal, placeholder) pairs in the order they must be applied. The region is replaced
    where it stands with the account (an ARN of the stack's own resources): the SageMaker image
    also names a region, with the registry account AWS hosts it in there, which differs per
    region, so it stays as the settings name it (`images.sklearn`)."""
    location = settings.location
    region, account = pseudo("Region"), pseudo("AccountId")
    return [
        *((marker(p.name), "${" + p.name + "}") for p in PARAMETERS),
        (f":{location.region}:{location.account}:", ":${" + region + "}:${" + account + "}:"),
        # The console links in notifications.
        (f"https://{location.region}.console.", "https://${" + region + "}.console."),
        (f"?region={location.region}#", "?region=${" + region + "}#"),
        # A dashboard's metric widgets name their region (dashboard_body.body_text's spelling).
        (f'"region":"{location.region}"', '"region":"${' + region + '}"'),
        (f"arn:{location.partition}:", "arn:${" + pseudo("Partition") + "}:"),
        (location.account, "${" + account + "}"),
    ]


def _walk(node: Json, on_string: Callable[[str], Json]) -> Json:
    if isinstance(node, str):
        return on_string(node)
    if isinstance(node, dict):
        return {k: _walk(v, on_string) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, on_string) for v in node]
    return node


def _substitute(text: str, pairs: list[tuple[str, str]]) -> str:
    for literal, placeholder in pairs:
        text = text.replace(literal, placeholder)
    return text


def _sub(settings: Settings) -> Callable[[str], Json]:
    pairs = _substitutions(settings, lambda name: f"AWS::{name}")

    def on_string(text: str) -> Json:
        # Fn::Sub reads "${" as a variable: a literal one (an IAM policy variable) is "${!".
        replaced = _substitute(text.replace("${", "${!"), pairs)
        return {"Fn::Sub": replaced} if replaced != text.replace("${", "${!") else text

    return on_string


def _definition_string(settings: Settings, definition: Json, where: str) -> Json:
    """The definition as ``DefinitionString``, through ``Fn::Sub`` when it names the account,
    region, partition or a parameter. (CloudFormation resolves no intrinsic function inside
    ``Definition``, and cfn-lint checks a Task's ``Resource`` against ``arn:aws:`` there, so a
    ``DefinitionSubstitutions`` placeholder in it would not pass.)"""
    text = json.dumps(definition)
    if "${" in text:
        at = text.index("${")
        raise ValueError(
            f"{where}: the definition holds '${{' ({text[at : at + 40]!r}), which Fn::Sub "
            "would read as a variable; rephrase that state"
        )
    replaced = _substitute(text, _substitutions(settings, lambda name: f"AWS::{name}"))
    return {"Fn::Sub": replaced} if replaced != text else text


def parameterise(resources: dict[str, Any], outputs: dict[str, Any], settings: Settings) -> None:
    """Replace, in place, the literal account, region and partition and the parameter markers
    by pseudo-parameters and parameters."""
    on_string = _sub(settings)
    for logical, resource in resources.items():
        properties = resource["Properties"]
        definition = properties.pop("Definition", None)
        resource["Properties"] = _walk(properties, on_string)
        if resource["Type"] == STATE_MACHINE:
            resource["Properties"]["DefinitionString"] = _definition_string(
                settings, definition, logical
            )
            if "arn:<partition>:" in json.dumps(definition):
                # An error message spelling out an ARN's shape, which cfn-lint's I3042 reads as
                # an ARN with a literal partition (the README's Deploying section).
                resource["Metadata"] = {"cfn-lint": {"config": {"ignore_checks": ["I3042"]}}}
    for output in outputs.values():
        output["Value"] = _walk(output["Value"], on_string)
