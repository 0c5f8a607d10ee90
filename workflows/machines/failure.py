"""The failure path every machine shares: notify through SNS what failed and why, then fail.

Each protected state's Catch records which state failed, the error and the cause in variables;
one NotifyFailure state publishes them with a console link, and the execution then fails with the
original error. The notification goes straight to SNS, with no Lambda in between, so that it
still goes out when the failure is the Lambda's.
"""

from __future__ import annotations

from environments.settings import Settings
from workflows.chain import Chain
from workflows.expressions import jsonata, jsonata_string
from workflows.integrations.messaging import sns_publish
from workflows.states import Fail, Pass, Recoverable, State

SUBJECT_LIMIT = 100  # SNS rejects longer subjects
# A cause can be as long as a task's whole error output; at four UTF-8 bytes a character at most,
# this many characters keep the message under SNS's 256 KB, so a long cause cannot lose the notice.
CAUSE_LIMIT = 32_768


class FailurePath:
    def __init__(self, settings: Settings, machine: str) -> None:
        where = settings.location
        console = f"{where.console()}/states/home?region={where.region}#/v2/executions/details/"
        self.failed = Fail("Failed", error=jsonata("$error"), cause=jsonata("$cause"))
        # Which run failed, and where: `[churn-dev] retrain failed at Train: <execution>`, cut
        # to SNS's 100 characters; the error and cause are in the message.
        subject = jsonata(
            f"$substring({jsonata_string(f'[{settings.prefix}] {machine} failed at ')} & "
            f"$failedState & ': ' & $states.context.Execution.Name, 0, {SUBJECT_LIMIT})"
        )
        message = jsonata(
            "$join(["
            f"{jsonata_string(f'State machine: {settings.name(machine)}')}, "
            "'Execution: ' & $states.context.Execution.Name, "
            "'Failed state: ' & $failedState, "
            "'Error: ' & $error, "
            f"'Cause: ' & ($length($cause) > {CAUSE_LIMIT} ? "
            f"$substring($cause, 0, {CAUSE_LIMIT}) & ' [... ' & "
            f"$string($length($cause) - {CAUSE_LIMIT}) & ' more characters cut]' : $cause), "
            f"'Console: {console}' & $states.context.Execution.Id"
            "], '\\n')"
        )
        self.notify = sns_publish(
            "NotifyFailure", where, topic=settings.topic_name, subject=subject, message=message
        )
        # Delivery of the notice must not hide the original error.
        self.notify.add_catch(self.failed)
        self.notify.next(self.failed)

    @property
    def start(self) -> State:
        return self.notify

    def protect(self, *states: Recoverable) -> None:
        """Catch every error of ``states`` into the failure path."""
        for state in states:
            state.add_catch(
                self.notify,
                assign={
                    "failedState": state.name,
                    "error": jsonata("$states.errorOutput.Error"),
                    "cause": jsonata(
                        "$exists($states.errorOutput.Cause) ? $states.errorOutput.Cause : ''"
                    ),
                },
            )

    def reject_input(
        self,
        name: str,
        cause: str,
        *,
        failed_state: str = "ValidateInput",
        error: str = "InvalidInput",
    ) -> Chain:
        """A Pass that records why the input cannot be used, followed by the failure path."""
        record = Pass(name, assign={"failedState": failed_state, "error": error, "cause": cause})
        return Chain.start(record).next(self.notify)
