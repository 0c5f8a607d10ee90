"""The generated rule and schedule files: `<out>/<env>/{rules,schedules}.json` (default ./rules,
in the project's directory, never in the installed package).

Each file holds the exact requests the deploy sends (`PutRule` + `PutTargets` per rule,
`CreateSchedule` per schedule), as JSON with sorted keys and no timestamps, so a clean checkout
regenerates them byte for byte and a review shows every change to what is deployed.

`python -m event_rules generate [--env E] [--out DIR] [--check]`:
  writes the files of every environment (or of E); with --check writes nothing and lists the
  files that are stale or missing. Exit 0: up to date (or written); 1: --check found stale
  files; 2: a settings file, a rule or a schedule is invalid (the message names it).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from environments.project import environment_argument
from environments.settings import Settings, SettingsError, environments, load_settings
from event_rules.catalogue import project_rules, project_schedules
from event_rules.request_checks import RuleError

GENERATED_DIR = Path("rules")
RULES_FILE = "rules.json"
SCHEDULES_FILE = "schedules.json"


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_rules(settings: Settings) -> str:
    """Every rule's PutRule and PutTargets request, in rule-name order."""
    return _dump(
        [
            {"PutRule": rule.to_put_rule(), "PutTargets": rule.to_put_targets()}
            for rule in project_rules(settings)
        ]
    )


def render_schedules(settings: Settings) -> str:
    return _dump([schedule.to_create_schedule() for schedule in project_schedules(settings)])


def expected_files(settings: Settings, root: Path = GENERATED_DIR) -> dict[Path, str]:
    folder = root / settings.environment
    return {
        folder / RULES_FILE: render_rules(settings),
        folder / SCHEDULES_FILE: render_schedules(settings),
    }


@dataclass(frozen=True)
class Outcome:
    written: list[Path]
    stale: list[Path]


def sync(settings_list: list[Settings], *, check: bool, root: Path = GENERATED_DIR) -> Outcome:
    """Compare (and unless `check`, write) the generated files of each environment."""
    written: list[Path] = []
    stale: list[Path] = []
    for settings in settings_list:
        for path, text in expected_files(settings, root).items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if check:
                stale.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return Outcome(written, stale)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "exit status: 0 up to date or written; 1 --check found stale or missing files; "
        "2 invalid settings, rule or schedule"
    )
    parser.add_argument(
        "--env", metavar="E", type=environment_argument, help="one environment (default: every one)"
    )
    parser.add_argument(
        "--out", type=Path, default=GENERATED_DIR, help="output folder (default: ./rules)"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; list stale files and exit 1"
    )


def _load(env: str | None) -> list[Settings]:
    return [load_settings(name) for name in ([env] if env else environments())]


def run(args: argparse.Namespace) -> int:
    try:
        outcome = sync(_load(args.env), check=args.check, root=args.out)
    except (RuleError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in outcome.stale:
        print(f"stale: {_shown(path)} (run: python -m event_rules generate)")
    for path in outcome.written:
        print(f"wrote {_shown(path)}")
    if outcome.stale:
        return 1
    if not outcome.written:
        print("generated rule files are up to date")
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
