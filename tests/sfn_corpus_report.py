"""pytest plugin: agreement with the recorded Step Functions corpus, per group, printed at the end
of the run. Each corpus test leaves its verdict in its report's `user_properties`, so the summary
is the same whether the tests ran here or in xdist workers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest

PROPERTY = "sfn_corpus"


@dataclass
class _Tally:
    total: int = 0
    agreed: int = 0
    silent: int = 0
    cannot_run: int = 0
    masked: int = 0

    def add(self, verdict: dict[str, object]) -> None:
        self.total += 1
        self.agreed += bool(verdict["agreed"])
        self.silent += bool(verdict["silent"])
        self.cannot_run += bool(verdict["cannot_run"])
        self.masked += bool(verdict.get("masked"))

    def row(self, name: str) -> str:
        share = 100.0 * self.agreed / self.total if self.total else 0.0
        return (
            f"{name:<22} {self.agreed:>4}/{self.total:<4} {share:6.1f}%"
            f"  silent passes {self.silent:<3} cannot run {self.cannot_run:<3}"
            f" masked by the recording {self.masked}"
        )


_verdicts: dict[str, dict[str, object]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == PROPERTY and isinstance(value, dict):
            _verdicts[report.nodeid] = value


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _verdicts:
        return
    groups: dict[str, _Tally] = defaultdict(_Tally)
    overall = _Tally()
    for verdict in _verdicts.values():
        groups[str(verdict["group"])].add(verdict)
        overall.add(verdict)
    terminalreporter.section("Step Functions corpus: agreement with AWS")
    for name in sorted(groups):
        terminalreporter.write_line(groups[name].row(name))
    terminalreporter.write_line(overall.row("total"))
