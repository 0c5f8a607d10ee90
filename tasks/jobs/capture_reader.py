"""Reading endpoint data-capture JSON Lines back into feature rows, in model.json's feature
order (schema.py).

Each record's `captureData.endpointInput` holds the request body: CSV text (`"encoding":
"CSV"`), or base64 of it (`"BASE64"`, SageMaker's default when the content type is not listed
in the capture config). A request may hold several rows, one per line, without a header.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from pathlib import Path

import pandas as pd
import schema
from channel_files import channel_files
from errors import JobInputError


def find_capture_files(location: str | Path) -> list[Path]:
    root = Path(location)
    if not root.exists():
        raise JobInputError(f"capture path {root} does not exist; check the capture input")
    if root.is_file():
        return [root]
    return channel_files(root, (".jsonl", ".json"))


def read_captured_rows(location: str | Path) -> tuple[pd.DataFrame, int]:
    """Feature rows from every capture file under `location`, and the count of skipped records."""
    rows: list[list[str]] = []
    skipped = 0
    for path in find_capture_files(location):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    rows.extend(_rows_of(json.loads(line)))
                except (ValueError, KeyError, TypeError) as exc:
                    skipped += 1
                    print(f"skipping {path}:{number}: {exc}", flush=True)
    frame = pd.DataFrame(rows, columns=list(schema.FEATURES))
    return frame, skipped


def _rows_of(record: dict[str, object]) -> list[list[str]]:
    capture = record["captureData"]
    if not isinstance(capture, dict):
        raise TypeError("captureData is not an object")
    request = capture["endpointInput"]
    encoding = str(request.get("encoding", "CSV")).upper()
    data = request["data"]
    if encoding == "BASE64":
        try:
            data = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"endpointInput.data is not base64 UTF-8: {exc}") from exc
    elif encoding != "CSV":
        raise ValueError(
            f"endpointInput encoding {encoding} is not CSV; the endpoint takes text/csv"
        )
    features = schema.FEATURES
    rows = [row for row in csv.reader(io.StringIO(data)) if row]
    if rows and [field.strip() for field in rows[0]] == list(features):
        rows = rows[1:]
    for row in rows:
        if len(row) != len(features):
            raise ValueError(
                f"a captured row has {len(row)} fields, expected {len(features)} "
                f"(model.json's features: {list(features)})"
            )
    return [[field.strip() for field in row] for row in rows]
