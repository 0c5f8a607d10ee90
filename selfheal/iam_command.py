"""`selfheal iam [--env ENV] [--role NAME]`: print the derived roles and lint them.

Prints one JSON document: ``{"roles": [{name, description, trust_policy, policy,
wildcard_resources, managed_policy_arns}], "findings": [...]}``. Exit 0 when the lint is clean,
1 when it has findings or the definitions cannot be scoped, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from environments.project import environment_argument
from environments.settings import SettingsError, environments, load_settings
from event_rules.catalogue import CatalogueOptions, project_rules, project_schedules
from iam import UnsupportedTaskError, lint_role, project_roles
from workflows.machines import build_all

DEFAULT_ENVIRONMENT = "dev"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="selfheal iam", description=__doc__)
    parser.add_argument(
        "--env",
        default=DEFAULT_ENVIRONMENT,
        type=environment_argument,
        help="settings to derive with",
    )
    parser.add_argument("--role", action="append", default=[], help="print only this role")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        settings = load_settings(args.env)
        built = build_all(settings)
        definitions = {name: m.to_asl() for name, m in built.items()}
        options = CatalogueOptions.from_settings(settings)
        rules, schedules = project_rules(settings, options), project_schedules(settings, options)
        roles = project_roles(
            settings, definitions, rules=rules, schedules=schedules, machines=built
        )
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if args.env not in environments() else 1
    except (UnsupportedTaskError, ValueError) as exc:  # a RuleError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 1
    unknown = sorted(set(args.role) - {role.name for role in roles})
    if unknown:
        names = ", ".join(role.name for role in roles)
        print(f"error: no role {', '.join(unknown)}; roles: {names}", file=sys.stderr)
        return 2
    chosen = [role for role in roles if not args.role or role.name in args.role]
    findings = [finding for role in chosen for finding in lint_role(role)]
    document = {"roles": [dataclasses.asdict(role) for role in chosen], "findings": findings}
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    for finding in findings:
        print(f"lint: {finding}", file=sys.stderr)
    return 1 if findings else 0
