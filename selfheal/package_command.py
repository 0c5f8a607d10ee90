"""`selfheal package`: the Lambda zips and the project's job code bundle, as the deploy uploads
them, written to a folder for inspection or another pipeline (default ./build)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from environments.project import environment_argument
from environments.settings import SettingsError, load_settings
from tasks.packaging import PackagingError, build


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="selfheal package", description=__doc__)
    parser.add_argument("--out", default="build", help="output folder (default: build)")
    parser.add_argument(
        "--env",
        default="dev",
        type=environment_argument,
        help="settings whose job code to pack (dev)",
    )
    args = parser.parse_args(argv)
    try:
        written = build(Path(args.out), load_settings(args.env).job_sources())
    except (SettingsError, PackagingError) as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
