"""Run the code of the function version being invoked, not whatever this process imports.

On AWS each published version keeps its own code, so invoking an alias that a rollback moved
back runs the old code. In-process, a handler module is imported once, from this process's path.
When the invoked version's zip holds the handler's module and its top-level package differs
from the one this process would import, the zip is extracted (once per code hash) and, for the
call, the package's modules are swapped in ``sys.modules`` for those loaded from it; they are
kept, per code hash, for the next call. Invocations already run one at a time (the runtime's
lock), so the swap is seen by one invocation only.

Every member is confined to its folder before anything is extracted: a member that climbs out
fails the invocation, naming it. A zip that does not hold the handler's module (a placeholder,
as some tests upload) runs the handler this process imports, as before.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import io
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from localcloud import workspace_paths

_extracted: dict[str, Path] = {}  # code hash -> folder holding the zip's files
_loaded: dict[str, dict[str, ModuleType]] = {}  # code hash -> the package's modules from it
_same: dict[tuple[str, str], bool] = {}  # (code hash, package) -> equals this process's
_root: list[Path] = []


def _workspace() -> Path:
    if not _root:
        root = Path(tempfile.mkdtemp(prefix="localcloud-lambda-code-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _root.append(root)
    return _root[0]


def _module_files(module: str) -> tuple[str, str]:
    path = module.replace(".", "/")
    return f"{path}.py", f"{path}/__init__.py"


def _same_as_imported(archive: zipfile.ZipFile, top: str) -> bool:
    """Whether every file of package ``top`` in the zip equals the one this process imports."""
    spec = importlib.util.find_spec(top)
    if spec is None or spec.origin is None:
        return False
    origin = Path(spec.origin)
    root = origin.parent.parent if origin.name == "__init__.py" else origin.parent
    for name in archive.namelist():
        if name == f"{top}.py" or name.startswith(f"{top}/"):
            local = root / name
            if not local.is_file() or local.read_bytes() != archive.read(name):
                return False
    return True


def _ours(name: str, top: str) -> bool:
    return name == top or name.startswith(f"{top}.")


@contextmanager
def version_code(code: bytes, handler: str | None) -> Iterator[None]:
    """While active, imports of the handler's top-level package come from ``code``."""
    module = (handler or "").rsplit(".", 1)[0]
    try:
        archive = zipfile.ZipFile(io.BytesIO(code))
    except zipfile.BadZipFile:
        archive = None
    if not module or archive is None or not set(_module_files(module)) & set(archive.namelist()):
        yield
        return
    top = module.split(".")[0]
    digest = hashlib.sha256(code).hexdigest()
    if (digest, top) not in _same:
        _same[(digest, top)] = _same_as_imported(archive, top)
    if _same[(digest, top)]:
        yield
        return
    folder = _extracted.get(digest)
    if folder is None:
        folder = _workspace() / digest[:16]
        workspace_paths.extract_zip(archive, folder)
        _extracted[digest] = folder
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if _ours(name, top)}
    sys.modules.update(_loaded.get(digest, {}))
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        _loaded[digest] = {
            name: sys.modules.pop(name) for name in list(sys.modules) if _ours(name, top)
        }
        sys.modules.update(saved)
        importlib.invalidate_caches()
