"""Ctrl-C for every command: stop cleanly, say so in one line, exit 130 (128 + SIGINT, what a
shell reports for a program SIGINT ended), never a traceback.

Every entry point runs its main function through `run_interruptibly`. Clean-up is the programs'
own `with` and `finally` blocks (an embedded cloud stops its job processes, a server removes its
state file), which run while the interrupt unwinds the stack; a second Ctrl-C during that is
ignored, so that clean-up is not cut short half-way.

Lives in `commandline`, which imports no other package of the project, so that every command
line may import it.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

EXIT_INTERRUPTED = 130


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # Unwinding has begun; from here on Ctrl-C would only interrupt the clean-up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def run_interruptibly(main: Callable[[], int], program: str) -> int:
    """`main()`'s exit code, or EXIT_INTERRUPTED after `<program>: interrupted` on stderr."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
    if previous is None:  # installed outside Python; Python's own is the closest
        previous = signal.default_int_handler
    if in_main_thread:
        signal.signal(signal.SIGINT, _interrupt)
    try:
        return main()
    except KeyboardInterrupt:
        print(f"{program}: interrupted", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
