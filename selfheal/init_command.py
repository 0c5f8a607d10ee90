"""`selfheal init DIR --data FILE.csv --target COLUMN [--problem ...]`: a new project directory
for one model, from a CSV of its data.

The CSV is inspected first (columns and their types, the target, the problem type when not
given); a file that cannot be trained on stops it with the reason, before anything is written.
DIR must not exist or be empty: init never overwrites a file.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from environments.project import DATA_DIR, SETTINGS_DIR
from selfheal.dataset_inspection import DatasetError, Inspection, inspect
from selfheal.project_files import DEFAULTS, GITIGNORE, readme, settings_yaml
from tasks.metrics import PROBLEMS

# The settings schema's project pattern: 3-16 lowercase letters or digits, no hyphen (resource
# names are <project>-<environment>-...: "abc" + "dev" would be a prefix of "abc-dev" + "x").
_PROJECT = re.compile(r"^[a-z][a-z0-9]{2,15}$")


def project_name(directory: Path, given: str | None) -> str:
    """``given``, or the directory's name made into a valid project name."""
    if given is not None:
        if not _PROJECT.fullmatch(given):
            raise DatasetError(
                f"--name {given!r}: use 3-16 lowercase letters or digits, starting with a letter "
                "and without hyphens (it prefixes every resource name)"
            )
        return given
    name = re.sub(r"[^a-z0-9]+", "", directory.resolve().name.lower())
    name = re.sub(r"^[^a-z]+", "", name)[:16]
    if not _PROJECT.fullmatch(name):
        raise DatasetError(
            f"{directory}: cannot make a project name of the folder's name; pass --name NAME "
            "(3-16 lowercase letters or digits)"
        )
    return name


def write_project(directory: Path, data_file: Path, name: str, data: Inspection) -> list[Path]:
    """Write the project's files; return them. Refuses a directory that holds anything."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise DatasetError(
            f"{directory}: already exists and is not empty; init writes only into a new or "
            "empty directory, so nothing of yours is overwritten"
        )
    files = {
        directory / SETTINGS_DIR / f"{env}.yaml": settings_yaml(name, env, data) for env in DEFAULTS
    }
    files[directory / "README.md"] = readme(name, data_file.name, data)
    files[directory / ".gitignore"] = GITIGNORE
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    copy = directory / DATA_DIR / data_file.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_file, copy)
    return [*files, copy]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="selfheal init", description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, help="the new project directory")
    parser.add_argument("--data", type=Path, required=True, help="a CSV with a header row")
    parser.add_argument("--target", required=True, help="the column to predict")
    parser.add_argument("--problem", choices=PROBLEMS, help="default: inferred from the target")
    parser.add_argument("--name", help="project name (default: from the directory's name)")
    args = parser.parse_args(argv)
    try:
        name = project_name(args.directory, args.name)
        data = inspect(args.data, args.target, args.problem)
        written = write_project(args.directory, args.data, name, data)
    except DatasetError as error:
        print(f"init: {error}", file=sys.stderr)
        return 1
    classes = f", {data.classes} classes" if data.classes else ""
    print(
        f"{args.data}: {data.rows} rows; target {data.target!r} -> {data.problem}{classes}; "
        f"{len(data.features)} features"
    )
    for column, kind in data.features.items():
        print(f"  {column}: {kind}")
    for column, why in data.skipped.items():
        print(f"  {column}: skipped, {why}")
    for path in written:
        print(f"wrote {path}")
    print(f"next: cd {args.directory} && selfheal demo")
    return 0
