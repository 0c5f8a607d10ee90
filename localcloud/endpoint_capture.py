"""Data capture of a local endpoint's invocations, in the files SageMaker writes.

With the endpoint config's `DataCaptureConfig.EnableCapture`, a sampled invocation is written
as one JSON Lines record under
`<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm>-<id>.jsonl`:
`captureData.endpointInput` / `endpointOutput` (as `CaptureOptions` ask) with the observed
content type and the payload as text (`CSV` or `JSON` when the type is listed in
`CaptureContentTypeHeader`) or base64 (`BASE64`), and `eventMetadata` (`eventId`,
`inferenceTime`, `inferenceId` when the request gave one). SageMaker buffers records into a file
every few minutes; here each invocation is its own object, so nothing waits for a flush.
`InitialSamplingPercentage` keeps exactly that share of the requests, spread evenly (request n is
captured when n x percentage / 100 passes a whole number), so the local result is repeatable.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from localcloud import recorder
from localcloud.job_staging import ObjectStore, split_s3_uri

if TYPE_CHECKING:
    from localcloud.endpoint_servers import Answer, Invocation


def _sampled(records: recorder.CloudRecords, key: str, percentage: float) -> bool:
    with records.endpoint_lock:
        count = records.capture_counts.get(key, 0) + 1
        records.capture_counts[key] = count
    return int(count * percentage / 100) > int((count - 1) * percentage / 100)


def _payload(data: bytes, content_type: str, header: dict[str, Any], mode: str) -> dict[str, str]:
    kind = content_type.split(";")[0].strip()
    if kind in (header.get("CsvContentTypes") or []):
        encoding, text = "CSV", data.decode("utf-8", "replace")
    elif kind in (header.get("JsonContentTypes") or []):
        encoding, text = "JSON", data.decode("utf-8", "replace")
    else:
        encoding, text = "BASE64", base64.b64encode(data).decode("ascii")
    return {"observedContentType": content_type, "mode": mode, "data": text, "encoding": encoding}


def capture_invocation(
    records: recorder.CloudRecords,
    store: ObjectStore,
    endpoint: Any,
    variant: str,
    capture_config: dict[str, Any] | None,
    request: Invocation,
    content_type: str,
    answer: Answer,
    when: datetime,
) -> str | None:
    """Write the invocation's capture record when the config captures it; its S3 URI."""
    config = capture_config or {}
    if not config.get("EnableCapture"):
        return None
    if not _sampled(
        records, f"{endpoint.arn}/{variant}", float(config["InitialSamplingPercentage"])
    ):
        return None
    modes = {o.get("CaptureMode") for o in config.get("CaptureOptions") or []}
    header = config.get("CaptureContentTypeHeader") or {}
    capture: dict[str, Any] = {}
    if "Input" in modes:
        capture["endpointInput"] = _payload(request.body, content_type, header, "INPUT")
    if "Output" in modes:
        capture["endpointOutput"] = _payload(answer.body, answer.content_type, header, "OUTPUT")
    event_id = str(uuid.uuid4())
    metadata = {
        "eventId": event_id,
        "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
    }
    if request.inference_id:
        metadata["inferenceId"] = request.inference_id
    record = {"captureData": capture, "eventMetadata": metadata, "eventVersion": "0"}
    bucket, prefix = split_s3_uri(str(config["DestinationS3Uri"]))
    name = f"{when.strftime('%M-%S')}-{when.microsecond // 1000:03d}-{event_id[:8]}.jsonl"
    parts = [prefix.strip("/"), endpoint.endpoint_name, variant, when.strftime("%Y/%m/%d/%H"), name]
    key = "/".join(part for part in parts if part)
    store.put(bucket, key, (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8"))
    return f"s3://{bucket}/{key}"
