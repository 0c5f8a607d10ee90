"""The recorded Step Functions corpus (../shared/corpus/sfn-executions/): loading its cases and
running one through a running LocalCloud with plain boto3 calls, as the recording ran it on AWS.

Every case gets its own state machine and execution names (`corpus-<n>`) so all cases share one
cloud; the functions and the machine a case created are deleted after it. Its Lambda functions'
names are fixed by its definition (their ARNs are in it), hence deleted rather than renamed."""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from localcloud import LocalCloud
from localcloud.cloud import ExecutionTimeout
from tests.localcloud_helpers import LAMBDA_TRUST
from tests.sfn_corpus_compare import RECORDED_ACCOUNT_TOKEN, Normaliser, Outcome

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT.parent / "shared" / "corpus" / "sfn-executions"
LAMBDA_ROLE = "corpus-lambda"
SFN_ROLE = "sfn-role-fidelity"  # the recording's role name: its replacement then applies
LOG_GROUP = "corpus-sfn-logs"
# An execution still RUNNING is joined this long per poll (a join, not a sleep; Wait states and
# retries are recorded, not slept, so only a stuck execution uses it up).
JOIN_SECONDS = 0.5
POLLS = 4
_LOG_LEVEL = re.compile(r"_(ALL|ERROR|FATAL|OFF)_(True|False)$")


def load_cases() -> list[dict[str, Any]]:
    """Every case, in file-name order; none when the corpus is absent (user clones)."""
    if not CORPUS.is_dir():
        return []
    return [json.loads(path.read_text()) for path in sorted(CORPUS.glob("*.json"))]


def _zip(module: str, source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{module}.py", source)
    return buffer.getvalue()


class CorpusRunner:
    """Runs cases one after another in one cloud; `run` leaves no resource of the case behind."""

    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self._serial = 0
        self._lambda_role: str | None = None
        self._log_group: str | None = None

    def normaliser(self, case: dict[str, Any]) -> Normaliser:
        return Normaliser(case, self.cloud.account_id, self.cloud.region)

    def _localise(self, text: str) -> str:
        return text.replace(RECORDED_ACCOUNT_TOKEN, self.cloud.account_id)

    def _role_arn(self) -> str:
        return f"arn:aws:iam::{self.cloud.account_id}:role/{SFN_ROLE}"

    def _lambda_role_arn(self) -> str:
        if self._lambda_role is None:
            self._lambda_role = self.cloud.client("iam").create_role(
                RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
            )["Role"]["Arn"]
        return self._lambda_role

    def _log_group_arn(self) -> str:
        if self._log_group is None:
            logs = self.cloud.client("logs")
            logs.create_log_group(logGroupName=LOG_GROUP)
            self._log_group = logs.describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"][
                0
            ]["arn"].removesuffix(":*")
        return f"{self._log_group}:*"

    def _create_extra(self, case: dict[str, Any]) -> dict[str, Any]:
        """The case lists only the names of the extra arguments the recording passed; the
        values are what its test passed (the log level and includeExecutionData are in the
        parametrized name)."""
        extra: dict[str, Any] = {}
        for argument in case.get("create_extra") or []:
            if argument != "loggingConfiguration":
                raise ValueError(f"{case['name']}: no value known for create_extra {argument}")
            level = _LOG_LEVEL.search(case["name"])
            extra["loggingConfiguration"] = {
                "level": level.group(1) if level else "ALL",
                "includeExecutionData": level is None or level.group(2) == "True",
                "destinations": [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": self._log_group_arn()}}
                ],
            }
        return extra

    def _create_functions(self, case: dict[str, Any]) -> list[str]:
        client = self.cloud.client("lambda")
        names = []
        for function in case.get("lambdas") or []:
            module = function["file"].removesuffix(".py")
            client.create_function(
                FunctionName=function["name"],
                Runtime="python3.12",
                Role=self._lambda_role_arn(),
                Handler=f"{module}.handler",
                Code={"ZipFile": _zip(module, function["source"])},
            )
            names.append(function["name"])
        return names

    def run(self, case: dict[str, Any]) -> Outcome:
        """The case's outcome; an exception the in-process engine raised instead of answering
        (as a server would answer 500) is an outcome too: `ENGINE_ERROR`."""
        try:
            return self._run(case)
        except (NotImplementedError, TypeError, ValueError, KeyError, AttributeError) as error:
            return Outcome("ENGINE_ERROR", error=type(error).__name__, cause=str(error))

    def _run(self, case: dict[str, Any]) -> Outcome:
        self._serial += 1
        name = f"corpus-{self._serial}"
        sfn = self.cloud.client("stepfunctions")
        definition = self._localise(case["definition"])
        if case["kind"] == "validate":
            return self._validate(definition, case["type"])
        functions = self._create_functions(case)
        machine: str | None = None
        try:
            try:
                machine = sfn.create_state_machine(
                    name=name,
                    definition=definition,
                    roleArn=self._role_arn(),
                    type=case["type"],
                    **self._create_extra(case),
                )["stateMachineArn"]
            except ClientError as error:
                code = error.response["Error"]["Code"]
                return Outcome("CREATE_FAILED", error=code, cause=str(error))
            if "deleted_log_group" in case["name"]:
                self.cloud.client("logs").delete_log_group(logGroupName=LOG_GROUP)
                self._log_group = None
            if case["kind"] == "create":
                return Outcome("CREATED")
            return self._execute(case, machine, f"exec-{self._serial}")
        finally:
            if machine is not None:
                sfn.delete_state_machine(stateMachineArn=machine)
            for function in functions:
                self.cloud.client("lambda").delete_function(FunctionName=function)

    def _validate(self, definition: str, machine_type: str) -> Outcome:
        sfn = self.cloud.client("stepfunctions")
        try:
            answer = sfn.validate_state_machine_definition(definition=definition, type=machine_type)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            return Outcome(f"API error {code}", error=code, cause=str(error))
        codes = [diagnostic["code"] for diagnostic in answer.get("diagnostics", [])]
        messages = [diagnostic["message"] for diagnostic in answer.get("diagnostics", [])]
        return Outcome(answer["result"], error=codes, cause=messages)

    def _execute(self, case: dict[str, Any], machine: str, execution: str) -> Outcome:
        sfn = self.cloud.client("stepfunctions")
        arguments = {"stateMachineArn": machine, "name": execution}
        if case["input"] is not None:
            arguments["input"] = self._localise(case["input"])
        try:
            if case.get("sync"):
                return _outcome(sfn.start_sync_execution(**arguments))
            arn = sfn.start_execution(**arguments)["executionArn"]
        except ClientError as error:
            code = error.response["Error"]["Code"]
            return Outcome(f"API error {code}", error=code, cause=str(error))
        return _outcome(self._describe_until_ended(arn))

    def _describe_until_ended(self, arn: str) -> dict[str, Any]:
        sfn = self.cloud.client("stepfunctions")
        for _ in range(POLLS):
            described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                return described
            with contextlib.suppress(ExecutionTimeout):
                self.cloud.wait_for_execution(arn, timeout=JOIN_SECONDS)
        # A stuck execution is stopped so that nothing of the case runs on into the next.
        sfn.stop_execution(executionArn=arn)
        return described


def _outcome(answer: dict[str, Any]) -> Outcome:
    output = answer.get("output")
    return Outcome(
        answer["status"],
        output=json.loads(output) if output is not None else None,
        error=answer.get("error"),
        cause=answer.get("cause"),
    )
