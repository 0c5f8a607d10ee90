"""The object store the embedded cloud's own SageMaker jobs and endpoints read: objects are read
from moto's S3 backend of the account, written through the S3 API.

A job staged its inputs through a boto3 client, one ListObjectsV2 and a GetObject per file: about
5 ms a call in process (request signing, moto's dispatch, the response parsed back), a tenth to a
quarter of a second for a processing job's code folder, on the path of every run. SageMaker
downloads inputs as a service; nothing of the API path is asked of those reads (they are data
events, which CloudTrail does not record here), so they read the backend. Writes stay calls:
S3's notifications and everything else that follows a PutObject happen as for any upload.
"""

from __future__ import annotations

from typing import Any

from localcloud.job_staging import JobSetupError


class BackendObjectStore:
    """An ObjectStore over account `account_id`'s S3 in `region`'s partition; `client` (an S3
    client of the embedded cloud) makes the writes."""

    def __init__(self, account_id: str, region: str, client: Any) -> None:
        self._account_id = account_id
        self._region = region
        self._client = client

    def _backend(self) -> Any:
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        return s3_backends[self._account_id][get_partition(self._region)]

    def _bucket(self, bucket: str) -> Any:
        from moto.s3.exceptions import MissingBucket

        try:
            return self._backend().get_bucket(bucket)
        except MissingBucket:
            raise JobSetupError(
                f"Failed to download data: s3://{bucket} does not exist (NoSuchBucket)"
            ) from None

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        """The keys under `prefix` that GetObject would find, in S3's listing order (UTF-8
        bytes, which is the order of their code points)."""
        from moto.s3.models import FakeKey

        found = self._bucket(bucket).keys
        return sorted(
            key
            for key in list(found.keys())
            if key.startswith(prefix) and isinstance(found.get(key), FakeKey)
        )

    def get(self, bucket: str, key: str) -> bytes:
        self._bucket(bucket)
        found = self._backend().get_object(bucket, key)
        if found is None:
            raise JobSetupError(f"Failed to download data: s3://{bucket}/{key} (NoSuchKey)")
        value: bytes = found.value
        return value

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self._client.put_object(Bucket=bucket, Key=key, Body=body)
