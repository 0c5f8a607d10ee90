"""Build deployable artefacts of `tasks/`, reproducibly (same sources -> same bytes).

`selfheal package --out build/` writes (`build`):
- `lambda/<handler>.zip` for each handler registered in tasks/handlers/registry.py: the
  module, every module of `tasks` it imports (followed transitively), the data files it names
  (e.g. its JSON Schema), and the package `__init__.py` files;
- `jobs/sourcedir.tar.gz`: every job script of tasks/jobs/ and the JSON files beside them (the
  training job's source dir: train.py builds its arguments from
  `<estimator>.hyperparameters.json`), the project's own job files over them, and the project's
  `model.json` (its data schema and problem type, which every job reads);
- `jobs/code/*`: the plain job files, for processing jobs' code input.

Only files of tasks/ itself (and of the project's jobs/ folder) are packed: a symlink leading out
of them is refused (`PackagingError`), so no file from elsewhere on the machine reaches an
artefact.

The job code is content-addressed: `job_code_version` is a digest of the job scripts' names and
bytes, and the deploy uploads them under `<code prefix><version>/`, so every state machine version
names the exact code it runs (see deploy/artifacts.py).

Third-party imports are not bundled: `aws_lambda_powertools`, `pydantic` and `fastjsonschema`
come from the Powertools for AWS Lambda (Python) layer, `boto3`/`botocore` from the runtime.
"""

from __future__ import annotations

import ast
import functools
import gzip
import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import NamedTuple

from tasks.handlers.registry import HANDLERS

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "tasks"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest timestamp a zip entry can carry
FIXED_MTIME = 315532800  # 1980-01-01T00:00:00Z, the same instant for tar entries
CODE_VERSION_LENGTH = 16  # hex digits of SHA-256: 64 bits, ample for one project's revisions
THIRD_PARTY = {
    "aws_lambda_powertools": "Powertools for AWS Lambda (Python) layer",
    "pydantic": "Powertools layer",
    "fastjsonschema": "Powertools layer",
    "boto3": "Lambda Python runtime",
    "botocore": "Lambda Python runtime",
}


class PackagingError(Exception):
    """A source named for an artefact is not a file of tasks/ itself."""


def _own(path: Path, root: Path | None = None) -> Path:
    """`path`, once it is known to resolve inside `root` (default tasks/; it may be a symlink
    that leads out)."""
    root = TASKS if root is None else root
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise PackagingError(
            f"{path} leads to {resolved}, outside {root}; only the project's own files are "
            "packed: replace the symlink with the file itself"
        )
    return path


def _modules_defining_handler() -> list[str]:
    return [
        path.stem
        for path in sorted((TASKS / "handlers").glob("*.py"))
        if _source_facts(path.read_text(encoding="utf-8")).defines_handler
    ]


def handler_modules() -> list[str]:
    """The registered handlers (tasks/handlers/registry.py), which must be exactly the modules
    in tasks/handlers/ that define `handler`: an unregistered one would ship without its
    configuration, a registered one without code would deploy nothing that runs."""
    defined = set(_modules_defining_handler())
    registered = set(HANDLERS)
    if defined != registered:
        problems = [
            *(
                f"tasks/handlers/{n}.py defines handler but is not registered"
                for n in sorted(defined - registered)
            ),
            *(
                f"{n} is registered but tasks/handlers/{n}.py defines no handler"
                for n in sorted(registered - defined)
            ),
        ]
        raise PackagingError(
            "; ".join(problems) + ": keep HANDLERS in tasks/handlers/registry.py and the "
            "handler modules in step"
        )
    return sorted(registered)


