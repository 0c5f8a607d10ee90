"""`quiet_interpreter_logs`: moto's own log records (the interpreter logs every failed state with
a Python repr of the state it was evaluating, several KB each) reach only the handlers an
application configured, never stderr through logging's last-resort handler. AWS reports a failure
in the execution history and DescribeExecution, not on the caller's terminal."""

from __future__ import annotations

import logging

from localcloud.extensions.patching import PatchSet

LOGGER = "moto"


def install(patches: PatchSet) -> None:
    logger = logging.getLogger(LOGGER)
    # A NullHandler makes logging find a handler, so its last resort (stderr) is never used;
    # records still propagate to any handler the application put on the root logger.
    handler = logging.NullHandler()
    logger.addHandler(handler)
    patches.on_undo(lambda: logger.removeHandler(handler))
