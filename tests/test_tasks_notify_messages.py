"""What a notification carries when its values are hostile or huge: Slack markup arrives inert,
only https webhooks are posted to, and a cause too long for SNS is cut rather than losing the
notification (SNS refuses a message over 262,144 bytes of UTF-8)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from environments.settings import SettingsError, parse_settings
from tasks.handlers import notifications, notify, slack
from tests.conftest import CHURN
from tests.slack_webhook import Hook
from tests.tasks_helpers import envelope, received
from tests.test_tasks_notify import EXECUTION, slack_secret

HOSTILE = "<!channel> <https://evil.example/login|Reset your password> & more"


def test_slack_markup_in_any_value_arrives_escaped(
    aws: dict[str, Any], webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack_secret(monkeypatch, webhook)
    notify.handler(
        {
            "kind": "model_rejected",
            "executionArn": EXECUTION,
            "endpointName": "<!here>",
            "reasons": [f"category {HOSTILE} is new"],
            "metrics": {"auc": 0.5},
        },
        None,
    )
    [body] = Hook.bodies
    text = body["text"]
    # Slack reads a control sequence only between a literal < and >: none is left.
    assert "<" not in text and ">" not in text
    assert (
        "&lt;!channel&gt; &lt;https://evil.example/login|Reset your password&gt; &amp; more" in text
    )
    assert "&lt;!here&gt;" in text.splitlines()[0]  # the subject, bold, escaped too
    assert text.startswith("*") and "*\n" in text  # our own bold markup stays markup
    # SNS (e-mail, SQS) gets the text as written.
    [message] = received(aws)
    assert HOSTILE in message["Message"]


def test_escape_turns_each_special_character_once() -> None:
    assert slack.escape("a & <b> &amp;") == "a &amp; &lt;b&gt; &amp;amp;"


@pytest.mark.parametrize(
    "stored", ["http://127.0.0.1:9/services/T/B/x", '{"url": "http://127.0.0.1:9/x"}']
)
def test_an_http_webhook_is_refused_and_sns_still_delivers(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch, stored: str
) -> None:
    slack_secret(monkeypatch, stored)
    result = notify.handler({"kind": "drift_detected", "executionArn": EXECUTION}, None)
    assert result["slack"] == {"error": "ValueError"}
    assert [m["MessageId"] for m in received(aws)] == [result["messageId"]]


def test_the_webhook_refusal_names_the_variable_and_the_fix() -> None:
    class Secrets:
        def get_secret_value(self, SecretId: str) -> dict[str, str]:
            return {"SecretString": "http://hooks.slack.com/services/T/B/x"}

    with pytest.raises(ValueError, match=r"SLACK_WEBHOOK_SECRET_ARN.*is http://.*https://"):
        slack.webhook_url(Secrets(), "arn:aws:secretsmanager:eu-west-1:1:secret:slack")
    with pytest.raises(ValueError, match="must be https://"):
        slack.post("http://127.0.0.1:9/hook", "s", "m")


def test_the_settings_refuse_a_webhook_url_in_place_of_the_secret_name() -> None:
    # Guards the settings check: the URL (http or https) never sits in plain configuration.
    document = yaml.safe_load((CHURN / "settings" / "prod.yaml").read_text(encoding="utf-8"))
    document["notifications"]["slack_webhook_secret"] = "http://hooks.slack.com/services/T/B/x"
    with pytest.raises(SettingsError, match=r"notifications.slack_webhook_secret: .*never the URL"):
        parse_settings(document, "prod.yaml")


def test_a_300_kb_cause_is_cut_and_the_notification_keeps_its_link(aws: dict[str, Any]) -> None:
    cause = "é" * 150_000  # 300,000 bytes of UTF-8
    event = envelope(
        "aws.states",
        "Step Functions Execution Status Change",
        {
            "executionArn": EXECUTION,
            "status": "FAILED",
            "error": "States.TaskFailed",
            "cause": cause,
        },
    )
    result = notify.handler(event, None)
    [message] = received(aws)
    assert message["MessageId"] == result["messageId"]
    text = message["Message"]
    assert len(text.encode("utf-8")) <= notifications.MESSAGE_LIMIT
    assert "bytes cut: an SNS message holds at most 262,144 bytes]" in text
    assert "Error: States.TaskFailed" in text
    assert text.rstrip().splitlines()[-1].startswith("  Execution: https://")


def test_a_message_within_the_limit_is_untouched() -> None:
    note = notifications.build({"kind": "workflow_failed", "cause": "x" * 200_000})
    assert "bytes cut" not in note.message and "x" * 200_000 in note.message
