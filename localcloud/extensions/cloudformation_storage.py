"""S3 buckets and SNS topics of a stack, through their APIs.

moto 5.2.5's `AWS::S3::Bucket` model ignored `PublicAccessBlockConfiguration` and
`NotificationConfiguration.EventBridgeConfiguration` (so uploads never reached EventBridge),
and its `AWS::SNS::Topic` dropped `Tags`. Here a bucket is made with CreateBucket and one call per
configuration it names; a property localcloud does not apply fails the resource, naming it,
instead of being skipped. A topic is made with CreateTopic and its attributes and tags.

Return values as CloudFormation documents them: Bucket `Ref` is the name, `Fn::GetAtt` Arn,
DomainName, RegionalDomainName, DualStackDomainName; Topic `Ref` and TopicArn are the ARN,
TopicName the name.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.cloudformation_types import (
    Provisioned,
    ProvisioningError,
    api_tags,
    aws_client,
    register,
)
from localcloud.extensions.patching import PatchSet

BUCKET_FIELDS = {
    "BucketName",
    "BucketEncryption",
    "LifecycleConfiguration",
    "NotificationConfiguration",
    "OwnershipControls",
    "PublicAccessBlockConfiguration",
    "Tags",
    "VersioningConfiguration",
}

API_ENCRYPTION_KEYS = {"ServerSideEncryptionByDefault": "ApplyServerSideEncryptionByDefault"}


def _configure_bucket(s3: Any, bucket: str, properties: dict[str, Any]) -> None:
    if "BucketEncryption" in properties:
        # The template's rule says ServerSideEncryptionByDefault, the API's
        # ApplyServerSideEncryptionByDefault.
        rules = [
            {API_ENCRYPTION_KEYS.get(k, k): v for k, v in rule.items()}
            for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"],
        )
    if "OwnershipControls" in properties:
        s3.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls=properties["OwnershipControls"]
        )
    if "VersioningConfiguration" in properties:
        s3.put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration=properties["VersioningConfiguration"]
        )
    if "LifecycleConfiguration" in properties:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={"Rules": properties["LifecycleConfiguration"]["Rules"]},
        )
    notification = properties.get("NotificationConfiguration")
    if notification is not None:
        unsupported = set(notification) - {"EventBridgeConfiguration"}
        if unsupported:
            raise ProvisioningError(
                f"NotificationConfiguration {sorted(unsupported)} is not supported by "
                "localcloud: route bucket events through EventBridgeConfiguration"
            )
        if notification.get("EventBridgeConfiguration", {}).get("EventBridgeEnabled", True):
            s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
            )
    if properties.get("Tags"):
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": api_tags(properties)})


class Bucket(Provisioned):
    TYPE = "AWS::S3::Bucket"
    ATTRIBUTES = ("Arn", "DomainName", "RegionalDomainName", "DualStackDomainName")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        unsupported = set(properties) - BUCKET_FIELDS
        if unsupported:
            raise ProvisioningError(
                f"AWS::S3::Bucket properties {sorted(unsupported)} are not supported by localcloud"
            )
        bucket = properties.get("BucketName", name)
        s3 = aws_client("s3", region)
        arguments: dict[str, Any] = {"Bucket": bucket}
        if region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**arguments)
        created = cls(
            bucket,
            region,
            Arn=f"arn:aws:s3:::{bucket}",
            DomainName=f"{bucket}.s3.amazonaws.com",
            RegionalDomainName=f"{bucket}.s3.{region}.amazonaws.com",
            DualStackDomainName=f"{bucket}.s3.dualstack.{region}.amazonaws.com",
        )
        try:
            _configure_bucket(s3, bucket, properties)
        except Exception:
            created.remove()
            raise
        return created

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if properties.get("BucketName", name) != self.physical_id:
            return super().change(name, properties)
        _configure_bucket(aws_client("s3", self.region), self.physical_id, properties)
        return self

    def remove(self) -> None:
        # As on AWS, a bucket holding objects is not deleted (BucketNotEmpty fails the delete).
        aws_client("s3", self.region).delete_bucket(Bucket=self.physical_id)


TOPIC_ATTRIBUTES = (
    "ArchivePolicy",
    "ContentBasedDeduplication",
    "DisplayName",
    "FifoTopic",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
)


class Topic(Provisioned):
    TYPE = "AWS::SNS::Topic"
    ATTRIBUTES = ("TopicArn", "TopicName")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        if properties.get("Subscription"):
            raise ProvisioningError("AWS::SNS::Topic Subscription is not supported by localcloud")
        name = properties.get("TopicName", name)
        attributes = {
            k: v if isinstance(v, str) else str(v).lower()
            for k, v in properties.items()
            if k in TOPIC_ATTRIBUTES
        }
        arn = aws_client("sns", region).create_topic(
            Name=name, Attributes=attributes, Tags=api_tags(properties)
        )["TopicArn"]
        return cls(arn, region, TopicArn=arn, TopicName=name)

    def remove(self) -> None:
        aws_client("sns", self.region).delete_topic(TopicArn=self.physical_id)


def install(patches: PatchSet) -> None:
    register(patches, Bucket, Topic)
