"""Upload what a CloudFormation stack of the template needs and cannot upload itself.

Two places, because of what exists when:
- the Lambda zips go to a bucket that exists before the stack (the template's ``CodeBucket``
  parameter): CloudFormation reads a function's code when it creates the function;
- the job code goes to the artifacts bucket, at the very keys the boto3 engine uploads
  (``<code prefix><version>/...``, which the definitions name). The stack creates that bucket, so
  on a stack's first creation these are *pending* until it exists: publish again after it.
  On every later update the bucket exists, so publishing before the update puts the new code in
  place before the new definitions name it.

Every key is content-addressed, so an existing key is skipped when its bytes are the ones to
upload, and refused, never overwritten, when they differ.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from deploy.calls import ClientFactory
from deploy.desired import Blueprint
from deploy.model import Kind
from deploy.providers.base import error_code
from deploy.providers.s3 import SHA256_METADATA, sha256_hex
from deploy.template_resources import lambda_code_key

MISSING = ("404", "NoSuchKey", "NotFound", "NoSuchBucket")


class PublishRefused(RuntimeError):
    """An asset cannot be published (a missing code bucket, a key holding other bytes)."""


@dataclass(frozen=True)
class Asset:
    bucket: str
    key: str
    content: bytes = field(repr=False)
    tags: tuple[tuple[str, str], ...] = ()
    # True for the job code, whose bucket the stack creates (so it may not exist yet).
    in_stack_bucket: bool = False

    @property
    def sha256(self) -> str:
        return sha256_hex(self.content)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass
class PublishReport:
    uploaded: list[Asset] = field(default_factory=list)
    skipped: list[Asset] = field(default_factory=list)
    pending: list[Asset] = field(default_factory=list)


def assets(design: Blueprint, code_bucket: str) -> list[Asset]:
    """Every object the template needs: the Lambda zips (in ``code_bucket``) and the job code
    (the desired state's code objects, in the artifacts bucket)."""
    out = []
    for resource in design.state:
        if resource.kind is Kind.FUNCTION and resource.payload is not None:
            out.append(Asset(code_bucket, lambda_code_key(resource), resource.payload))
        elif resource.kind is Kind.CODE_OBJECT and resource.payload is not None:
            bucket, _, key = resource.name.partition("/")
            tags = tuple(sorted(resource.tags.items()))
            out.append(Asset(bucket, key, resource.payload, tags, in_stack_bucket=True))
    return out


def _bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        if error_code(error) in MISSING:
            return False
        raise
    return True


def _existing_sha256(s3: Any, asset: Asset) -> str | None:
    """The SHA-256 of what the key holds, or None when it holds nothing."""
    try:
        head = s3.head_object(Bucket=asset.bucket, Key=asset.key)
    except ClientError as error:
        if error_code(error) in MISSING:
            return None
        raise
    recorded = head.get("Metadata", {}).get(SHA256_METADATA)
    if recorded:
        return str(recorded)
    # Uploaded by something else, without the digest: read it to compare.
    body = s3.get_object(Bucket=asset.bucket, Key=asset.key)["Body"].read()
    return sha256_hex(body)


def publish(
    design: Blueprint,
    clients: ClientFactory,
    code_bucket: str,
    emit: Callable[[str], None] = print,
) -> PublishReport:
    """Upload every asset not there yet; raises PublishRefused when the code bucket is missing
    or a key holds other bytes (nothing is overwritten)."""
    s3 = clients("s3")
    if not _bucket_exists(s3, code_bucket):
        raise PublishRefused(
            f"the code bucket {code_bucket} does not exist; create it (aws s3 mb "
            f"s3://{code_bucket}) or name an existing one with --code-bucket"
        )
    report = PublishReport()
    present: dict[str, bool] = {}
    for asset in assets(design, code_bucket):
        if asset.bucket not in present:
            present[asset.bucket] = _bucket_exists(s3, asset.bucket)
        if not present[asset.bucket]:
            report.pending.append(asset)
            continue
        existing = _existing_sha256(s3, asset)
        if existing == asset.sha256:
            report.skipped.append(asset)
            continue
        if existing is not None:
            raise PublishRefused(
                f"{asset.uri} holds other bytes (sha256 {existing}, not {asset.sha256}); its "
                "key is content-addressed, so something else wrote it: delete that object "
                "or publish to another bucket"
            )
        request: dict[str, Any] = {
            "Bucket": asset.bucket,
            "Key": asset.key,
            "Body": asset.content,
            "Metadata": {SHA256_METADATA: asset.sha256},
        }
        if asset.tags:
            request["Tagging"] = urllib.parse.urlencode(asset.tags)
        s3.put_object(**request)
        report.uploaded.append(asset)
        emit(f"publish: uploaded {asset.uri} ({len(asset.content)} bytes)")
    emit(
        f"publish: {len(report.uploaded)} uploaded, {len(report.skipped)} already there, "
        f"{len(report.pending)} pending"
    )
    for bucket in sorted({a.bucket for a in report.pending}):
        emit(
            f"publish: {bucket} does not exist yet (the stack creates it); "
            "publish again once the stack is created, before anything runs"
        )
    return report
