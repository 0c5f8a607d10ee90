"""Scheduler's schedule groups as AWS keeps them (the `schedule_groups` extension): a schedule
needs an existing group, a group name is taken once, and a deleted group's tags go with it."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

TARGET = {
    "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f",
    "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
}
TAGS = [{"Key": "environment", "Value": "dev"}, {"Key": "project", "Value": "churn"}]


def _schedule(scheduler: Any, group: str) -> Any:
    return scheduler.create_schedule(
        Name="nightly",
        GroupName=group,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=TARGET,
    )


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_a_schedule_in_a_missing_group_is_not_found(localcloud: LocalCloud) -> None:
    scheduler = localcloud.client("scheduler")
    with pytest.raises(ClientError) as missing:
        _schedule(scheduler, "churn-dev")
    assert _code(missing) == "ResourceNotFoundException"
    scheduler.create_schedule_group(Name="churn-dev")
    assert _schedule(scheduler, "churn-dev")["ScheduleArn"].endswith(":schedule/churn-dev/nightly")


def test_a_group_name_is_taken_once_and_keeps_its_schedules(localcloud: LocalCloud) -> None:
    scheduler = localcloud.client("scheduler")
    scheduler.create_schedule_group(Name="churn-dev", Tags=TAGS)
    _schedule(scheduler, "churn-dev")
    with pytest.raises(ClientError) as taken:
        scheduler.create_schedule_group(Name="churn-dev")
    assert _code(taken) == "ConflictException"
    assert scheduler.get_schedule(Name="nightly", GroupName="churn-dev")["GroupName"] == "churn-dev"


def test_a_deleted_group_takes_its_schedules_and_tags(localcloud: LocalCloud) -> None:
    scheduler = localcloud.client("scheduler")
    arn = scheduler.create_schedule_group(Name="churn-dev", Tags=TAGS)["ScheduleGroupArn"]
    _schedule(scheduler, "churn-dev")
    scheduler.delete_schedule_group(Name="churn-dev")
    assert scheduler.list_schedules()["Schedules"] == []
    with pytest.raises(ClientError) as gone:
        scheduler.delete_schedule_group(Name="churn-dev")
    assert _code(gone) == "ResourceNotFoundException"
    scheduler.create_schedule_group(Name="churn-dev")
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == []


def test_without_the_extension_moto_differs_from_aws() -> None:
    with extensions_disabled("schedule_groups"), LocalCloud() as cloud:
        scheduler = cloud.client("scheduler")
        with pytest.raises(KeyError):
            _schedule(scheduler, "churn-dev")
        arn = scheduler.create_schedule_group(Name="churn-dev", Tags=TAGS)["ScheduleGroupArn"]
        _schedule(scheduler, "churn-dev")
        scheduler.create_schedule_group(Name="churn-dev")  # replaces the group silently
        assert scheduler.list_schedules()["Schedules"] == []
        scheduler.delete_schedule_group(Name="churn-dev")
        scheduler.create_schedule_group(Name="churn-dev")
        assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == TAGS
