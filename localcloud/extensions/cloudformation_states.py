"""Step Functions resources of a stack, created in the backend that executes them.

moto 5.2.5 has two Step Functions backends: `stepfunctions_backends` (no interpreter) and the
parser's `stepfunctions_parser_backends`, which the API serves when executions run (localcloud
always). moto's CloudFormation model wrote state machines into the first, read only
`DefinitionString` (a `Definition` object became an empty definition), and had no model for
`AWS::StepFunctions::StateMachineVersion` or `...Alias`. Here all three go through the Step
Functions API of the embedded cloud, so a stack's machine starts and runs like a deployed one.

Return values as CloudFormation documents them: StateMachine `Ref` is the ARN, `Fn::GetAtt`
Arn, Name, StateMachineName, StateMachineRevisionId; StateMachineVersion `Ref` and Arn are the
version ARN; StateMachineAlias `Ref` and Arn are the alias ARN.
"""

from __future__ import annotations

import hashlib
from typing import Any

from localcloud.extensions.cloudformation_types import (
    Provisioned,
    ProvisioningError,
    api_tags,
    aws_client,
    camel_keys,
    json_text,
    register,
)
from localcloud.extensions.patching import PatchSet


def _definition(properties: dict[str, Any]) -> str:
    if "DefinitionS3Location" in properties:
        raise ProvisioningError(
            "DefinitionS3Location is not supported by localcloud: give Definition or "
            "DefinitionString"
        )
    text = json_text(properties.get("Definition", properties.get("DefinitionString", "")))
    for key, value in properties.get("DefinitionSubstitutions", {}).items():
        text = text.replace("${" + key + "}", str(value))
    return text


def _configuration(properties: dict[str, Any]) -> dict[str, Any]:
    given = {
        "loggingConfiguration": properties.get("LoggingConfiguration"),
        "tracingConfiguration": properties.get("TracingConfiguration"),
    }
    return {k: camel_keys(v) for k, v in given.items() if v is not None}


def _revision(definition: str, role_arn: str) -> str:
    # AWS returns an opaque id that changes with every update; the content stands for it.
    return hashlib.sha256(f"{definition}\n{role_arn}".encode()).hexdigest()


class StateMachine(Provisioned):
    TYPE = "AWS::StepFunctions::StateMachine"
    ATTRIBUTES = ("Arn", "Name", "StateMachineName", "StateMachineRevisionId")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        name = properties.get("StateMachineName", name)
        definition = _definition(properties)
        role = properties["RoleArn"]
        arn = aws_client("stepfunctions", region).create_state_machine(
            name=name,
            definition=definition,
            roleArn=role,
            type=properties.get("StateMachineType", "STANDARD"),
            tags=api_tags(properties, "key", "value"),
            **_configuration(properties),
        )["stateMachineArn"]
        return cls(
            arn,
            region,
            Arn=arn,
            Name=name,
            StateMachineName=name,
            StateMachineRevisionId=_revision(definition, role),
        )

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if properties.get("StateMachineName", name) != self.attributes["Name"]:
            return super().change(name, properties)  # a new name replaces the machine
        definition = _definition(properties)
        role = properties["RoleArn"]
        aws_client("stepfunctions", self.region).update_state_machine(
            stateMachineArn=self.physical_id,
            definition=definition,
            roleArn=role,
            **_configuration(properties),
        )
        self.attributes["StateMachineRevisionId"] = _revision(definition, role)
        return self

    def remove(self) -> None:
        aws_client("stepfunctions", self.region).delete_state_machine(
            stateMachineArn=self.physical_id
        )


class StateMachineVersion(Provisioned):
    TYPE = "AWS::StepFunctions::StateMachineVersion"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        arguments = {"stateMachineArn": properties["StateMachineArn"]}
        if "Description" in properties:
            arguments["description"] = properties["Description"]
        arn = aws_client("stepfunctions", region).publish_state_machine_version(**arguments)[
            "stateMachineVersionArn"
        ]
        return cls(arn, region, Arn=arn)

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        # Every property of a version requires replacement; the old version is kept (AWS
        # deletes it after the update completes, localcloud keeps history readable).
        return self.create(name, properties, self.region)

    def remove(self) -> None:
        # moto 5.2.5 has no DeleteStateMachineVersion: the version leaves its machine directly.
        from moto.stepfunctions.responses import get_backend

        machine_arn, _, number = self.physical_id.rpartition(":")
        backend = get_backend(_account(self.physical_id), self.region)
        for machine in backend.state_machines:
            if machine.arn == machine_arn:
                machine.versions.pop(int(number), None)


class StateMachineAlias(Provisioned):
    TYPE = "AWS::StepFunctions::StateMachineAlias"
    ATTRIBUTES = ("Arn",)

    @staticmethod
    def _routing(properties: dict[str, Any]) -> list[dict[str, Any]]:
        if "RoutingConfiguration" in properties:
            return [
                {"stateMachineVersionArn": r["StateMachineVersionArn"], "weight": r["Weight"]}
                for r in properties["RoutingConfiguration"]
            ]
        preference = properties.get("DeploymentPreference")
        if preference is None:
            raise ProvisioningError("give RoutingConfiguration or DeploymentPreference")
        # A gradual deployment ends with all traffic on the new version; localcloud has no
        # alarms to watch during it, so it ends at once.
        return [{"stateMachineVersionArn": preference["StateMachineVersionArn"], "weight": 100}]

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], region: str) -> Provisioned:
        arguments: dict[str, Any] = {
            "name": properties.get("Name", name),
            "routingConfiguration": cls._routing(properties),
        }
        if "Description" in properties:
            arguments["description"] = properties["Description"]
        arn = aws_client("stepfunctions", region).create_state_machine_alias(**arguments)[
            "stateMachineAliasArn"
        ]
        return cls(arn, region, Arn=arn)

    def change(self, name: str, properties: dict[str, Any]) -> Provisioned:
        if properties.get("Name", name) != self.physical_id.rpartition(":")[2]:
            return super().change(name, properties)
        arguments: dict[str, Any] = {
            "stateMachineAliasArn": self.physical_id,
            "routingConfiguration": self._routing(properties),
        }
        if "Description" in properties:
            arguments["description"] = properties["Description"]
        aws_client("stepfunctions", self.region).update_state_machine_alias(**arguments)
        return self

    def remove(self) -> None:
        aws_client("stepfunctions", self.region).delete_state_machine_alias(
            stateMachineAliasArn=self.physical_id
        )


def _account(arn: str) -> str:
    return arn.split(":")[4]


def install(patches: PatchSet) -> None:
    register(patches, StateMachine, StateMachineVersion, StateMachineAlias)
