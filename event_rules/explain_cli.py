"""`python -m event_rules explain EVENT.json [--env E]`: which of the project's rules an event
fires, and for every other rule the first field that kept it from matching."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from environments.project import environment_argument
from environments.settings import SettingsError, load_settings
from event_rules.catalogue import project_rules
from event_rules.command_input import EXIT_ERROR, EXIT_MATCH, EXIT_NO_MATCH, read_event
from event_rules.request_checks import RuleError
from event_rules.rule import Rule

DEFAULT_ENV = "dev"
HELP = "list the project's rules an event fires, and why each other rule does not"
EPILOG = """\
output, one line per rule of the environment, rules in name order:
  fires     <rule> -> <target ARN>[, <target ARN>...]
  no-match  <rule>: <field>: expected <pattern values>, found <event value or (absent)>
  schedule  <rule>: runs on <expression>; never matched by events

exit status: 0 at least one rule fires; 1 no rule fires; 2 unreadable event file, invalid
settings or an unknown environment; 141 the output's reader stopped early (`| head`)"""


@dataclass(frozen=True)
class Verdict:
    rule: Rule
    fires: bool
    reason: str

    def __str__(self) -> str:
        if self.fires:
            arns = ", ".join(target.arn for target in self.rule.targets)
            return f"fires     {self.rule.name} -> {arns}"
        label = "schedule " if self.rule.schedule_expression else "no-match "
        return f"{label} {self.rule.name}: {self.reason}"


def explain_event(rules: list[Rule], event: dict[str, Any]) -> list[Verdict]:
    """One verdict per rule: whether `event` fires it, else the first failing field."""
    verdicts = []
    for rule in rules:
        if rule.compiled is None:
            reason = f"runs on {rule.schedule_expression}; never matched by events"
            verdicts.append(Verdict(rule, False, reason))
            continue
        mismatch = rule.compiled.explain(event)
        verdicts.append(Verdict(rule, mismatch is None, str(mismatch or "")))
    return verdicts


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("event", metavar="EVENT.json", help="event file (one JSON object)")
    parser.add_argument(
        "--env",
        metavar="E",
        default=DEFAULT_ENV,
        type=environment_argument,
        help=f"environment (default: {DEFAULT_ENV})",
    )


def run(args: argparse.Namespace) -> int:
    event = read_event(args.event)
    try:
        rules = project_rules(load_settings(args.env))
    except (RuleError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    verdicts = explain_event(rules, event)
    # What fires is the answer most readers want; the misses follow, each in rule order.
    for verdict in sorted(verdicts, key=lambda v: not v.fires):
        print(verdict)
    return EXIT_MATCH if any(v.fires for v in verdicts) else EXIT_NO_MATCH
