"""Reading small JSON documents from S3 URIs."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from tasks.handlers.event_input import InvalidEventError


def split_s3_uri(uri: str, field: str = "S3 URI") -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise ValueError(f"{field} must look like s3://bucket/key, got {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    if not bucket or not key:
        raise ValueError(f"{field} must name a bucket and a key (s3://bucket/key), got {uri!r}")
    return bucket, key


def read_json(s3: Any, uri: str, field: str) -> Any:
    """The parsed JSON at `uri`; a missing object or invalid JSON raises ValueError naming it."""
    bucket, key = split_s3_uri(uri, field)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Error")
        raise ValueError(f"{field} {uri} could not be read ({code})") from exc
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{field} {uri} is not valid JSON: {exc}") from exc
    except RecursionError:  # json's parser recurses once per level of nesting
        raise InvalidEventError(
            f"{field} {uri} nests its objects and arrays too deeply to read; refused"
        ) from None
