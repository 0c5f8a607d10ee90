"""IAM roles with their trust policy and inline policies.

Properties: ``Description``, ``AssumeRolePolicyDocument`` and ``Policies``, a list of
``{"PolicyName", "PolicyDocument"}`` sorted by name, so an inline policy that is no longer
declared shows as a difference and is removed, and ``ManagedPolicyArns``, sorted.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from botocore.exceptions import ClientError

from deploy.compare import canonical_policy, differences
from deploy.model import Kind, Resource
from deploy.providers.base import (
    Current,
    Provider,
    error_code,
    tag_dict,
    tag_list,
)


class RoleProvider(Provider):
    kind = Kind.ROLE

    @property
    def iam(self) -> Any:
        return self.clients("iam")

    def read(self, resource: Resource) -> Current | None:
        name = resource.name
        try:
            role = self.iam.get_role(RoleName=name)["Role"]
        except ClientError as error:
            if error_code(error) == "NoSuchEntity":
                return None
            raise
        policies = []
        for page in self.iam.get_paginator("list_role_policies").paginate(RoleName=name):
            for policy_name in page["PolicyNames"]:
                document = self.iam.get_role_policy(RoleName=name, PolicyName=policy_name)
                policies.append(
                    {
                        "PolicyName": policy_name,
                        "PolicyDocument": canonical_policy(document["PolicyDocument"]),
                    }
                )
        properties = {
            "Description": role.get("Description", ""),
            "AssumeRolePolicyDocument": canonical_policy(role["AssumeRolePolicyDocument"]),
            "Policies": sorted(policies, key=lambda p: p["PolicyName"]),
            "ManagedPolicyArns": self._attached(name),
        }
        boundary = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        if boundary is not None:
            properties["PermissionsBoundary"] = boundary
        # GetRole answers with the role's tags (all of them: a role holds at most 50).
        return Current(properties, tag_dict(role.get("Tags", [])))

    def create(self, resource: Resource) -> str:
        desired = resource.properties
        self.iam.create_role(
            RoleName=resource.name,
            AssumeRolePolicyDocument=json.dumps(desired["AssumeRolePolicyDocument"]),
            Description=desired["Description"],
            PermissionsBoundary=desired["PermissionsBoundary"],
            Tags=tag_list(resource.tags),
        )
        for policy in desired["Policies"]:
            self._put_policy(resource.name, policy)
        for arn in desired["ManagedPolicyArns"]:
            self.iam.attach_role_policy(RoleName=resource.name, PolicyArn=arn)
        return f"created with {len(desired['Policies'])} inline policies"

    def _attached(self, name: str) -> list[str]:
        arns: list[str] = []
        for page in self.iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
            arns.extend(p["PolicyArn"] for p in page["AttachedPolicies"])
        return sorted(arns)

    def _put_policy(self, role: str, policy: dict[str, Any]) -> None:
        self.iam.put_role_policy(
            RoleName=role,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )

    def update(self, resource: Resource, current: Current) -> str:
        name, desired, have = resource.name, resource.properties, current.properties
        notes = []
        # First: the deployer may write a role's policy only once it carries the boundary (a
        # role created before the boundary existed gets it here).
        if have.get("PermissionsBoundary") != desired["PermissionsBoundary"]:
            self.iam.put_role_permissions_boundary(
                RoleName=name, PermissionsBoundary=desired["PermissionsBoundary"]
            )
            notes.append("permissions boundary")
        if differences(desired["AssumeRolePolicyDocument"], have["AssumeRolePolicyDocument"]):
            self.iam.update_assume_role_policy(
                RoleName=name, PolicyDocument=json.dumps(desired["AssumeRolePolicyDocument"])
            )
            notes.append("trust policy")
        if desired["Description"] != have["Description"]:
            self.iam.update_role(RoleName=name, Description=desired["Description"])
            notes.append("description")
        existing = {p["PolicyName"]: p["PolicyDocument"] for p in have["Policies"]}
        wanted = {p["PolicyName"]: p for p in desired["Policies"]}
        for policy_name, policy in wanted.items():
            if policy_name not in existing or differences(
                policy["PolicyDocument"], existing[policy_name]
            ):
                self._put_policy(name, policy)
                notes.append(f"policy {policy_name}")
        for policy_name in sorted(set(existing) - set(wanted)):
            self.iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
            notes.append(f"removed policy {policy_name}")
        attached = set(have["ManagedPolicyArns"])
        for arn in sorted(set(desired["ManagedPolicyArns"]) - attached):
            self.iam.attach_role_policy(RoleName=name, PolicyArn=arn)
            notes.append(f"attached {arn}")
        for arn in sorted(attached - set(desired["ManagedPolicyArns"])):
            self.iam.detach_role_policy(RoleName=name, PolicyArn=arn)
            notes.append(f"detached {arn}")
        if self.tags_differ(resource, current):
            self.iam.tag_role(RoleName=name, Tags=tag_list(resource.tags))
            notes.append("tags")
        return "updated " + ", ".join(notes)

    def owned(self, known: Collection[str] = ()) -> list[str]:
        names = []
        for page in self.iam.get_paginator("list_roles").paginate():
            for role in page["Roles"]:
                name = role["RoleName"]
                if name.startswith(self.name_prefix) and name not in known:
                    tags = tag_dict(self.iam.list_role_tags(RoleName=name).get("Tags", []))
                    if self.owns(tags):
                        names.append(name)
        return names

    def delete(self, name: str) -> None:
        for page in self.iam.get_paginator("list_role_policies").paginate(RoleName=name):
            for policy_name in page["PolicyNames"]:
                self.iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
        for arn in self._attached(name):
            self.iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        self.iam.delete_role(RoleName=name)
