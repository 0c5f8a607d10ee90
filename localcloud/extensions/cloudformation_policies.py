"""Resource policies of a stack: `AWS::S3::BucketPolicy`, `AWS::SQS::QueuePolicy`,
`AWS::SNS::TopicPolicy` (moto 5.2.5 has no model for any of them and skipped them silently).

Each is applied through the service's API (PutBucketPolicy, SetQueueAttributes `Policy`,
SetTopicAttributes `Policy`), so GetBucketPolicy and GetQueueAttributes/GetTopicAttributes read
what the template says. `Ref` is an id CloudFormation makes up (no `Fn::GetAtt`). Deleting the
resource removes the policy (a topic gets back the policy it had before, as SNS keeps a default
one).
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.cloudformation_types import (
    Provisioned,
    aws_client,
    generated_id,
    json_text,
    register,
)
from localcloud.extensions.patching import PatchSet


class BucketPolicy(Provisioned):
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        bucket = properties["Bucket"]
        aws_client("s3", region).put_bucket_policy(
            Bucket=bucket, Policy=json_text(properties["PolicyDocument"])
        )
        return cls(generated_id(cls.TYPE, bucket), region, bucket=bucket)

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if properties["Bucket"] != self.attributes["bucket"]:
            return super().change(name, properties)
        return self.create(name, properties, self.region)  # PutBucketPolicy replaces

    def remove(self) -> None:
        aws_client("s3", self.region).delete_bucket_policy(Bucket=self.attributes["bucket"])


class QueuePolicy(Provisioned):
    TYPE = "AWS::SQS::QueuePolicy"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        queues = list(properties["Queues"])
        policy = json_text(properties["PolicyDocument"])
        sqs = aws_client("sqs", region)
        for url in queues:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        return cls(generated_id(cls.TYPE, *queues), region, queues=queues)

    def remove(self) -> None:
        sqs = aws_client("sqs", self.region)
        for url in self.attributes["queues"]:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})


class TopicPolicy(Provisioned):
    TYPE = "AWS::SNS::TopicPolicy"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        topics = list(properties["Topics"])
        policy = json_text(properties["PolicyDocument"])
        sns = aws_client("sns", region)
        before = {}
        for arn in topics:
            before[arn] = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy", "")
            sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)
        return cls(generated_id(cls.TYPE, *topics), region, before=before)

    def remove(self) -> None:
        sns = aws_client("sns", self.region)
        for arn, policy in self.attributes["before"].items():
            sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)


def install(patches: PatchSet) -> None:
    register(patches, BucketPolicy, QueuePolicy, TopicPolicy)
