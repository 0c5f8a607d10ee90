"""IAM roles of a stack, through the IAM API.

moto 5.2.5's `AWS::IAM::Role` model stored each inline policy of `Policies` as the Python text of
the template's object (`{'Version': ...}`, single quotes), so GetRolePolicy returned a document
that is not JSON; it also never validated the documents and ignored `ManagedPolicyArns`. Here the
role is created with CreateRole, each inline policy put with PutRolePolicy (JSON, validated as
IAM validates it) and each managed policy attached.

Return values as CloudFormation documents them: `Ref` is the role name, `Fn::GetAtt` Arn and
RoleId.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.cloudformation_types import (
    Provisioned,
    api_tags,
    aws_client,
    json_text,
    register,
)
from localcloud.extensions.patching import PatchSet


class Role(Provisioned):
    TYPE = "AWS::IAM::Role"
    ATTRIBUTES = ("Arn", "RoleId")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        iam = aws_client("iam", region)
        name = properties.get("RoleName", name)
        arguments: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": json_text(properties["AssumeRolePolicyDocument"]),
            "Path": properties.get("Path", "/"),
            "Description": properties.get("Description", ""),
            "MaxSessionDuration": int(properties.get("MaxSessionDuration", 3600)),
        }
        if properties.get("PermissionsBoundary"):
            arguments["PermissionsBoundary"] = properties["PermissionsBoundary"]
        if properties.get("Tags"):
            arguments["Tags"] = api_tags(properties)
        role = iam.create_role(**arguments)["Role"]
        created = cls(name, region, Arn=role["Arn"], RoleId=role["RoleId"])
        try:
            created._apply_policies(properties)
        except Exception:
            created.remove()  # a role whose policies failed is not left behind half-made
            raise
        return created

    def _apply_policies(self, properties: dict[str, Any]) -> None:
        iam = aws_client("iam", self.region)
        wanted = {p["PolicyName"]: p["PolicyDocument"] for p in properties.get("Policies", [])}
        for existing in iam.list_role_policies(RoleName=self.physical_id)["PolicyNames"]:
            if existing not in wanted:
                iam.delete_role_policy(RoleName=self.physical_id, PolicyName=existing)
        for policy_name, document in wanted.items():
            iam.put_role_policy(
                RoleName=self.physical_id,
                PolicyName=policy_name,
                PolicyDocument=json_text(document),
            )
        managed = set(properties.get("ManagedPolicyArns", []))
        attached = iam.list_attached_role_policies(RoleName=self.physical_id)["AttachedPolicies"]
        for policy in attached:
            if policy["PolicyArn"] not in managed:
                iam.detach_role_policy(RoleName=self.physical_id, PolicyArn=policy["PolicyArn"])
        for arn in sorted(managed):
            iam.attach_role_policy(RoleName=self.physical_id, PolicyArn=arn)

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if properties.get("RoleName", name) != self.physical_id:
            return super().change(name, properties)
        iam = aws_client("iam", self.region)
        iam.update_assume_role_policy(
            RoleName=self.physical_id,
            PolicyDocument=json_text(properties["AssumeRolePolicyDocument"]),
        )
        iam.update_role(
            RoleName=self.physical_id,
            Description=properties.get("Description", ""),
            MaxSessionDuration=int(properties.get("MaxSessionDuration", 3600)),
        )
        self._apply_policies(properties)
        return self

    def remove(self) -> None:
        iam = aws_client("iam", self.region)
        for policy_name in iam.list_role_policies(RoleName=self.physical_id)["PolicyNames"]:
            iam.delete_role_policy(RoleName=self.physical_id, PolicyName=policy_name)
        attached = iam.list_attached_role_policies(RoleName=self.physical_id)["AttachedPolicies"]
        for policy in attached:
            iam.detach_role_policy(RoleName=self.physical_id, PolicyArn=policy["PolicyArn"])
        iam.delete_role(RoleName=self.physical_id)


def install(patches: PatchSet) -> None:
    register(patches, Role)
