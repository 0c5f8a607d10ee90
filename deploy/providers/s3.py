"""S3 buckets (encryption, public access block, TLS-only policy, EventBridge notifications) and
the code objects in them (compared by SHA-256 of their content)."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from deploy.compare import canonical_policy, differences
from deploy.model import Kind, Resource
from deploy.providers.base import (
    OWNER_TAGS,
    Current,
    Provider,
    error_code,
    tag_dict,
    tag_list,
)

SHA256_METADATA = "sha256"
# Aspects of a bucket, each read and written by its own pair of calls.
ASPECTS = (
    "ServerSideEncryptionConfiguration",
    "PublicAccessBlockConfiguration",
    "Policy",
    "NotificationConfiguration",
)
LABELS = {
    "ServerSideEncryptionConfiguration": "encryption",
    "PublicAccessBlockConfiguration": "public access block",
    "Policy": "TLS-only policy",
    "NotificationConfiguration": "EventBridge notifications",
}
MISSING_ASPECT = {
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
}
DELETE_BATCH = 1000
MAX_EMPTYING_PAGES = 10_000
MAX_INSPECTED_PAGES = 10


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BucketProvider(Provider):
    kind = Kind.BUCKET

    @property
    def s3(self) -> Any:
        return self.clients("s3")

    def _aspect(self, name: str, bucket: str) -> Any:
        try:
            if name == "ServerSideEncryptionConfiguration":
                return self.s3.get_bucket_encryption(Bucket=bucket)[name]
            if name == "PublicAccessBlockConfiguration":
                return self.s3.get_public_access_block(Bucket=bucket)[name]
            if name == "Policy":
                return canonical_policy(self.s3.get_bucket_policy(Bucket=bucket)["Policy"])
            response = self.s3.get_bucket_notification_configuration(Bucket=bucket)
            return {k: v for k, v in response.items() if k != "ResponseMetadata"}
        except ClientError as error:
            if error_code(error) in MISSING_ASPECT:
                return None
            raise

    def _tags(self, bucket: str) -> dict[str, str]:
        try:
            return tag_dict(self.s3.get_bucket_tagging(Bucket=bucket)["TagSet"])
        except ClientError as error:
            if error_code(error) == "NoSuchTagSet":
                return {}
            raise

    def read(self, resource: Resource) -> Current | None:
        try:
            self.s3.head_bucket(Bucket=resource.name)
        except ClientError as error:
            if error_code(error) in ("404", "NoSuchBucket", "NotFound"):
                return None
            raise
        properties = {}
        for name in ASPECTS:
            value = self._aspect(name, resource.name)
            if value is not None:
                properties[name] = value
        tags = self._tags(resource.name)
        return Current(properties, tags, {"unclaimed": self._unclaimed(resource.name, tags)})

    def _unclaimed(self, bucket: str, tags: Mapping[str, str]) -> bool:
        """A bucket of one of the settings' exact names (deterministic: name and account) with
        no owner tag at all and no object: what CreateBucket left when the deploy died before
        PutBucketTagging. A bucket holding anything, or tagged by anyone, stays refused."""
        if bucket not in (self.settings.data_bucket, self.settings.artifacts_bucket):
            return False
        if any(key in tags for key in OWNER_TAGS):
            return False
        listed = self.s3.list_object_versions(Bucket=bucket, MaxKeys=1)
        return not (listed.get("Versions") or listed.get("DeleteMarkers"))

    def left_by_a_stopped_create(self, resource: Resource, current: Current) -> bool:
        return bool(current.context.get("unclaimed"))

    def create(self, resource: Resource) -> str:
        request: dict[str, Any] = {"Bucket": resource.name}
        region = self.settings.location.region
        if region != "us-east-1":  # us-east-1 rejects an explicit location constraint
            request["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self.s3.create_bucket(**request)
        # Tagged first, so a bucket holding data is always marked the environment's. A deploy
        # that dies before this leaves an empty untagged bucket of the settings' exact name,
        # which the next deploy finishes and destroy deletes (_unclaimed).
        self.s3.put_bucket_tagging(
            Bucket=resource.name, Tagging={"TagSet": tag_list(resource.tags)}
        )
        self.update(resource, Current({}, dict(resource.tags)))
        applied = [LABELS[name] for name in ASPECTS if name in resource.properties]
        return "created with " + ", ".join(applied)

    def update(self, resource: Resource, current: Current) -> str:
        bucket, desired = resource.name, resource.properties
        changed = []
        for name in ASPECTS:
            if name in desired and (
                name not in current.properties
                or differences(desired[name], current.properties[name])
            ):
                self._put(name, bucket, desired[name])
                changed.append(name)
        if self.tags_differ(resource, current):
            tags = {**current.tags, **resource.tags}
            self.s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(tags)})
            changed.append("tags")
        return "set " + ", ".join(changed)

    def _put(self, name: str, bucket: str, value: Any) -> None:
        if name == "ServerSideEncryptionConfiguration":
            self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=value)
        elif name == "PublicAccessBlockConfiguration":
            self.s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=value)
        elif name == "Policy":
            self.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(value))
        else:
            self.s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration=value
            )

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        settings = self.settings
        for bucket in self.s3.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            ours = name.startswith(self.name_prefix) or name in (
                settings.data_bucket,
                settings.artifacts_bucket,
            )
            if ours and name not in known:
                tags = self._tags(name)
                if self.owns(tags) or self._unclaimed(name, tags):
                    names.append(name)
        return names

    def keep_reason(self, name: str, referenced: Mapping[str, str]) -> str | None:
        # Any version or delete marker counts: a noncurrent version is data too.
        listed = self.s3.list_object_versions(Bucket=name, MaxKeys=1)
        if listed.get("Versions") or listed.get("DeleteMarkers"):
            return "it holds objects, which a deploy never deletes; empty it to let one delete it"
        return None

    def holds_data(self, name: str) -> str | None:
        # The deploy's own objects in the artifacts bucket are not data: its code (a deploy
        # uploads it again) and its history of what was live (meaningless once the machines it
        # names are gone). Any other version or delete marker is.
        own: tuple[str, ...] = ()
        if name == self.settings.artifacts_bucket:
            own = (self.settings.prefixes["code"], self.settings.deploy_history_prefix)
        paginator = self.s3.get_paginator("list_object_versions")
        for page_number, page in enumerate(paginator.paginate(Bucket=name)):
            if page_number >= MAX_INSPECTED_PAGES:
                return (
                    f"it holds over {page_number * 1000} versions of the deploy's objects; "
                    "kept as data"
                )
            for group in ("Versions", "DeleteMarkers"):
                for item in page.get(group, []):
                    if not (own and item["Key"].startswith(own)):
                        return f"it holds objects ({item['Key']} among them)"
        return None

    def delete(self, name: str) -> None:
        """Empty the bucket (every object version and delete marker), then delete it."""
        paginator = self.s3.get_paginator("list_object_versions")
        for page_number, page in enumerate(paginator.paginate(Bucket=name)):
            if page_number >= MAX_EMPTYING_PAGES:
                raise RuntimeError(f"bucket {name} holds too many objects to empty here")
            keys = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for group in ("Versions", "DeleteMarkers")
                for item in page.get(group, [])
            ]
            for start in range(0, len(keys), DELETE_BATCH):
                batch = keys[start : start + DELETE_BATCH]
                self.s3.delete_objects(Bucket=name, Delete={"Objects": batch, "Quiet": True})
        self.s3.delete_bucket(Bucket=name)


def common_prefix(keys: Sequence[str]) -> str:
    """The longest string every key starts with (character by character, as S3 prefixes are)."""
    if not keys:
        return ""
    first, last = min(keys), max(keys)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


class CodeObjectProvider(Provider):
    """Objects named ``<bucket>/<key>``. Destroyed with their bucket, so none is listed as
    owned on its own."""

    kind = Kind.CODE_OBJECT

    @property
    def s3(self) -> Any:
        return self.clients("s3")

    @staticmethod
    def _split(name: str) -> tuple[str, str]:
        bucket, _, key = name.partition("/")
        return bucket, key

    def read(self, resource: Resource) -> Current | None:
        bucket, key = self._split(resource.name)
        try:
            head = self.s3.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error_code(error) in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
                return None
            raise
        tags = tag_dict(self.s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"])
        sha = head.get("Metadata", {}).get(SHA256_METADATA, "")
        return Current({"Sha256": sha}, tags)

    def read_all(self, resources: Sequence[Resource]) -> list[Current | None]:
        """One listing of each bucket, under the keys' common prefix (the code version),
        says which objects exist; only those are read (their digest and tags)."""
        keys: dict[str, list[str]] = {}
        for resource in resources:
            bucket, key = self._split(resource.name)
            keys.setdefault(bucket, []).append(key)
        present: set[str] = set()
        for bucket, wanted in keys.items():
            present.update(f"{bucket}/{key}" for key in self._listed(bucket, wanted))
        return [self.read(r) if r.name in present else None for r in resources]

    def _listed(self, bucket: str, wanted: list[str]) -> set[str]:
        """Those of ``wanted`` keys the bucket holds (none when the bucket does not exist)."""
        listed: set[str] = set()
        paginator = self.s3.get_paginator("list_objects_v2")
        try:
            pages = paginator.paginate(Bucket=bucket, Prefix=common_prefix(wanted))
            for page in pages:
                listed.update(item["Key"] for item in page.get("Contents", []))
        except ClientError as error:
            if error_code(error) != "NoSuchBucket":
                raise
        return listed & set(wanted)

    def create(self, resource: Resource) -> str:
        if resource.payload is None:
            raise ValueError(f"{resource.describe()}: no content to upload")
        bucket, key = self._split(resource.name)
        self.s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=resource.payload,
            Metadata={SHA256_METADATA: sha256_hex(resource.payload)},
            Tagging=urllib.parse.urlencode(sorted(resource.tags.items())),
        )
        return f"uploaded {len(resource.payload)} bytes"

    def update(self, resource: Resource, current: Current) -> str:
        if current.properties.get("Sha256") != resource.properties["Sha256"]:
            return self.create(resource)
        bucket, key = self._split(resource.name)
        tags = {**current.tags, **resource.tags}
        self.s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": tag_list(tags)})
        return "tagged"

    def owned(self, known: Collection[str] = ()) -> list[str]:
        return []

    def delete(self, name: str) -> None:
        bucket, key = self._split(name)
        self.s3.delete_object(Bucket=bucket, Key=key)
