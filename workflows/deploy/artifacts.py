"""The code the deploy uploads, built by `tasks.packaging` (reproducible bytes)."""

from __future__ import annotations

import base64
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tasks import packaging


@dataclass(frozen=True)
class Artifacts:
    lambda_zips: dict[str, bytes]  # handler module name -> zip
    code_objects: dict[str, bytes]  # key under the code prefix -> content

    @staticmethod
    def code_sha256(data: bytes) -> str:
        """Lambda's CodeSha256: the base64 of the zip's SHA-256 digest."""
        return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def build_artifacts() -> Artifacts:
    """Package the handlers and job scripts. Keys of code objects follow the paths the state
    machines use under ``settings.code_uri``: ``sourcedir.tar.gz`` and ``jobs/<script>.py``."""
    with tempfile.TemporaryDirectory(prefix="deploy-artifacts-") as tmp:
        out = Path(tmp)
        packaging.build(out)
        zips = {path.stem: path.read_bytes() for path in sorted((out / "lambda").glob("*.zip"))}
        objects = {"sourcedir.tar.gz": (out / "jobs" / "sourcedir.tar.gz").read_bytes()}
        for path in sorted((out / "jobs" / "code").glob("*.py")):
            objects[f"jobs/{path.name}"] = path.read_bytes()
    return Artifacts(lambda_zips=zips, code_objects=objects)
