"""The model registry: each group's packages, their approval status and metrics, and
approve/reject for a package pending manual approval (UpdateModelPackage; the approval rule
then deploys an approved package, as it would after an approval in AWS's console)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from console.page import esc, notice, status, table
from console.sources import Sources

PENDING = "PendingManualApproval"
DECISIONS = {"approve": "Approved", "reject": "Rejected"}
MAX_REPORT_BYTES = 256 * 1024


def _flat_numbers(value: Any, prefix: str = "") -> list[tuple[str, float]]:
    """Numeric leaves of a metrics report, by dotted path (`...auc.value` read as `auc`)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [(prefix.rstrip(".").removesuffix(".value"), float(value))]
    if isinstance(value, Mapping):
        return [item for k, v in value.items() for item in _flat_numbers(v, f"{prefix}{k}.")]
    return []


def metrics_of(src: Sources, package: Mapping[str, Any]) -> list[tuple[str, float]] | str:
    """The package's model-quality statistics, read from S3; a sentence when they cannot be."""
    uri = package.get("ModelMetrics", {}).get("ModelQuality", {}).get("Statistics", {}).get("S3Uri")
    if not uri or not str(uri).startswith("s3://"):
        return "no model-quality statistics"
    bucket, _, key = str(uri).removeprefix("s3://").partition("/")
    try:
        body = src.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read(MAX_REPORT_BYTES)
        report = json.loads(body)
    except Exception as error:
        return f"{uri}: {error}"
    return _flat_numbers(report)


def _decision_form(src: Sources, arn: str) -> str:
    token = esc(src.csrf_token)
    return (
        '<form method="post" action="/models/decide" class="decide">'
        f'<input type="hidden" name="csrf" value="{token}">'
        f'<input type="hidden" name="package" value="{esc(arn)}">'
        '<button name="decision" value="approve" class="approve">Approve</button>'
        '<button name="decision" value="reject" class="reject" '
        "onclick=\"return confirm('Reject this model package?')\">Reject</button></form>"
    )


def models_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    sagemaker = src.client("sagemaker")
    groups = sagemaker.list_model_package_groups().get("ModelPackageGroupSummaryList", [])
    body = notice(args["done"]) if args.get("done") else ""
    for group in sorted(groups, key=lambda g: g["ModelPackageGroupName"]):
        name = group["ModelPackageGroupName"]
        listed = sagemaker.list_model_packages(ModelPackageGroupName=name)
        rows = []
        for summary in listed.get("ModelPackageSummaryList", []):
            arn = summary["ModelPackageArn"]
            package = sagemaker.describe_model_package(ModelPackageName=arn)
            metrics = metrics_of(src, package)
            shown = (
                esc(metrics)
                if isinstance(metrics, str)
                else "<br>".join(f"{esc(k)}: {v:.4g}" for k, v in metrics)
            )
            approval = package.get("ModelApprovalStatus", "")
            rows.append(
                [
                    esc(package.get("ModelPackageVersion", "")),
                    status(approval),
                    shown,
                    "<br>".join(
                        f"{esc(k)}: {esc(v)}"
                        for k, v in package.get("CustomerMetadataProperties", {}).items()
                    ),
                    esc(package.get("CreationTime", "")),
                    _decision_form(src, arn) if approval == PENDING else "",
                ]
            )
        body += f"<h2>{esc(name)}</h2>" + table(
            ["version", "approval", "metrics", "metadata", "created", ""], rows, "no packages"
        )
    return "Model registry", body or notice("no model package groups")


class Refused(Exception):
    """A decision the console will not send; the message says why and what to do."""


def decide(src: Sources, form: Mapping[str, str]) -> str:
    """Approve or reject a pending package; the sentence the registry page then shows."""
    if not hmac.compare_digest(form.get("csrf", ""), src.csrf_token):
        raise Refused("the form's csrf token is missing or stale: reload the page and retry")
    decision = DECISIONS.get(form.get("decision", ""))
    if decision is None:
        raise Refused("decision must be approve or reject")
    arn = form.get("package", "")
    sagemaker = src.client("sagemaker")
    current = sagemaker.describe_model_package(ModelPackageName=arn).get("ModelApprovalStatus")
    if current != PENDING:
        raise Refused(f"{arn} is {current}, not {PENDING}: only a pending package is decided here")
    sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus=decision)
    if decision == "Approved":
        return f"{arn} approved: the approval rule starts its deployment"
    return f"{arn} rejected"
