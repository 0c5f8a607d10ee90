"""The desired state as a CloudFormation template (JSON): the same model, one more rendering.

CloudFormation cannot upload files, so code travels beside the stack: the Lambda zips go to an
existing bucket named by the ``CodeBucket`` parameter, at the keys the template names, and the
job scripts go to the artifacts bucket after the stack exists (``Metadata.CodeObjects`` lists
both, with their SHA-256). The Powertools layer is resolved from AWS's public SSM parameter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deploy.artifacts import build_artifacts
from deploy.desired import Blueprint, blueprint
from deploy.layers import powertools_parameter
from deploy.model import Kind
from deploy.providers.s3 import sha256_hex
from deploy.target import AWS
from deploy.template_resources import (
    CODE_BUCKET_PARAMETER,
    RENDERERS,
    function_alias_id,
    lambda_code_key,
    logical_id,
)
from environments.settings import LIVE_ALIAS, Settings


def render_template(design: Blueprint, settings: Settings) -> dict[str, Any]:
    state = design.state
    by_key = {r.key: r for r in state}
    resources: dict[str, Any] = {}
    code_objects = []
    for resource in state:
        if resource.kind is Kind.CODE_OBJECT:
            code_objects.append(
                {"Destination": f"s3://{resource.name}", "Sha256": resource.properties["Sha256"]}
            )
            continue
        if resource.kind is Kind.FUNCTION and resource.payload is not None:
            code_objects.append(
                {
                    "Destination": f"s3://<{CODE_BUCKET_PARAMETER}>/{lambda_code_key(resource)}",
                    "Sha256": sha256_hex(resource.payload),
                }
            )
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
        if depends:
            rendered[main]["DependsOn"] = depends
        resources.update(rendered)
    outputs = {
        logical_id(r, "live arn"): {
            "Description": f"The {LIVE_ALIAS} alias of {r.name}",
            "Value": {"Ref": logical_id(r, "live")},
        }
        for r in state.of_kind(Kind.STATE_MACHINE)
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{settings.prefix}: self-healing retraining (state machines, rules, "
        "functions, roles, storage)",
        "Metadata": {"CodeObjects": code_objects},
        "Parameters": {
            CODE_BUCKET_PARAMETER: {
                "Type": "String",
                "Description": "An existing bucket holding the Lambda zips at the keys listed "
                "in Metadata.CodeObjects (upload them before creating the stack)",
            }
        },
        "Resources": resources,
        "Outputs": outputs,
    }


def write_template(settings: Settings, out: Path) -> dict[str, Any]:
    """Build the desired state for AWS and write its template to ``out``."""
    layer = "{{resolve:ssm:" + powertools_parameter() + "}}"
    design = blueprint(
        settings, target=AWS, powertools_layer=lambda: layer, artifacts=build_artifacts(settings)
    )
    template = render_template(design, settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")
    return template
