"""`workspace_paths`: the one place AWS names become local paths, and what it refuses."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from localcloud import LocalCloud
from localcloud.workspace_paths import (
    EscapeError,
    confined,
    container_path,
    extract_tar,
    open_append,
    write_atomic,
)
from tests.localcloud_helpers import create_function


def test_a_plain_name_lands_under_its_root(tmp_path: Path) -> None:
    assert confined(tmp_path, "a/b.csv") == tmp_path / "a" / "b.csv"
    assert container_path(tmp_path, "/opt/ml", "/opt/ml/processing/in/") == (
        tmp_path / "processing" / "in"
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "is empty"),
        ("a/../../etc/passwd", "'..' path segment"),
        ("/etc/passwd", "absolute path"),
        ("a//b", "empty path segment"),
        ("a/", "empty path segment"),
        ("a/./b", "'.' path segment"),
        ("a\x00b", "NUL"),
    ],
)
def test_names_that_could_leave_the_root_are_refused(
    tmp_path: Path, name: str, reason: str
) -> None:
    with pytest.raises(EscapeError, match=reason) as caught:
        confined(tmp_path, name)
    assert caught.value.name == name


def test_a_symlink_leading_out_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside)
    (root / "inner").symlink_to(root / "sub")
    with pytest.raises(EscapeError, match="through a symlink"):
        confined(root, "link/file")
    assert confined(root, "inner/file") == root / "inner" / "file"  # inside: allowed


def test_a_container_path_outside_the_mount_is_refused(tmp_path: Path) -> None:
    for path in ("/etc/cron.d", "/opt/mlx/a", "/opt/ml/../etc"):
        with pytest.raises(EscapeError) as caught:
            container_path(tmp_path, "/opt/ml", path)
        assert caught.value.name == path


def _tar_gz(info: tarfile.TarInfo, body: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info.size = len(body) if info.isfile() else 0
        archive.addfile(info, io.BytesIO(body) if info.isfile() else None)
    return buffer.getvalue()


def test_an_archive_of_files_and_folders_is_extracted(tmp_path: Path) -> None:
    folder = tarfile.TarInfo("./code")
    folder.type = tarfile.DIRTYPE
    extract_tar(_tar_gz(folder), tmp_path)
    extract_tar(_tar_gz(tarfile.TarInfo("./code/train.py"), b"print(1)"), tmp_path)
    assert (tmp_path / "code" / "train.py").read_bytes() == b"print(1)"


def test_links_inside_an_archive_are_refused_even_when_they_stay_inside(tmp_path: Path) -> None:
    # A link inside can still be combined with later members to climb out (`p -> .`, then
    # `p/q -> ../x`), so archives hold files and folders only.
    link = tarfile.TarInfo("p")
    link.type, link.linkname = tarfile.SYMTYPE, "."
    with pytest.raises(EscapeError, match=r"'p' is a symlink to '\.'"):
        extract_tar(_tar_gz(link), tmp_path / "dest")
    assert not (tmp_path / "dest" / "p").exists()


def test_devices_in_an_archive_are_refused(tmp_path: Path) -> None:
    fifo = tarfile.TarInfo("pipe")
    fifo.type = tarfile.FIFOTYPE
    with pytest.raises(EscapeError, match="not a file or folder"):
        extract_tar(_tar_gz(fifo), tmp_path)


def test_write_atomic_replaces_whole_and_refuses_a_planted_symlink(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write_atomic(state, "server.json", b"one")
    write_atomic(state, "server.json", b"two")
    assert [p.name for p in state.iterdir()] == ["server.json"]  # no temporary left behind
    assert (state / "server.json").read_bytes() == b"two"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"mine")
    (state / "server.json").unlink()
    (state / "server.json").symlink_to(elsewhere)
    with pytest.raises(EscapeError, match="is a symlink"):
        write_atomic(state, "server.json", b"three")
    with pytest.raises(EscapeError, match="is a symlink"):
        open_append(state, "server.json")
    assert elsewhere.read_bytes() == b"mine"


def test_a_lambda_zip_that_climbs_out_fails_the_invocation_naming_the_member(
    localcloud: LocalCloud, tmp_path: Path
) -> None:
    # The Lambda door: a version whose handler package differs from this process's is run
    # from its own zip (lambda_version_code), which is unpacked only after every member was
    # confined; zipfile alone would drop the '..' segments silently and run the code.
    target = tmp_path / "pwned.py"
    climbing = "../" * 20 + str(target).lstrip("/")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(climbing, "owned = True\n")
        archive.writestr("slipmod/__init__.py", "")
        archive.writestr("slipmod/handler.py", "def handler(event, context):\n    return 1\n")
    create_function(localcloud.client, "slip", "slipmod.handler.handler", code=buffer.getvalue())
    response = localcloud.client("lambda").invoke(FunctionName="slip", Payload=b"{}")
    localcloud.wait_until_idle()
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "EscapeError"
    assert climbing in error["errorMessage"] and "'..' path segment" in error["errorMessage"]
    assert not target.exists()
