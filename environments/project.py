"""A project directory: one model's settings per environment and, if its team wants, its own job
code. It lives wherever the team keeps it (its own repository), never inside this package.

    <project>/settings/<environment>.yaml   one file per environment (dev, prod, ...)
    <project>/jobs/                          optional: train.py (or any job script) replacing the
                                             built-in one, and its hyperparameter declaration
    <project>/data/                          optional: sample data `selfheal demo` trains on

Which project a command works on: the one named explicitly (``selfheal --project DIR``), else
``$SELFHEAL_PROJECT``, else the current directory.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_VARIABLE = "SELFHEAL_PROJECT"
SETTINGS_DIR = "settings"
JOBS_DIR = "jobs"
DATA_DIR = "data"
# The schema's rule for ``environment`` (settings.schema.json): a name, never a path, so
# ``--env ../../x`` cannot make the loader read a file outside the project's settings.
ENVIRONMENT_NAME = re.compile(r"[a-z][a-z0-9]{1,7}")
ENVIRONMENT_RULE = "2-8 lowercase letters or digits, starting with a letter (e.g. dev, prod)"


class ProjectError(ValueError):
    """No usable project where one was looked for; says where and how to make one."""


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def settings_dir(self) -> Path:
        return self.root / SETTINGS_DIR

    @property
    def jobs_dir(self) -> Path | None:
        """The project's own job code, when it has any."""
        jobs = self.root / JOBS_DIR
        return jobs if jobs.is_dir() else None

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_DIR

    def environments(self) -> list[str]:
        return sorted(p.stem for p in self.settings_dir.glob("*.yaml"))

    def settings_path(self, environment: str) -> Path:
        check_environment_name(environment)
        path = self.settings_dir / f"{environment}.yaml"
        if not path.is_file():
            known = self.environments()
            if not known:
                raise ProjectError(_not_a_project(self.root))
            raise ProjectError(
                f"{path}: no settings for environment {environment!r}; "
                f"use one of {', '.join(known)} or add {path.name} to {self.settings_dir}"
            )
        return path


def check_environment_name(environment: str) -> str:
    """``environment`` when it is an environment's name; ProjectError naming the rule if not."""
    if not ENVIRONMENT_NAME.fullmatch(environment):
        shown = repr(environment[:40]) + ("..." if len(environment) > 40 else "")
        raise ProjectError(f"environment {shown} is not a name: use {ENVIRONMENT_RULE}")
    return environment


def environment_argument(text: str) -> str:
    """argparse's ``type`` for ``--env``: a name that breaks the rule is a usage error (exit 2),
    reported in one line naming the rule, before any file is looked for."""
    try:
        return check_environment_name(text)
    except ProjectError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _not_a_project(root: Path) -> str:
    return (
        f"{root}: not a project (no {SETTINGS_DIR}/<environment>.yaml); create one with "
        "`selfheal init DIR --data FILE.csv --target COLUMN`, then run from DIR, pass "
        f"`selfheal --project DIR ...` or set {PROJECT_VARIABLE}"
    )


def current_project(explicit: str | Path | None = None) -> Project:
    """The project a command works on (see the module's docstring)."""
    chosen = explicit if explicit is not None else os.environ.get(PROJECT_VARIABLE) or Path.cwd()
    return Project(Path(chosen).resolve())
