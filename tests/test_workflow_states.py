"""Each primitive's ASL against the shape the Amazon States Language specification gives it."""

from __future__ import annotations

import pytest

from asl_validation import validate_definition
from workflows.chain import Chain
from workflows.choice import Choice, Condition
from workflows.concurrency import ExecutionType, Map, Parallel, ProcessorMode
from workflows.errors import Catch, JitterStrategy, Retry
from workflows.expressions import QueryLanguage, jsonata
from workflows.machine import StateMachine
from workflows.states import Fail, Pass, Succeed, Task, Wait

JSONATA, JSONPATH = QueryLanguage.JSONATA, QueryLanguage.JSONPATH
LAMBDA = "arn:aws:states:::lambda:invoke"


def asl(start, language=JSONATA):
    return StateMachine("m", start, query_language=language).to_asl()


def test_machine_top_level_fields():
    definition = StateMachine("m", Pass("Only"), comment="c", timeout_seconds=60).to_asl()
    assert definition == {
        "Comment": "c",
        "QueryLanguage": "JSONata",
        "TimeoutSeconds": 60,
        "StartAt": "Only",
        "States": {"Only": {"Type": "Pass", "End": True}},
    }


def test_pass_jsonata_output_and_assign():
    state = Pass("P", output=jsonata("$states.input.x"), assign={"y": 1})
    assert asl(state)["States"]["P"] == {
        "Type": "Pass",
        "Assign": {"y": 1},
        "Output": "{% $states.input.x %}",
        "End": True,
    }


def test_a_jsonpath_state_makes_the_machine_jsonpath_and_jsonata_states_declare_themselves():
    """AWS allows JSONata states in a JSONPath machine, never JSONPath states in a JSONata one."""
    chain = Chain.start(
        Pass("P", query_language=JSONPATH, result={"a": 1}, result_path="$.r")
    ).next(Pass("Q", output=jsonata("$states.input")))
    definition = asl(chain)
    assert definition["QueryLanguage"] == "JSONPath"
    assert definition["States"] == {
        "P": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "Q"},
        "Q": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Output": "{% $states.input %}",
            "End": True,
        },
    }
    assert validate_definition(definition) == []


def test_an_all_jsonata_machine_declares_jsonata_once():
    definition = asl(Chain.start(Pass("A")).next(Pass("B")))
    assert definition["QueryLanguage"] == "JSONata"
    assert all("QueryLanguage" not in s for s in definition["States"].values())


def test_jsonata_wrapper_adds_inner_spaces_and_refuses_double_wrapping():
    assert jsonata("  $x + 1 ") == "{% $x + 1 %}"
    with pytest.raises(ValueError, match="bare expression"):
        jsonata("{% $x %}")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"seconds": 10}, {"Seconds": 10}),
        ({"seconds": jsonata("$wait")}, {"Seconds": "{% $wait %}"}),
        ({"timestamp": "2026-01-01T00:00:00Z"}, {"Timestamp": "2026-01-01T00:00:00Z"}),
    ],
)
def test_wait_forms(kwargs, field):
    assert asl(Wait("W", **kwargs))["States"]["W"] == {"Type": "Wait", **field, "End": True}


def test_wait_needs_exactly_one_duration():
    with pytest.raises(ValueError, match="exactly one"):
        Wait("W", seconds=1, timestamp="2026-01-01T00:00:00Z")
    with pytest.raises(ValueError, match="exactly one"):
        Wait("W")


def test_task_with_retry_and_catch():
    handler = Fail("Oops", error="E")
    task = Task("T", resource=LAMBDA, arguments={"FunctionName": "f"}, timeout_seconds=30)
    task.add_retry(
        Retry(
            ["Lambda.ServiceException"],
            interval_seconds=2,
            max_attempts=5,
            backoff_rate=1.5,
            max_delay_seconds=30,
            jitter=JitterStrategy.FULL,
        )
    )
    task.add_catch(handler, assign={"err": jsonata("$states.errorOutput")})
    state = asl(task)["States"]["T"]
    assert state == {
        "Type": "Task",
        "Resource": LAMBDA,
        "Arguments": {"FunctionName": "f"},
        "TimeoutSeconds": 30,
        "Retry": [
            {
                "ErrorEquals": ["Lambda.ServiceException"],
                "IntervalSeconds": 2,
                "MaxAttempts": 5,
                "BackoffRate": 1.5,
                "MaxDelaySeconds": 30,
                "JitterStrategy": "FULL",
            }
        ],
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": "Oops",
                "Assign": {"err": "{% $states.errorOutput %}"},
            }
        ],
        "End": True,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interval_seconds": 0}, "interval_seconds"),
        ({"backoff_rate": 0.5}, "backoff_rate"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"max_delay_seconds": 0}, "max_delay_seconds"),
    ],
)
def test_retry_rejects_values_the_service_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Retry(["States.ALL"], **kwargs)


def test_states_all_must_stand_alone():
    with pytest.raises(ValueError, match="alone"):
        Retry(["States.ALL", "States.Timeout"])
    with pytest.raises(ValueError, match="alone"):
        Catch(["States.TaskFailed", "States.ALL"], Succeed("S"))
    with pytest.raises(ValueError, match="at least one"):
        Retry([])


