"""A Security Hub finding on the project's data bucket, sent through the deployed stack's
EventBridge rule, reaches the topic as readable text; a finding on another project's bucket
does not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.scenarios.conftest import Deployed

SAMPLE = Path(__file__).resolve().parents[2] / "event_rules" / "samples"


def _entry(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Resources": event["resources"],
        "Detail": event["detail"],
    }


def test_a_finding_on_the_data_bucket_is_notified_with_its_remediation(
    deployed: Deployed,
) -> None:
    event = json.loads((SAMPLE / "securityhub-finding-s3-public-access.json").read_text())
    elsewhere = copy.deepcopy(event)
    other = elsewhere["detail"]["findings"][0]["Resources"][0]
    other["Id"] = "arn:aws:s3:::someone-elses-bucket"
    other["Tags"] = {}
    result = deployed.cloud.put_events([_entry(event), _entry(elsewhere)])
    assert result["FailedEntryCount"] == 0
    deployed.cloud.wait_until_idle()

    [message] = deployed.cloud.sns_messages(deployed.settings.topic_name)
    # The template is one JSON string: the topic receives that string's JSON text.
    lines = json.loads(message["Message"]).splitlines()
    assert lines[0] == (
        "[churn-dev] Security Hub finding (HIGH): S3 general purpose buckets should block "
        "public access"
    )
    assert "Resource: arn:aws:s3:::churn-dev-data-123456789012 (AwsS3Bucket)" in lines
    assert "More: https://docs.aws.amazon.com/console/securityhub/S3.8/remediation" in lines
    assert [d["rule"] for d in deployed.cloud.deliveries()] == ["churn-dev-security-finding"]
