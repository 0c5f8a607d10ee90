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

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_VARIABLE = "SELFHEAL_PROJECT"
SETTINGS_DIR = "settings"
JOBS_DIR = "jobs"
DATA_DIR = "data"


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
