"""The code the deploy uploads, built by `tasks.packaging` (reproducible bytes).

Job code is content-addressed: its objects live under ``<code prefix><code_version>/``, where
``code_version`` is `tasks.packaging.job_code_version` of the job code, and the definitions
are built with that version (``Settings.code_version``), so each state machine version names
the exact code it ran. A deploy never deletes an older version's objects: that is what lets a
rollback run the old code again.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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


def job_code(sources: Mapping[str, bytes]) -> tuple[str, dict[str, bytes]]:
    """The version and the objects of these job scripts (file name -> bytes): the training
    job's ``sourcedir.tar.gz`` and the plain ``jobs/<script>.py`` of the processing jobs, at the
    paths the state machines use under ``settings.code_uri``."""
    version = packaging.job_code_version(dict(sources))
    objects = {f"{version}/sourcedir.tar.gz": packaging.tar_gz_bytes(dict(sources))}
    for name, data in sorted(sources.items()):
        objects[f"{version}/jobs/{name}"] = data
    return version, objects


def build_artifacts(settings: Settings) -> Artifacts:
    """Package the handlers and the project's job code."""
    sources = settings.job_sources()
    with tempfile.TemporaryDirectory(prefix="deploy-artifacts-") as tmp:
        out = Path(tmp)
        packaging.build(out, sources)
        zips = {path.stem: path.read_bytes() for path in sorted((out / "lambda").glob("*.zip"))}
    version, objects = job_code(sources)
    return Artifacts(lambda_zips=zips, code_version=version, code_objects=objects)
