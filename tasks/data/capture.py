"""Endpoint data-capture files, as SageMaker writes them, from dataset rows.

SageMaker stores captured requests as JSON Lines under
`<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl`, one record per request:
`{"captureData": {"endpointInput": {...}, "endpointOutput": {...}}, "eventMetadata":
{"eventId", "inferenceTime"}, "eventVersion": "0"}`. With `text/csv` listed in the capture
config's CsvContentTypes the payload is kept as text (`"encoding": "CSV"`).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

_NAMESPACE = uuid.UUID("6f1c2a52-3d4b-4e0e-9a51-0d1f7c9e2b11")


def capture_record(
    csv_row: str, inference_time: datetime, event_id: str, prediction: float | None = None
) -> dict[str, object]:
    """One captured request: a header-less CSV row in, the model's prediction out."""
    capture: dict[str, object] = {
        "endpointInput": {
            "observedContentType": "text/csv",
            "mode": "INPUT",
            "data": csv_row,
            "encoding": "CSV",
        }
    }
    if prediction is not None:
        capture["endpointOutput"] = {
            "observedContentType": "text/csv",
            "mode": "OUTPUT",
            "data": f"{prediction:.6f}",
            "encoding": "CSV",
        }
    return {
        "captureData": capture,
        "eventMetadata": {
            "eventId": event_id,
            "inferenceTime": inference_time.strftime("%Y-%m-%dT%H:%M:%S.") + "000Z",
        },
        "eventVersion": "0",
    }


def write_capture(
    frame: pd.DataFrame,
    destination: str | Path,
    *,
    features: Sequence[str],
    endpoint_name: str = "churn-endpoint",
    variant_name: str = "AllTraffic",
    start: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    interval: timedelta = timedelta(seconds=5),
    predictions: Sequence[float] | None = None,
) -> list[Path]:
    """Write one captured request per row of `frame`, its `features` columns in that order
    (model.json's feature order: the endpoint takes header-less rows), in hourly files; return
    the files."""
    if predictions is not None and len(predictions) != len(frame):
        raise ValueError("predictions must have one value per row of frame")
    root = Path(destination) / endpoint_name / variant_name
    by_hour: dict[Path, list[str]] = {}
    columns = frame[list(features)]
    for index, row in enumerate(columns.itertuples(index=False, name=None)):
        when = start + index * interval
        event_id = _event_id(endpoint_name, when, index)
        hour_dir = root / when.strftime("%Y/%m/%d/%H")
        if hour_dir not in by_hour:
            # SageMaker names files by the minute, second and millisecond of the first record.
            by_hour[hour_dir] = [f"{when.strftime('%M-%S')}-000-{event_id[:8]}.jsonl"]
        prediction = None if predictions is None else float(predictions[index])
        record = capture_record(_csv_row(row), when, event_id, prediction)
        by_hour[hour_dir].append(json.dumps(record, separators=(",", ":")))
    by_file = {hour_dir / lines[0]: lines[1:] for hour_dir, lines in by_hour.items()}
    for path, lines in by_file.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(by_file)


def _csv_row(values: tuple[object, ...]) -> str:
    """One CSV row as a client sends it: a missing value is an empty field, and a value holding
    a comma or a quote is quoted (the endpoint and the drift job parse CSV, not split on commas)."""
    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow("" if pd.isna(v) else str(v) for v in values)
    return line.getvalue()


def _event_id(endpoint_name: str, when: datetime, index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{endpoint_name}/{when.isoformat()}/{index}"))
