"""How an engine's answer is compared with AWS's recorded one (../shared/corpus/README.md,
section sfn-executions): the engine's answer is normalised as the recording normalised AWS's,
then matched against the expected value, where tokens such as `<uuid:1>` stand for any value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

RECORDED_ACCOUNT_TOKEN = "111111111111"
# Statuses where AWS (or the engine) did not run the request to success.
REJECTED = {"FAILED", "TIMED_OUT", "ABORTED", "CREATE_FAILED", "FAIL"}
ACCEPTED = {"SUCCEEDED", "CREATED", "OK"}
_TOKEN = re.compile(r"<[A-Za-z_][A-Za-z0-9_:\-]*>")
_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_DATE_WORDS = {"date", "datetime", "timestamp"}
# A Lambda runtime error's cause is JSON with a request id and stack trace that no engine can
# reproduce; only these two fields are compared.
_LAMBDA_FIELDS = ("errorType", "errorMessage")


@dataclass(frozen=True)
class Outcome:
    """What one run ended with: `status` as in the corpus (`SUCCEEDED`, `CREATE_FAILED`, `OK`,
    ...), `output` parsed, `error` (for validate, the list of diagnostic codes)."""

    status: str
    output: Any = None
    error: Any = None
    cause: Any = None


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error:
        return re.compile(re.escape(pattern))


class Normaliser:
    """Rewrites an engine's answer the way the recording rewrote AWS's."""

    def __init__(self, case: dict[str, Any], account: str, region: str) -> None:
        self._account = account
        self._region = region
        self._replacements = [
            (_compile(pattern.replace(RECORDED_ACCOUNT_TOKEN, account)), token)
            for pattern, token in case["replacements"]
        ]

    def text(self, value: str) -> str:
        for pattern, token in self._replacements:
            # The token is literal text, never a template with group references.
            value = pattern.sub(token.replace("\\", "\\\\"), value)
        value = value.replace(self._account, RECORDED_ACCOUNT_TOKEN)
        value = value.replace("arn:aws:", "arn:<partition>:")
        value = value.replace(self._region, "<region>")
        return _ISO_TIMESTAMP.sub("date", value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(key): self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value


def _string_matches(expected: str, actual: str) -> bool:
    pieces = _TOKEN.split(expected)
    if len(pieces) == 1:
        return expected == actual
    pattern = ".*?".join(re.escape(piece) for piece in pieces)
    return re.fullmatch(pattern, actual, re.DOTALL) is not None


def _lambda_error_fields(text: str) -> tuple[str, ...] | None:
    """errorType and errorMessage of a Lambda runtime error's JSON text, by pattern: the
    recording's replacements can leave that text invalid JSON."""
    found = []
    for field in _LAMBDA_FIELDS:
        match = re.search(rf'"{field}"\s*:\s*"((?:[^"\\]|\\.)*)"', text)
        if match is None:
            return None
        found.append(match.group(1))
    return tuple(found)


def matches(
    expected: Any,
    actual: Any,
    key: str = "",
    ignored: frozenset[str] = frozenset(),
    key_masks: bool = False,
) -> bool:
    """Whether the normalised `actual` agrees with the recorded `expected`. With `key_masks`, a
    recorded value that is its own key's name (`"x-amzn-RequestId": "x-amzn-RequestId"`) stands
    for any value: the recording masked some values so, listing them in neither `replacements`
    nor `ignore_keys`."""
    if key in ignored:
        return True
    if key_masks and isinstance(expected, str) and key and expected.lower() == key.lower():
        return True
    if isinstance(expected, str):
        if _TOKEN.fullmatch(expected):
            return True
        if expected in _DATE_WORDS and "timestamp" in key.lower():
            return True
        if not isinstance(actual, str):
            return False
        if expected.lstrip().startswith("{") and "stackTrace" in expected:
            wanted = _lambda_error_fields(expected)
            if wanted is not None:
                return wanted == _lambda_error_fields(actual)
        return _string_matches(expected, actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and expected == actual
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(expected) == set(actual)
            and all(matches(expected[k], actual[k], k, ignored, key_masks) for k in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(
                matches(e, a, key, ignored, key_masks)
                for e, a in zip(expected, actual, strict=True)
            )
        )
    return bool(expected == actual)


def agrees(case: dict[str, Any], outcome: Outcome, key_masks: bool = False) -> bool:
    """Status equal; output equal when both succeed; error equal when both fail."""
    expected = case["expected"]
    if outcome.status != expected["status"]:
        return False
    ignored = frozenset(case["ignore_keys"])
    if outcome.status == "SUCCEEDED":
        return "$output" in ignored or matches(
            expected["output"], outcome.output, "", ignored, key_masks
        )
    if outcome.status in REJECTED:
        return matches(expected["error"], outcome.error, "", ignored, key_masks)
    return True


def silent_pass(case: dict[str, Any], outcome: Outcome) -> bool:
    """AWS failed or rejected it; the engine ran it to success or accepted it."""
    return case["expected"]["status"] in REJECTED and outcome.status in ACCEPTED
