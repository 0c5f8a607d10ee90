"""Stack fragments and their checks for the CloudFormation resource tests: Step Functions,
IAM and Lambda."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from localcloud import LocalCloud
from tests.cloudformation_helpers import ACCOUNT, ROLE_ARN, TAGS

# -- Step Functions: a machine from a Definition object, its version and a live alias --------
MACHINE = {
    "Machine": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "StateMachineName": "machine",
            "Definition": {
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "Result": {"ran": True}, "End": True}},
            },
            "RoleArn": ROLE_ARN,
            "TracingConfiguration": {"Enabled": True},
        },
    },
    "Version": {
        "Type": "AWS::StepFunctions::StateMachineVersion",
        "Properties": {
            "StateMachineArn": {"Ref": "Machine"},
            "StateMachineRevisionId": {"Fn::GetAtt": ["Machine", "StateMachineRevisionId"]},
        },
    },
    "Live": {
        "Type": "AWS::StepFunctions::StateMachineAlias",
        "Properties": {
            "Name": "live",
            "RoutingConfiguration": [{"StateMachineVersionArn": {"Ref": "Version"}, "Weight": 100}],
        },
    },
}
MACHINE_ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:machine"


def machine_runs(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Arn": MACHINE_ARN,
        "Name": "machine",
        "VersionArn": f"{MACHINE_ARN}:1",
        "AliasArn": f"{MACHINE_ARN}:live",
    }
    described = cloud.client("stepfunctions").describe_state_machine(stateMachineArn=MACHINE_ARN)
    assert described["tracingConfiguration"] == {"enabled": True}
    result = cloud.start_and_wait(outputs["AliasArn"], {})
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"ran": True})


# -- a literal null in a Definition -------------------------------------------------------------
NULL_DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Assign": {"kept": None}, "End": True}},
}


def null_kept(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    described = cloud.client("stepfunctions").describe_state_machine(stateMachineArn=MACHINE_ARN)
    assert json.loads(described["definition"]) == NULL_DEFINITION


# -- IAM: inline policies as JSON, GetAtt Arn --------------------------------------------------
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def role_policy_is_json(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {"Arn": f"arn:aws:iam::{ACCOUNT}:role/worker", "Name": "worker"}
    iam = cloud.client("iam")
    document = iam.get_role_policy(RoleName="worker", PolicyName="reads")["PolicyDocument"]
    assert document == POLICY  # boto3 decodes JSON; the Python text of a dict stays a string
    assert iam.list_role_tags(RoleName="worker")["Tags"] == TAGS


# -- Lambda: function from S3, version pinned by CodeSha256, alias, permission on the alias ----
def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


ZIP = _zip()  # built once: a zip's bytes hold the time it was written


def upload_zip(cloud: LocalCloud) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="code")
    s3.put_object(Bucket="code", Key="fn.zip", Body=ZIP)


def _sha() -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(ZIP).digest()).decode()


FUNCTION = {
    "Role": {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": "fn",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
        },
    },
    "Function": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": "fn",
            "Runtime": "python3.11",
            "Handler": "index.handler",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"S3Bucket": "code", "S3Key": "fn.zip"},
            "TracingConfig": {"Mode": "Active"},
            "Tags": TAGS,
        },
    },
    "Version": {
        "Type": "AWS::Lambda::Version",
        "Properties": {"FunctionName": {"Ref": "Function"}, "CodeSha256": "SHA"},
    },
    "Live": {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "Name": "live",
            "FunctionName": {"Ref": "Function"},
            "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]},
        },
    },
    "Allow": {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": {"Ref": "Live"},
            "Action": "lambda:InvokeFunction",
            "Principal": "events.amazonaws.com",
            "SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r",
        },
    },
}
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn"


def function_resources() -> dict[str, Any]:
    resources = json.loads(json.dumps(FUNCTION))
    resources["Version"]["Properties"]["CodeSha256"] = _sha()
    return dict(resources)


def function_and_alias(cloud: LocalCloud, outputs: dict[str, str]) -> None:
    assert outputs == {
        "Name": "fn",
        "Arn": FUNCTION_ARN,
        "VersionArn": f"{FUNCTION_ARN}:1",
        "Version": "1",
        "AliasArn": f"{FUNCTION_ARN}:live",
    }
    lam = cloud.client("lambda")
    configuration = lam.get_function_configuration(FunctionName="fn")
    assert configuration["TracingConfig"] == {"Mode": "Active"}
    assert lam.list_tags(Resource=FUNCTION_ARN)["Tags"] == {"team": "ml"}
    assert lam.get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "1"
    statements = json.loads(lam.get_policy(FunctionName="fn", Qualifier="live")["Policy"])[
        "Statement"
    ]
    assert [s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in statements] == [
        f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r"
    ]
