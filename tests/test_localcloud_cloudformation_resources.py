"""Each resource type a stack holds is created where the rest of the embedded cloud reads it, with
`Ref` and `Fn::GetAtt` as CloudFormation documents them. Every case names the extension it
guards; `test_without_the_extension_the_resource_is_missing_or_wrong` shows each one's gap."""

from __future__ import annotations

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled
from tests.cloudformation_compute_cases import (
    MACHINE,
    NULL_DEFINITION,
    POLICY,
    TRUST,
    function_and_alias,
    function_resources,
    machine_runs,
    null_kept,
    role_policy_is_json,
    upload_zip,
)
from tests.cloudformation_data_cases import (
    ALARM,
    GROUP,
    POLICIES,
    SCHEDULES,
    STORAGE,
    TRAIL,
    alarm_exists,
    group_exists,
    policies_applied,
    schedule_in_group,
    storage_configured,
    trail_logs,
)
from tests.cloudformation_helpers import (
    ROLE_ARN,
    TAGS,
    Case,
    create_stack,
    events_of,
    get_att,
    outputs_of,
)

CASES = {
    "state machine, version, alias": Case(
        "cloudformation_state_machines",
        MACHINE,
        {
            "Arn": {"Ref": "Machine"},
            "Name": get_att("Machine", "Name"),
            "VersionArn": {"Ref": "Version"},
            "AliasArn": {"Ref": "Live"},
        },
        machine_runs,
    ),
    "literal null": Case(
        "cloudformation_template_nulls",
        {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": "machine",
                    "Definition": NULL_DEFINITION,
                    "RoleArn": ROLE_ARN,
                },
            }
        },
        {},
        null_kept,
    ),
    "role": Case(
        "cloudformation_iam_roles",
        {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "worker",
                    "AssumeRolePolicyDocument": TRUST,
                    "Policies": [{"PolicyName": "reads", "PolicyDocument": POLICY}],
                    "Tags": TAGS,
                },
            }
        },
        {"Arn": get_att("Role", "Arn"), "Name": {"Ref": "Role"}},
        role_policy_is_json,
    ),
    "function, version, alias, permission": Case(
        "cloudformation_lambda",
        function_resources(),
        {
            "Name": {"Ref": "Function"},
            "Arn": get_att("Function", "Arn"),
            "VersionArn": {"Ref": "Version"},
            "Version": get_att("Version", "Version"),
            "AliasArn": {"Ref": "Live"},
        },
        function_and_alias,
        upload_zip,
    ),
    "bucket and topic": Case(
        "cloudformation_storage",
        STORAGE,
        {
            "Bucket": {"Ref": "Bucket"},
            "BucketArn": get_att("Bucket", "Arn"),
            "Topic": {"Ref": "Topic"},
        },
        storage_configured,
    ),
    "policies": Case("cloudformation_policies", POLICIES, {}, policies_applied),
    "model package group": Case(
        "cloudformation_model_package_group",
        GROUP,
        {"Ref": {"Ref": "Group"}, "Arn": get_att("Group", "ModelPackageGroupArn")},
        group_exists,
    ),
    "schedule group and schedule": Case(
        "cloudformation_schedules",
        SCHEDULES,
        {
            "Group": {"Ref": "Group"},
            "GroupArn": get_att("Group", "Arn"),
            "Schedule": {"Ref": "Daily"},
            "ScheduleArn": get_att("Daily", "Arn"),
        },
        schedule_in_group,
    ),
    "alarm": Case(
        "cloudformation_alarms",
        ALARM,
        {"Ref": {"Ref": "Alarm"}, "Arn": get_att("Alarm", "Arn")},
        alarm_exists,
    ),
    "trail": Case(
        "cloudformation_trails",
        TRAIL,
        {"Ref": {"Ref": "Trail"}, "Arn": get_att("Trail", "Arn")},
        trail_logs,
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_stack_creates_the_resource_as_the_api_reads_it(
    localcloud: LocalCloud, case: Case
) -> None:
    case.prepare(localcloud)
    stack = create_stack(localcloud, case.resources, case.outputs)
    assert stack["StackStatus"] == "CREATE_COMPLETE", events_of(localcloud)
    case.check(localcloud, outputs_of(stack))


def _broken(cloud: LocalCloud, case: Case) -> bool:
    case.prepare(cloud)
    try:
        stack = create_stack(cloud, case.resources, case.outputs)
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        case.check(cloud, outputs_of(stack))
    except Exception:  # a failed stack, a missing resource, a wrong value: each is the gap
        return True
    return False


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_without_the_extension_the_resource_is_missing_or_wrong(case: Case) -> None:
    with extensions_disabled(case.extension), LocalCloud() as cloud:
        assert _broken(cloud, case)


def test_without_the_type_hook_state_machines_land_in_the_backend_that_does_not_run_them() -> None:
    """`cloudformation_types` puts localcloud's provisioners in front of moto's models."""
    with extensions_disabled("cloudformation_types"), LocalCloud() as cloud:
        assert _broken(cloud, CASES["state machine, version, alias"])
