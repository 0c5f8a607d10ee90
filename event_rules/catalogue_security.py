"""The rule that reports Security Hub findings on the project's resources to the topic.

Security Hub sends every imported or updated finding as `Security Hub Findings - Imported`, one
finding per event, in the AWS Security Finding Format (ASFF). A finding is the project's when one
of its `Resources` is the project's by ARN (its buckets, or a resource named with the
environment's prefix) or carries the environment's `project` and `environment` tags. Only
active findings still NEW in their workflow, of severity LOW or above, notify: INFORMATIONAL is
what a control that passed reports, and a finding someone already took up (NOTIFIED,
SUPPRESSED, RESOLVED) has its owner.
"""

from __future__ import annotations

from typing import Any

from environments.settings import Settings
from event_rules.catalogue_targets import project_rule, topic_target
from event_rules.messages import text_message
from event_rules.rule import InputTransformer, Rule

FINDINGS_IMPORTED = "Security Hub Findings - Imported"
NOTIFIED_SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


def project_resource_arns(settings: Settings) -> list[Any]:
    """Pattern values matching the ARN of any resource of this environment."""
    where = settings.location
    named = settings.prefix
    return sorted(
        [
            where.bucket(settings.data_bucket),
            where.bucket(settings.artifacts_bucket),
            {"prefix": where.function(f"{named}-")},
            {"prefix": where.state_machine(f"{named}-")},
            {"prefix": where.arn("sns", named)},
            {"prefix": where.arn("sqs", named)},
            {"prefix": where.role(f"{named}-")},
            # SageMaker writes the names in its ARNs in lower case.
            {"prefix": where.sagemaker("endpoint", named.lower())},
            {"prefix": where.sagemaker("endpoint-config", f"{named.lower()}-")},
            {"prefix": where.sagemaker("model", f"{named.lower()}-")},
        ],
        key=str,
    )


def finding_message(prefix: str) -> InputTransformer:
    first = "$.detail.findings[0]"
    return text_message(
        [
            f"[{prefix}] Security Hub finding (<severity>): <title>",
            "Resource: <resource> (<type>)",
            "Remediation: <remediation>",
            "More: <url>",
            "Found by: <product>, account <account>, <region>",
            "Finding: <finding>",
            "Time: <time>",
        ],
        {
            "severity": f"{first}.Severity.Label",
            "title": f"{first}.Title",
            "resource": f"{first}.Resources[0].Id",
            "type": f"{first}.Resources[0].Type",
            "remediation": f"{first}.Remediation.Recommendation.Text",
            "url": f"{first}.Remediation.Recommendation.Url",
            "product": f"{first}.ProductName",
            "account": f"{first}.AwsAccountId",
            "region": "$.region",
            "finding": f"{first}.Id",
            "time": f"{first}.UpdatedAt",
        },
    )


def security_rules(settings: Settings) -> list[Rule]:
    finding = project_rule(
        settings,
        "security-finding",
        "A Security Hub finding (LOW or above, active, new) on this environment's resources: "
        "notify with its severity and remediation",
        event_pattern={
            "source": ["aws.securityhub"],
            "detail-type": [FINDINGS_IMPORTED],
            "detail": {
                "findings": {
                    "RecordState": ["ACTIVE"],
                    "Workflow": {"Status": ["NEW"]},
                    "Severity": {"Label": list(NOTIFIED_SEVERITIES)},
                    "$or": [
                        {"Resources": {"Id": project_resource_arns(settings)}},
                        {
                            "Resources": {
                                "Tags": {
                                    "project": [settings.project],
                                    "environment": [settings.environment],
                                }
                            }
                        },
                    ],
                }
            },
        },
        targets=(topic_target(settings, finding_message(settings.prefix)),),
    )
    return [finding]
