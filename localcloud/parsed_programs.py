"""Parsed Step Functions programs kept between processes, so a definition is parsed once per
machine rather than once per process.

moto's interpreter parses a definition with an ANTLR grammar in pure Python: about 0.3 s for
each of the churn project's definitions, paid again by every process that creates or runs them
(the demo, each test worker, each command). The parsed program is plain data (its states and
their expressions), so it is pickled into a folder of this user's under the temp dir
(`workspace_paths.user_cache_dir`: owned by this user and closed to others, or not used at all,
since whoever could write there could run code in this process).

An entry is named by the definition's text and everything that shapes the program built from
it: Python's and moto's versions, the extensions applied while parsing (some change how states
are built) and the source of this package. A program that cannot be pickled is simply not kept.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import sys
import threading
from functools import cache
from pathlib import Path
from typing import Any

from localcloud.workspace_paths import trusted_folder, user_cache_dir, write_atomic

FOLDER_NAME = "localcloud-definitions"
# Entries are 2-40 KB (the test suite's definitions fit); beyond this many the oldest half goes.
ENTRIES_KEPT = 2048
# The folder is counted every this many entries a process writes, not on every one.
PRUNE_EVERY = 64
_PACKAGE = Path(__file__).resolve().parent
_lock = threading.Lock()
_written = [0]


@cache
def _fingerprint() -> str:
    """What shapes a program besides its definition and the extensions: the versions of
    Python, moto and ANTLR's runtime, and this package's source."""
    digest = hashlib.sha256()
    for part in (
        sys.version,
        importlib.metadata.version("moto"),
        importlib.metadata.version("antlr4-python3-runtime"),
    ):
        digest.update(part.encode() + b"\0")
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_name(definition: str, extensions: list[str]) -> str:
    digest = hashlib.sha256()
    for part in (_fingerprint(), ",".join(sorted(extensions)), definition):
        digest.update(part.encode())
        digest.update(b"\0")
    return f"{digest.hexdigest()}.pickle"


def folder() -> Path | None:
    """Where entries live: LOCALCLOUD_DEFINITIONS_CACHE (a folder, or `off`), else this user's
    folder under the temp dir; None when there is none to trust."""
    chosen = os.environ.get("LOCALCLOUD_DEFINITIONS_CACHE")
    if chosen == "off":
        return None
    return user_cache_dir(FOLDER_NAME) if not chosen else trusted_folder(Path(chosen))


def load(definition: str, extensions: list[str]) -> Any | None:
    """The program kept for `definition`, or None."""
    where = folder()
    if where is None:
        return None
    path = where / entry_name(definition, extensions)
    try:
        with open(path, "rb", opener=_no_follow) as handle:
            if os.fstat(handle.fileno()).st_uid != os.getuid():
                return None
            return pickle.load(handle)
    # None kept yet, a damaged entry (a full disk) or one naming code that moved: parse again.
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None


def store(definition: str, extensions: list[str], program: Any) -> None:
    where = folder()
    if where is None:
        return
    try:
        data = pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # not plain data: not kept
        return
    with _lock:
        try:
            write_atomic(where, entry_name(definition, extensions), data)
            _written[0] += 1
            if (_written[0] - 1) % PRUNE_EVERY == 0:  # the first write, then every PRUNE_EVERY
                _prune(where)
        except OSError:
            return  # a full or read-only disk costs the next process a parse, nothing more


def _prune(where: Path) -> None:
    entries = list(where.glob("*.pickle"))
    if len(entries) <= ENTRIES_KEPT:
        return
    entries.sort(key=lambda path: path.stat().st_mtime)
    for path in entries[: len(entries) // 2]:
        path.unlink(missing_ok=True)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
