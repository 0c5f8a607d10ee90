"""The desired state as a CloudFormation template (JSON): the same model, one more rendering.

CloudFormation cannot upload files, so code travels beside the stack (`deploy.publish`): the
Lambda zips to an existing bucket named by the ``CodeBucket`` parameter, the job code to the
artifacts bucket at the keys the definitions name. ``Metadata.Assets`` lists both, with their
SHA-256. The template names no account, region or partition (pseudo-parameters), and the
values of `deploy.template_parameters.PARAMETERS` are stack parameters whose defaults are the
settings'. The Powertools layer is resolved from AWS's public SSM parameter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deploy.artifacts import build_artifacts
from deploy.desired import Blueprint, blueprint
from deploy.layers import powertools_parameter
from deploy.model import Kind
from deploy.preflight import build_definitions
from deploy.publish import assets
from deploy.target import AWS, DeployTarget
from deploy.template_parameters import marked, parameterise, parameters
from deploy.template_resources import (
    CODE_BUCKET_PARAMETER,
    RENDERERS,
    function_alias_id,
    logical_id,
)
from environments.settings import LIVE_ALIAS, Settings
from workflows import machines


def template_blueprint(settings: Settings, target: DeployTarget = AWS) -> Blueprint:
    """The desired state the template renders (for AWS, or for the embedded cloud, whose
    functions need no Powertools layer): built from the settings with the stack parameters'
    markers, so the rendering finds every place each value reaches. The requests are checked
    with the settings' values (the defaults), which the markers stand for."""
    build_definitions(machines.build_all(settings))
    layer = "{{resolve:ssm:" + powertools_parameter() + "}}"
    return blueprint(
        marked(settings),
        target=target,
        powertools_layer=lambda: layer,
        artifacts=build_artifacts(settings),
        check_requests=False,
    )


def _asset_metadata(design: Blueprint) -> list[dict[str, str]]:
    artifacts = {r.name: logical_id(r) for r in design.state.of_kind(Kind.BUCKET)}
    listed = []
    for asset in assets(design, CODE_BUCKET_PARAMETER):
        where = (
            f"bucket resource {artifacts[asset.bucket]}"
            if asset.in_stack_bucket
            else f"bucket parameter {CODE_BUCKET_PARAMETER}"
        )
        listed.append({"Bucket": where, "Key": asset.key, "Sha256": asset.sha256})
    return listed


def render_template(design: Blueprint, settings: Settings) -> dict[str, Any]:
    """``design`` is `template_blueprint`'s; ``settings`` the unmarked ones (the defaults)."""
    state = design.state
    by_key = {r.key: r for r in state}
    resources: dict[str, Any] = {}
    for resource in state:
        if resource.kind is Kind.CODE_OBJECT:
            continue  # published beside the stack (Metadata.Assets)
        rendered = RENDERERS[resource.kind](resource)
        # What refers to a function invokes its live alias, so it waits for the alias (a
        # permission names the alias by Ref, which already orders it).
        depends = sorted(
            function_alias_id(by_key[dep].name)
            if by_key[dep].kind is Kind.FUNCTION
            else logical_id(by_key[dep])
            for dep in state.dependencies[resource.key]
            if by_key[dep].kind is not Kind.CODE_OBJECT
            and not (resource.kind is Kind.PERMISSION and by_key[dep].kind is Kind.FUNCTION)
        )
        main = logical_id(resource)
        depends = sorted({*rendered[main].get("DependsOn", []), *depends})
        if depends:
            rendered[main]["DependsOn"] = depends
        clash = sorted(set(rendered) & set(resources))
        if clash:
            raise ValueError(f"{resource.describe()}: logical id {clash[0]} is taken already")
        resources.update(rendered)
    outputs = {
        logical_id(r, "live arn"): {
            "Description": f"The {LIVE_ALIAS} alias of {r.name}",
            "Value": {"Ref": logical_id(r, "live")},
        }
        for r in state.of_kind(Kind.STATE_MACHINE)
    }
    parameterise(resources, outputs, settings)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{settings.prefix}: self-healing retraining (state machines, rules, "
        "functions, roles, storage)",
        "Metadata": {"Assets": _asset_metadata(design)},
        "Parameters": {
            CODE_BUCKET_PARAMETER: {
                "Type": "String",
                "Description": "An existing bucket holding the Lambda zips at the keys in "
                "Metadata.Assets (selfheal publish uploads them)",
            },
            **parameters(settings),
        },
        "Resources": resources,
        "Outputs": outputs,
    }


def write_template(settings: Settings, out: Path) -> dict[str, Any]:
    """Build the desired state for AWS and write its template to ``out``."""
    template = render_template(template_blueprint(settings), settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    return template
