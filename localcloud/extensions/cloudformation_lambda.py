"""Lambda functions, versions, aliases and permissions of a stack, through the Lambda API.

moto 5.2.5's models dropped a function's `Tags` and `TracingConfig`, had no `AWS::Lambda::Alias`
(skipped, and a permission naming the alias by `Ref` then failed on a missing FunctionName), gave
`AWS::Lambda::Version` neither `Ref` nor `Fn::GetAtt` and ignored its `CodeSha256`, and put a
permission naming an alias on the unqualified function.

Return values as CloudFormation documents them: Function `Ref` is the name, `Fn::GetAtt` Arn;
Version `Ref` is the version ARN, `Fn::GetAtt` Version (the number) and FunctionArn; Alias `Ref`
and AliasArn are the alias ARN; Permission `Ref` is its statement id, which CloudFormation
generates. A Version whose `CodeSha256` differs from the function's code fails, as on AWS.
"""

from __future__ import annotations

from typing import Any

from localcloud.extensions.cloudformation_types import (
    Provisioned,
    ProvisioningError,
    aws_client,
    register,
)
from localcloud.extensions.patching import PatchSet

# Template properties of AWS::Lambda::Function that CreateFunction takes under the same name and
# shape (Code, Tags and the concurrency are converted).
FUNCTION_FIELDS = (
    "Architectures",
    "DeadLetterConfig",
    "Description",
    "Environment",
    "EphemeralStorage",
    "Handler",
    "KmsKeyArn",
    "Layers",
    "LoggingConfig",
    "MemorySize",
    "PackageType",
    "Role",
    "Runtime",
    "Timeout",
    "TracingConfig",
    "VpcConfig",
)


class LambdaFunction(Provisioned):
    TYPE = "AWS::Lambda::Function"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        name = properties.get("FunctionName", name)
        arguments = {k: properties[k] for k in FUNCTION_FIELDS if k in properties}
        code = dict(properties["Code"])
        if "ZipFile" in code:
            code["ZipFile"] = _inline_zip(code["ZipFile"])
        arguments["Code"] = code
        if properties.get("Tags"):
            arguments["Tags"] = {t["Key"]: t["Value"] for t in properties["Tags"]}
        client = aws_client("lambda", region)
        arn = client.create_function(FunctionName=name, **arguments)["FunctionArn"]
        if "ReservedConcurrentExecutions" in properties:
            client.put_function_concurrency(
                FunctionName=name,
                ReservedConcurrentExecutions=int(properties["ReservedConcurrentExecutions"]),
            )
        return cls(name, region, Arn=arn)

    def remove(self) -> None:
        aws_client("lambda", self.region).delete_function(FunctionName=self.physical_id)


def _inline_zip(source: str) -> bytes:
    """`Code.ZipFile` is source text; CloudFormation zips it as a file named index."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


# Template properties of AWS::Lambda::Permission that AddPermission takes under the same name.
PERMISSION_FIELDS = (
    "Action",
    "EventSourceToken",
    "FunctionUrlAuthType",
    "Principal",
    "PrincipalOrgID",
    "SourceAccount",
    "SourceArn",
)


class LambdaPermission(Provisioned):
    TYPE = "AWS::Lambda::Permission"

    @staticmethod
    def _target(function: str) -> dict[str, str]:
        """FunctionName may be a name, an ARN, or a qualified (version or alias) ARN; the
        qualifier selects the policy the statement goes to."""
        parts = function.split(":")
        if function.startswith("arn:") and len(parts) == 8:
            return {"FunctionName": ":".join(parts[:7]), "Qualifier": parts[7]}
        return {"FunctionName": function}

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        target = cls._target(properties["FunctionName"])
        arguments = {k: properties[k] for k in PERMISSION_FIELDS if k in properties}
        aws_client("lambda", region).add_permission(StatementId=name, **target, **arguments)
        return cls(name, region, target=target)

    def remove(self) -> None:
        aws_client("lambda", self.region).remove_permission(
            StatementId=self.physical_id, **self.attributes["target"]
        )


class LambdaVersion(Provisioned):
    TYPE = "AWS::Lambda::Version"
    ATTRIBUTES = ("Version", "FunctionArn")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        client = aws_client("lambda", region)
        function = properties["FunctionName"]
        expected = properties.get("CodeSha256")
        if expected is not None:
            actual = client.get_function_configuration(FunctionName=function)["CodeSha256"]
            if actual != expected:
                raise ProvisioningError(
                    f"CodeSha256 {expected} does not match the code of {function} ({actual})"
                )
        published = client.publish_version(
            FunctionName=function, Description=properties.get("Description", "")
        )
        arn = published["FunctionArn"]
        return cls(arn, region, Version=published["Version"], FunctionArn=arn)

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        # Every property of a version requires replacement; the old one stays (it is
        # immutable, and aliases may still route to it until they are updated).
        return self.create(name, properties, self.region)

    def remove(self) -> None:
        function, _, number = self.physical_id.rpartition(":")
        aws_client("lambda", self.region).delete_function(FunctionName=function, Qualifier=number)


class LambdaAlias(Provisioned):
    TYPE = "AWS::Lambda::Alias"
    ATTRIBUTES = ("AliasArn",)

    @staticmethod
    def _arguments(properties: dict[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "FunctionName": properties["FunctionName"],
            "FunctionVersion": properties["FunctionVersion"],
            "Description": properties.get("Description", ""),
        }
        if "RoutingConfig" in properties:
            weights = properties["RoutingConfig"].get("AdditionalVersionWeights", [])
            arguments["RoutingConfig"] = {
                "AdditionalVersionWeights": {
                    w["FunctionVersion"]: float(w["FunctionWeight"]) for w in weights
                }
            }
        return arguments

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        alias = aws_client("lambda", region).create_alias(
            Name=properties["Name"], **cls._arguments(properties)
        )
        return cls(alias["AliasArn"], region, AliasArn=alias["AliasArn"])

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        function, _, alias = self.physical_id.rpartition(":")
        if properties["Name"] != alias or properties["FunctionName"] not in (
            function,
            function.rpartition(":")[2],
        ):
            return super().change(name, properties)
        aws_client("lambda", self.region).update_alias(Name=alias, **self._arguments(properties))
        return self

    def remove(self) -> None:
        function, _, alias = self.physical_id.rpartition(":")
        aws_client("lambda", self.region).delete_alias(FunctionName=function, Name=alias)


def install(patches: PatchSet) -> None:
    register(patches, LambdaFunction, LambdaVersion, LambdaAlias, LambdaPermission)
