"""The code the deploy uploads, built by `tasks.packaging` (reproducible bytes).

Job code is content-addressed: its objects live under ``<code prefix><code_version>/``, where
``code_version`` is `tasks.packaging.job_code_version` of the job code, and the definitions
are built with that version (``Settings.code_version``), so each state machine version names
the exact code it ran. A deploy never deletes an older version's objects: that is what lets a
rollback run the old code again.

Compressing is most of packaging's cost and a process often deploys the same code many times
(tests, the demo's redeploys): each archive is kept by the digest of what goes into it, so the
same content is compressed once per process and changed content is always packed again.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from environments.settings import Settings
from tasks import packaging


@dataclass(frozen=True)
class Artifacts:
    lambda_zips: dict[str, bytes]  # handler module name -> zip
    code_version: str  # the content address of the job code
    code_objects: dict[str, bytes]  # key under the code prefix (version first) -> content

    @staticmethod
    def code_sha256(data: bytes) -> str:
        """Lambda's CodeSha256: the base64 of the zip's SHA-256 digest."""
        return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


# Archives kept, newest used last: enough for every handler of a few revisions of the code.
ARCHIVES_KEPT = 64
_archives: OrderedDict[str, bytes] = OrderedDict()


def _digest(entries: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, data in entries:
        for part in (name.encode(), str(len(data)).encode(), data):
            digest.update(part + b"\0")
    return digest.hexdigest()


def _archive(kind: str, entries: list[tuple[str, bytes]], pack: Callable[[], bytes]) -> bytes:
    """``pack()``, or the bytes it gave for the same ``kind`` and ``entries`` before."""
    key = f"{kind}:{_digest(entries)}"
    data = _archives.get(key)
    if data is None:
        data = _archives[key] = pack()
        while len(_archives) > ARCHIVES_KEPT:
            _archives.popitem(last=False)
    _archives.move_to_end(key)
    return data


def lambda_zip(handler: str) -> bytes:
    """The handler's zip (`tasks.packaging.build` writes the same bytes)."""
    entries = packaging.lambda_entries(handler)
    return _archive("zip", entries, lambda: packaging.zip_bytes(entries))


def job_code(sources: Mapping[str, bytes]) -> tuple[str, dict[str, bytes]]:
    """The version and the objects of these job scripts (file name -> bytes): the training
    job's ``sourcedir.tar.gz`` and the plain ``jobs/<script>.py`` of the processing jobs, at the
    paths the state machines use under ``settings.code_uri``."""
    version = packaging.job_code_version(dict(sources))
    entries = sorted(sources.items())
    sourcedir = _archive("tar.gz", entries, lambda: packaging.tar_gz_bytes(dict(sources)))
    objects = {f"{version}/sourcedir.tar.gz": sourcedir}
    for name, data in entries:
        objects[f"{version}/jobs/{name}"] = data
    return version, objects


def build_artifacts(settings: Settings) -> Artifacts:
    """Package the handlers and the project's job code."""
    zips = {handler: lambda_zip(handler) for handler in packaging.handler_modules()}
    version, objects = job_code(settings.job_sources())
    return Artifacts(lambda_zips=zips, code_version=version, code_objects=objects)
