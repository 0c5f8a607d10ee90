"""A stopped cloud waits until its killed jobs' process groups are gone (process_groups.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from localcloud.process_groups import wait_until_gone
from tests.localcloud_helpers import alive


def _group() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )


def test_a_killed_group_is_gone_once_only_zombies_are_left() -> None:
    process = _group()
    try:
        os.killpg(process.pid, signal.SIGKILL)
        # Not reaped yet: the group still has a member, a zombie, which has ended.
        assert wait_until_gone(process.pid, time.monotonic() + 10)
        assert not alive(process.pid)
    finally:
        process.kill()
        process.wait()


def test_the_wait_for_a_running_group_is_bounded() -> None:
    process = _group()
    try:
        assert not wait_until_gone(process.pid, time.monotonic() + 0.05)
        assert alive(process.pid)
    finally:
        process.kill()
        process.wait()
