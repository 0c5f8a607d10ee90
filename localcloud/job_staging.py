"""Moving a job's files between S3 and its workspace, and never outside it.

Inputs are staged with S3Prefix semantics (every object under the prefix, at its name under the
prefix), archives are extracted member by member after checking each, and outputs are uploaded
back. Every local path comes from `workspace_paths.confined`: an object or member that would land
outside the workspace fails the job with its key named, as SageMaker fails a job whose input it
cannot download.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any, Protocol

from localcloud import workspace_paths


class ObjectStore(Protocol):
    """The S3 operations a job needs."""

    def list_keys(self, bucket: str, prefix: str) -> list[str]: ...

    def get(self, bucket: str, key: str) -> bytes: ...

    def put(self, bucket: str, key: str, body: bytes) -> None: ...


class Boto3ObjectStore:
    """An ObjectStore over a boto3 S3 client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in self._client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix
        ):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def get(self, bucket: str, key: str) -> bytes:
        body: bytes = self._client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self._client.put_object(Bucket=bucket, Key=key, Body=body)


class JobSetupError(Exception):
    """The job request cannot be run (missing script, bad S3 URI, ...)."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise JobSetupError(f"expected an s3:// URI, got {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise JobSetupError(f"S3 URI {uri!r} names no bucket")
    return bucket, key


def name_under_prefix(key: str, prefix: str) -> str:
    """Where an object under an S3Prefix goes: its key after the prefix (after the prefix and
    one `/` when the prefix does not end in one), or its last segment when the URI names it."""
    if key == prefix:  # the URI names one object
        return key.rsplit("/", 1)[-1]
    relative = key[len(prefix) :]
    if prefix and not prefix.endswith("/") and relative.startswith("/"):
        relative = relative[1:]
    return relative


def stage_s3_prefix(store: ObjectStore, uri: str, local_dir: Path) -> int:
    """Copy every object under the URI's prefix into `local_dir`; return how many.

    An object whose name under the prefix cannot be a file under `local_dir` (`..`, `a//b`,
    ...) fails the staging with the key named, as SageMaker fails a job whose input it cannot
    download; nothing is written outside `local_dir`.
    """
    bucket, prefix = split_s3_uri(uri)
    local_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for key in store.list_keys(bucket, prefix):
        if key.endswith("/"):
            continue
        try:
            target = workspace_paths.confined(local_dir, name_under_prefix(key, prefix))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.get(bucket, key))
        except workspace_paths.EscapeError as error:
            raise JobSetupError(
                f"Failed to download data: s3://{bucket}/{key} cannot be staged from {uri}: "
                f"its name under the prefix {error}"
            ) from error
        except OSError as error:  # e.g. both `a` and `a/b` exist as keys
            raise JobSetupError(
                f"Failed to download data: s3://{bucket}/{key} cannot be staged from {uri}: "
                f"{error.strerror}"
            ) from error
        count += 1
    return count


def stage_archive(store: ObjectStore, uri: str, dest: Path, field: str) -> None:
    """Extract the `.tar.gz` at `uri` into `dest`; `field` names the URI in the error."""
    bucket, key = split_s3_uri(uri)
    try:
        workspace_paths.extract_tar(store.get(bucket, key), dest)
    except workspace_paths.EscapeError as error:
        raise JobSetupError(f"{field} {uri}: the archive's member {error}") from error
    except (tarfile.TarError, OSError, EOFError) as error:
        raise JobSetupError(f"{field} {uri} is not a readable .tar.gz: {error}") from error


def stage_code(store: ObjectStore, uri: str, code_dir: Path, field: str) -> None:
    """A script-mode source: a `.tar.gz` archive (extracted) or a prefix of plain files."""
    if uri.endswith(".tar.gz"):
        stage_archive(store, uri, code_dir, field)
    else:
        stage_s3_prefix(store, uri, code_dir)


def script_path(code_dir: Path, program: str, field: str) -> Path:
    """The entry script `program` inside `code_dir`, never a file outside it."""
    try:
        return workspace_paths.confined(code_dir, program)
    except workspace_paths.EscapeError as error:
        raise JobSetupError(f"{field} {error}") from error


def upload_dir(store: ObjectStore, local_dir: Path, uri: str, root: Path) -> int:
    """Upload every file under `local_dir`; a symlink leading out of the workspace `root` is
    refused (its target is a file of this machine, not of the job)."""
    bucket, prefix = split_s3_uri(uri)
    prefix = prefix.rstrip("/")
    count = 0
    if not local_dir.exists():
        return 0
    files = sorted(path for path in local_dir.rglob("*") if path.is_file())
    for path in files:
        if not workspace_paths.inside(root, path):
            raise JobSetupError(
                f"output {path.relative_to(local_dir).as_posix()} for {uri} is a symlink to "
                f"{path.resolve()}, outside the job's /opt/ml; write the file itself"
            )
    for path in files:
        relative = path.relative_to(local_dir).as_posix()
        store.put(bucket, f"{prefix}/{relative}" if prefix else relative, path.read_bytes())
        count += 1
    return count


def tar_dir(directory: Path, root: Path) -> bytes:
    """`directory` as a .tar.gz; links are stored as links, never followed. A directory the
    job replaced with a symlink out of the workspace `root` is refused."""
    if not workspace_paths.inside(root, directory):
        raise JobSetupError(
            f"{directory.relative_to(root).as_posix()} is a symlink to {directory.resolve()}, "
            "outside the job's /opt/ml; write the files themselves"
        )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(directory.rglob("*")):
            archive.add(path, arcname=path.relative_to(directory).as_posix(), recursive=False)
    return buffer.getvalue()
