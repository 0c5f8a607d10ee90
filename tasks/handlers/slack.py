"""Optional Slack delivery. The webhook URL is a secret: it is read from Secrets Manager, never
from plain configuration, and a Slack failure never stops the SNS notification."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

TIMEOUT_SECONDS = 5


def webhook_url(secrets: Any, secret_arn: str) -> str:
    """The URL stored in the secret: either the bare URL or JSON with a `url` or `webhookUrl`."""
    value = str(secrets.get_secret_value(SecretId=secret_arn)["SecretString"]).strip()
    if value.startswith("{"):
        data = json.loads(value)
        value = str(data.get("url") or data.get("webhookUrl") or "")
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"secret {secret_arn} does not hold a webhook URL (or JSON with 'url')")
    return value


def post(url: str, subject: str, message: str) -> int:
    body = json.dumps({"text": f"*{subject}*\n{message}"}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return int(response.status)
