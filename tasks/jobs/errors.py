"""The one error a job raises for bad input, and how a job reports it to SageMaker.

SageMaker reads a failed training job's reason from /opt/ml/output/failure (FailureReason) and
a processing job's from /opt/ml/output/message (ExitMessage, first 1 KB): the job writes its
reason there, prints it, and exits non-zero so no artefact is ever taken as a success.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path

TRAINING_FAILURE_FILE = "/opt/ml/output/failure"
PROCESSING_MESSAGE_FILE = "/opt/ml/output/message"


class JobInputError(Exception):
    """Input data or configuration the job cannot use; the message says what and how to fix it."""


def run_job(main: Callable[[], None], failure_file: str) -> int:
    """Run `main`; on any error record the reason in `failure_file` and return exit status 1."""
    try:
        main()
    except JobInputError as exc:
        return _fail(f"{exc}", failure_file)
    except Exception as exc:  # any crash must still leave a reason behind
        traceback.print_exc()
        return _fail(f"{type(exc).__name__}: {exc}", failure_file)
    return 0


def _fail(reason: str, failure_file: str) -> int:
    print(f"ERROR: {reason}", file=sys.stderr, flush=True)
    try:
        path = Path(failure_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        # ExitMessage keeps 1 KB; keep the start, which names the problem.
        path.write_text(reason.encode("utf-8")[:1024].decode("utf-8", "ignore"), encoding="utf-8")
    except OSError as exc:
        print(f"could not write {failure_file}: {exc}", file=sys.stderr)
    return 1
