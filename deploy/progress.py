"""A deploy's progress as one line of counts, for a person at a terminal.

A deploy of a fresh environment makes some seventy changes; a line each buries what matters (the
plan's summary, warnings, the end). `ProgressLine` shows instead

    deploy churn-dev: 12/70 (12 created) create state-machine churn-dev-retrain

rewritten in place (carriage return) on a terminal, and, where output is a file or a pipe (CI
logs, `make demo | tee`), one line when the phase changes (create, update, delete) and one at the
end, so a log keeps the story without the carriage returns. Every other line the deploy prints
(the plan's summary, keep warnings, the record for rollback, the final counts) is printed as
before, after clearing the line in place.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from collections.abc import Callable
from typing import TextIO

# Past tense of each action, for the counts.
DONE = {"create": "created", "update": "updated", "delete": "deleted"}


class ProgressLine:
    """`line` prints a whole line; `step` advances the counts. `stream` defaults to stdout;
    `tty` to whether it is a terminal. `decorate` prefixes each printed line (the demo's clock)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        decorate: Callable[[str], str] = lambda text: text,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.decorate = decorate
        self.counts: Counter[str] = Counter()
        self.phase: str | None = None
        self.pending = ""  # the in-place text on the terminal, cleared before a whole line
        self.active: tuple[str, int] | None = None  # (prefix, total) once the last step started

    def line(self, text: str) -> None:
        self._finish()
        self._write(text)

    def step(self, prefix: str, index: int, total: int, action: str, what: str) -> None:
        """Change `index` of `total` (`action` on the resource `what`) starts; the ones before
        it are done."""
        if index == total:
            self.active = (prefix, total)
        if self.tty:
            self._rewrite(f"{self._text(prefix, index - 1, total)} {action} {what}")
        elif action != self.phase:
            self._write(f"{self._text(prefix, index - 1, total)} {action} ...")
        self.phase = action
        self.counts[action] += 1

    def close(self) -> None:
        """Ends the line in place where it stands (a failed deploy shows the step it stopped at)."""
        if self.pending:
            self.stream.write("\n")
            self.stream.flush()
            self.pending = ""

    def _finish(self) -> None:
        """After the last step, before the next whole line (the deploy's next line comes once the
        step is applied): the counts of everything applied."""
        if self.active is not None:
            prefix, total = self.active
            self.active = None
            self._write(self._text(prefix, sum(self.counts.values()), total))

    def _write(self, text: str) -> None:
        self._clear()
        self.stream.write(self.decorate(text) + "\n")
        self.stream.flush()

    def _text(self, prefix: str, done: int, total: int) -> str:
        # `counts` holds the steps started; when `done` is asked for, as many have ended.
        counts = ", ".join(f"{self.counts[a]} {past}" for a, past in DONE.items() if self.counts[a])
        return f"deploy {prefix}: {done}/{total}" + (f" ({counts})" if counts else "")

    def _rewrite(self, text: str) -> None:
        width = shutil.get_terminal_size((100, 24)).columns - 1
        shown = self.decorate(text)[:width]
        # Spaces over what a longer previous text left behind.
        self.stream.write("\r" + shown.ljust(len(self.pending)))
        self.stream.flush()
        self.pending = shown

    def _clear(self) -> None:
        if self.pending:
            self.stream.write("\r" + " " * len(self.pending) + "\r")
            self.pending = ""
