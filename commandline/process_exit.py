"""How a command's process ends.

At shutdown the interpreter collects garbage over every object the command built: after an
embedded-cloud run that is some 600,000 objects (moto's backends, botocore's models, parsed
definitions) and about 2 s of `make demo`'s wall time, spent on memory the operating system
frees at exit anyway. Freezing them first makes those collections skip them; `atexit` handlers,
`finally` blocks and thread joins run as before.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn


def exit_with(code: int) -> NoReturn:
    """End the process with `code` (only for a command's own process, never in-process callers:
    frozen objects are never collected)."""
    gc.freeze()
    sys.exit(code)
