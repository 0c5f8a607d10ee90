"""Listing the files of a job's input channel, never a file that lives outside it.

A channel holds what SageMaker downloaded: plain files. A symlink in it that leads elsewhere
would have a job read (and then write into its outputs) a file of the machine it runs on, so it
fails the job with the link named instead.
"""

from __future__ import annotations

from pathlib import Path

from errors import JobInputError


def channel_files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Every file under `root` (recursively) whose suffix, lower-cased, is one of `suffixes`."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    return [own_file(root, path) for path in files]


def own_file(root: Path, path: Path) -> Path:
    """`path`, once it is known to stay inside the input `root` with every link resolved."""
    target = path.resolve()
    if not target.is_relative_to(root.resolve()):
        raise JobInputError(
            f"{path} is a link to {target}, outside the input {root}; a job reads only the "
            "files of its own inputs"
        )
    return path
