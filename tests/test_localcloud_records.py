"""Each LocalCloud keeps its own records: another cloud neither shares nor clears them, and a
second cloud cannot start (and wipe moto's process-wide state) while one runs."""

from __future__ import annotations

import json

import pytest

from localcloud import LocalCloud, recorder
from localcloud.recorder import DELIVERY_CAP, CloudAlreadyRunning, CloudRecords
from tests.localcloud_helpers import create_machine

WAITS_ONCE = {
    "StartAt": "Settle",
    "States": {"Settle": {"Type": "Wait", "Seconds": 600, "End": True}},
}


def _wait_and_deliver(cloud: LocalCloud) -> str:
    """One recorded Wait and one EventBridge delivery (to an SNS topic) in `cloud`."""
    topic = cloud.client("sns").create_topic(Name="records")["TopicArn"]
    events = cloud.client("events")
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["records.test"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "topic", "Arn": topic}])
    cloud.put_events([{"Source": "records.test", "DetailType": "t", "Detail": {}}])
    result = cloud.start_and_wait(create_machine(cloud, WAITS_ONCE, "waits"))
    assert result["status"] == "SUCCEEDED", result
    return str(result["executionArn"])


def test_a_stopped_clouds_records_stay_on_it_and_the_next_cloud_starts_empty() -> None:
    # Guards against module-wide records that every start() cleared: A's records vanished when
    # B started, and B would have seen A's had they not been cleared.
    with LocalCloud() as first:
        execution = _wait_and_deliver(first)
    with LocalCloud() as second:
        assert second.waits() == []
        assert second.deliveries() == []
        assert [(w.execution_arn, w.state, w.seconds) for w in first.waits()] == [
            (execution, "Settle", 600.0)
        ]
        assert [d["rule"] for d in first.deliveries()] == ["all"]
        _wait_and_deliver(second)
        assert len(first.waits()) == 1 and len(first.deliveries()) == 1
        assert len(second.waits()) == 1 and len(second.deliveries()) == 1


def test_a_second_cloud_cannot_start_while_one_runs_and_leaves_it_intact() -> None:
    # Guards against a second start() silently resetting moto's backends and the running
    # cloud's records under it.
    with LocalCloud() as running:
        execution = _wait_and_deliver(running)
        other = LocalCloud()
        with pytest.raises(CloudAlreadyRunning, match="stop it first"):
            other.start()
        machines = running.client("stepfunctions").list_state_machines()["stateMachines"]
        assert [m["name"] for m in machines] == ["waits"]
        assert [w.execution_arn for w in running.waits()] == [execution]
        assert len(running.deliveries()) == 1
    with other:  # once the first has stopped, it starts
        assert other.waits() == []


def test_deliveries_are_a_ring_of_the_newest_with_the_dropped_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Guards against a server keeping every delivery forever (50,000 entries after 100,000
    # events): each cloud keeps the newest DELIVERY_CAP and counts the ones it let go.
    records = CloudRecords()
    for number in range(DELIVERY_CAP + 3):
        records.deliveries.append({"rule": "r", "target": "t", "event": str(number)})
        records.delivery_failures.append({"rule": "r", "target": "t", "error": str(number)})
        records.function_errors.append({"function": "f", "errorType": "E", "errorMessage": ""})
    kept = records.deliveries.items()
    assert len(kept) == DELIVERY_CAP and records.deliveries.dropped == 3
    assert kept[0]["event"] == "3" and kept[-1]["event"] == str(DELIVERY_CAP + 2)
    assert len(records.delivery_failures.items()) == DELIVERY_CAP
    assert len(records.function_errors.items()) == DELIVERY_CAP
    # Through EventBridge routing, with a small ring so the test routes few events.
    monkeypatch.setattr(recorder, "DELIVERY_CAP", 2)
    with LocalCloud() as cloud:
        topic = cloud.client("sns").create_topic(Name="ring")["TopicArn"]
        events = cloud.client("events")
        events.put_rule(Name="all", EventPattern=json.dumps({"source": ["ring.test"]}))
        events.put_targets(Rule="all", Targets=[{"Id": "topic", "Arn": topic}])
        ids = [
            entry["EventId"]
            for entry in cloud.put_events(
                [{"Source": "ring.test", "DetailType": "t", "Detail": {"n": n}} for n in range(5)]
            )["Entries"]
        ]
        assert [d["event"] for d in cloud.deliveries()] == ids[-2:]
        assert cloud.dropped_deliveries() == 3