def _module_path(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


class _SourceFacts(NamedTuple):
    imports: frozenset[str]  # the project modules (tasks.*) it imports
    strings: frozenset[str]  # its string literals
    defines_handler: bool  # a top-level `def handler`


@functools.lru_cache(maxsize=256)
def _source_facts(source: str) -> _SourceFacts:
    """What packaging reads from a source, from one parse. Keyed on the text itself, so an
    edited file is parsed again: every deploy packages, and parsing is most of its cost."""
    imports: set[str] = set()
    strings: set[str] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imports.add(node.module)
            imports.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
    own = {name for name in imports if name == "tasks" or name.startswith("tasks.")}
    handler = any(isinstance(n, ast.FunctionDef) and n.name == "handler" for n in tree.body)
    return _SourceFacts(frozenset(own), frozenset(strings), handler)


def _imports(path: Path) -> set[str]:
    return set(_source_facts(path.read_text(encoding="utf-8")).imports)


def _data_files(path: Path) -> set[Path]:
    """Files beside `path` that its source names in a string literal (e.g. a schema)."""
    names = _source_facts(path.read_text(encoding="utf-8")).strings
    # One listing of the folder instead of a stat per string literal (most name no file).
    with os.scandir(path.parent) as entries:
        beside = {entry.name for entry in entries if entry.is_file()}
    return {_own(path.parent / n) for n in names & beside}


def lambda_files(handler: str) -> list[Path]:
    """Every file the handler module needs from this project, sorted."""
    pending = [f"tasks.handlers.{handler}"]
    files: set[Path] = set()
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_path(module)
        if path is None:
            continue
        files.add(_own(path))
        files.update(_data_files(path))
        parts = module.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        pending.extend(_imports(path))
    return sorted(files)


def lambda_entries(handler: str) -> list[tuple[str, bytes]]:
    """The handler's zip entries (`lambda_files`): each file's path in the zip and its bytes."""
    return [(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in lambda_files(handler)]


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``(name, bytes)`` entries with fixed metadata, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permission bits are honoured
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


MODEL_FILE = "model.json"


def job_files(root: Path | None = None) -> list[Path]:
    """The job scripts in `root` (default tasks/jobs/) and the data files they read beside them
    (train.py's hyperparameter declarations), which must travel in the same sourcedir."""
    root = TASKS / "jobs" if root is None else root
    return sorted(_own(p, root) for p in [*root.glob("*.py"), *root.glob("*.json")])


def job_sources(model_file: bytes, own_jobs: Path | None = None) -> dict[str, bytes]:
    """Each job file's name -> its bytes: the built-in scripts, a project's own (`own_jobs`)
    replacing those of the same name, and the project's `model.json`."""
    sources = {path.name: path.read_bytes() for path in job_files()}
    if own_jobs is not None:
        sources.update({path.name: path.read_bytes() for path in job_files(own_jobs)})
    sources[MODEL_FILE] = model_file
    return sources


def tar_gz_bytes(entries: dict[str, bytes]) -> bytes:
    """A gzipped tar of ``name -> bytes`` with fixed metadata, so equal input gives equal bytes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(entries.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), FIXED_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)


def job_code_version(sources: dict[str, bytes]) -> str:
    """The content address of the job code (`job_sources`).

    A digest of each script's name and bytes, not of the archive: compressed bytes may differ
    between zlib builds, and the committed definitions must be the same on every machine."""
    digest = hashlib.sha256()
    for name, data in sorted(sources.items()):
        for part in (name.encode(), str(len(data)).encode(), data):
            digest.update(part + b"\0")
    return digest.hexdigest()[:CODE_VERSION_LENGTH]


def build(out: Path, sources: dict[str, bytes]) -> list[Path]:
    """Write every artefact under `out`, the job code from `sources` (`job_sources`); return
    their paths."""
    written: list[Path] = []
    for handler in handler_modules():
        target = out / "lambda" / f"{handler}.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(zip_bytes(lambda_entries(handler)))
        written.append(target)
    sourcedir = out / "jobs" / "sourcedir.tar.gz"
    sourcedir.parent.mkdir(parents=True, exist_ok=True)
    sourcedir.write_bytes(tar_gz_bytes(sources))
    written.append(sourcedir)
    # Processing jobs take the code folder as an input: the scripts and the data files they
    # read beside them (model.json), as the deploy uploads them under code/<version>/jobs/.
    for name, data in sorted(sources.items()):
        target = out / "jobs" / "code" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written
