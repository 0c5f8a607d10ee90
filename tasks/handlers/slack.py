"""Optional Slack delivery. The webhook URL is a secret: it is read from Secrets Manager, never
from plain configuration, and a Slack failure never stops the SNS notification.

Every value a notification carries (a category value from a CSV, an alarm's name, a failure cause)
can hold Slack's control sequences: `<!channel>` pings a whole channel and `<https://...|text>`
disguises a link. Slack's formatting reference asks for `&`, `<` and `>` to be escaped as `&amp;`,
`&lt;` and `&gt;` in text; with them escaped the text arrives as written, inert.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

TIMEOUT_SECONDS = 5


def escape(text: str) -> str:
    """`text` as Slack shows it literally: only these three characters, `&` first."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_url(secrets: Any, secret_arn: str) -> str:
    """The URL stored in the secret: either the bare URL or JSON with a `url` or `webhookUrl`.

    Only https: over http the webhook's URL (its credential) and the message travel in clear."""
    value = str(secrets.get_secret_value(SecretId=secret_arn)["SecretString"]).strip()
    if value.startswith("{"):
        data = json.loads(value)
        value = str(data.get("url") or data.get("webhookUrl") or "")
    if value.startswith("http://"):
        raise ValueError(
            f"the Slack webhook URL in secret {secret_arn} (SLACK_WEBHOOK_SECRET_ARN) is http://; "
            "store its https:// URL in the secret"
        )
    if not value.startswith("https://"):
        raise ValueError(
            f"secret {secret_arn} (SLACK_WEBHOOK_SECRET_ARN) does not hold a https:// webhook URL "
            "(or JSON with 'url')"
        )
    return value


def text(subject: str, message: str) -> str:
    """The message's `text`: the subject in bold (the one piece of markup that is ours)."""
    return f"*{escape(subject)}*\n{escape(message)}"


def post(url: str, subject: str, message: str) -> int:
    if not url.startswith("https://"):  # urlopen would also follow file:// or ftp://
        raise ValueError(f"Slack webhook URL must be https://, got {url.split(':', 1)[0]}://...")
    body = json.dumps({"text": text(subject, message)}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return int(response.status)