def test_choice_jsonata_when_otherwise():
    choice = (
        Choice("C")
        .when(Condition.jsonata("$x > 1"), Succeed("Big"), assign={"size": "big"})
        .otherwise(Fail("Small"))
    )
    assert asl(choice)["States"]["C"] == {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $x > 1 %}", "Assign": {"size": "big"}, "Next": "Big"}],
        "Default": "Small",
    }


def test_choice_jsonpath_rules():
    rule = Condition.and_(
        Condition.string_equals("$.status", "ok"),
        Condition.not_(Condition.is_present("$.error")),
    )
    choice = (
        Choice("C", query_language=JSONPATH).when(rule, Succeed("Yes")).otherwise(Succeed("No"))
    )
    state = asl(choice)["States"]["C"]
    assert state["Choices"] == [
        {
            "And": [
                {"Variable": "$.status", "StringEquals": "ok"},
                {"Not": {"Variable": "$.error", "IsPresent": True}},
            ],
            "Next": "Yes",
        }
    ]


def test_choice_language_mismatch_is_refused():
    choice = Choice("C").when(Condition.string_equals("$.a", "b"), Succeed("S"))
    with pytest.raises(ValueError, match="JSONPath comparison rules"):
        asl(choice)
    with pytest.raises(ValueError, match="must be a JSONPath"):
        Condition.string_equals("status", "ok")


def test_parallel_branches_are_scopes():
    parallel = Parallel("P", branches=[Chain.start(Pass("A")).next(Pass("B")), Succeed("C")])
    state = asl(parallel)["States"]["P"]
    assert state["Branches"] == [
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}},
        },
        {"StartAt": "C", "States": {"C": {"Type": "Succeed"}}},
    ]


def test_inline_map():
    state = asl(
        Map(
            "M", item_processor=Pass("Item"), items=jsonata("$states.input.rows"), max_concurrency=4
        )
    )["States"]["M"]
    assert state == {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Item",
            "States": {"Item": {"Type": "Pass", "End": True}},
        },
        "Items": "{% $states.input.rows %}",
        "MaxConcurrency": 4,
        "End": True,
    }


def test_distributed_map():
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Arguments": {"Bucket": "b", "Key": "k.csv"},
    }
    state = asl(
        Map(
            "M",
            item_processor=Pass("Item"),
            mode=ProcessorMode.DISTRIBUTED,
            execution_type=ExecutionType.EXPRESS,
            item_reader=reader,
            item_batcher={"MaxItemsPerBatch": 10},
            result_writer={
                "Resource": "arn:aws:states:::s3:putObject",
                "Arguments": {"Bucket": "b", "Prefix": "out"},
            },
            tolerated_failure_percentage=5,
            label="rows",
        )
    )["States"]["M"]
    assert state["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    assert state["ItemReader"] == reader
    assert state["ItemBatcher"] == {"MaxItemsPerBatch": 10}
    assert state["ToleratedFailurePercentage"] == 5
    assert state["Label"] == "rows"


def test_distributed_map_needs_execution_type_and_inline_refuses_reader():
    with pytest.raises(ValueError, match="execution_type"):
        Map("M", item_processor=Pass("I"), mode=ProcessorMode.DISTRIBUTED)
    with pytest.raises(ValueError, match="DISTRIBUTED"):
        Map("M", item_processor=Pass("I"), item_reader={"Resource": "x"})


def test_fail_with_jsonata_and_jsonpath_fields():
    assert asl(Fail("F", error=jsonata("$e"), cause="why"))["States"]["F"] == {
        "Type": "Fail",
        "Error": "{% $e %}",
        "Cause": "why",
    }
    fail = Fail("F", error_path="$.Error", cause_path="$.Cause")
    assert asl(fail, JSONPATH)["States"]["F"] == {
        "Type": "Fail",
        "ErrorPath": "$.Error",
        "CausePath": "$.Cause",
    }


def test_succeed_may_shape_its_output():
    assert asl(Succeed("S", output={"ok": True}))["States"]["S"] == {
        "Type": "Succeed",
        "Output": {"ok": True},
    }


def test_chain_links_in_order_and_emits_deterministically():
    def build():
        return StateMachine("m", Chain.sequence(Pass("A"), Wait("B", seconds=1), Succeed("C")))

    first, second = build().to_asl(), build().to_asl()
    assert first == second
    assert list(first["States"]) == ["A", "B", "C"]
    assert first["States"]["A"]["Next"] == "B"
    assert first["States"]["B"]["Next"] == "C"


def test_a_state_has_one_next():
    a = Pass("A")
    a.next(Pass("B"))
    with pytest.raises(ValueError, match='already goes to "B"'):
        a.next(Pass("C"))


def test_nothing_chains_after_a_terminal_state():
    with pytest.raises(ValueError, match="no open end"):
        Chain.start(Succeed("Done")).next(Pass("After"))


def test_a_state_is_its_own_start_state_so_builders_take_a_state_or_a_chain_alike():
    # Guards State.start_state: Choice, Parallel, Map, Catch and StateMachine read it from
    # whatever they are given instead of asking whether it is a Chain.
    done = Succeed("Done")
    assert done.start_state is done
    chain = Chain.start(Pass("A")).next(Pass("B"))
    assert chain.start_state.name == "A"
    by_state = asl(Choice("C").when(Condition.jsonata("true"), Pass("A")).otherwise(done))
    by_chain = asl(Choice("C").when(Condition.jsonata("true"), chain).otherwise(done))
    assert by_state["States"]["C"] == by_chain["States"]["C"]
    assert by_chain["States"]["A"]["Next"] == "B"
