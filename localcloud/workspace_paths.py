"""Where AWS names (S3 keys, archive members, channel names, LocalPaths) land on this machine.

Every name the embedded cloud turns into a local path goes through `confined`, which resolves it
under a root and refuses anything that would leave it: `..`, absolute names, NUL, empty segments
(`a//b`, which an S3 key may hold), and symlinks that resolve outside. Archives are extracted only
through `extract_tar`, which checks every member first (plain files and folders only; links and
devices are refused, with the member named). The server's own files use `write_atomic` and
`open_append`, which never follow a symlink planted where they write.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO


class EscapeError(ValueError):
    """A name that cannot be placed under its root; `name` is the name, `reason` why not."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name!r} {reason}")
        self.name = name
        self.reason = reason


def _segments(name: str) -> list[str]:
    if not name:
        raise EscapeError(name, "is empty")
    if "\x00" in name:
        raise EscapeError(name, "holds a NUL character")
    if name.startswith("/"):
        raise EscapeError(name, "is an absolute path")
    segments = name.split("/")
    for segment in segments:
        if segment == "":
            raise EscapeError(name, "has an empty path segment ('//' or a trailing '/')")
        if segment in (".", ".."):
            raise EscapeError(name, f"has a '{segment}' path segment")
    return segments


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, with every symlink resolved, is `root` or under it."""
    return path.resolve().is_relative_to(root.resolve())


def confined(root: Path, name: str) -> Path:
    """`root / name`, refusing any name that leaves `root`, as written or through a symlink.

    `name` is relative with `/` separators, as S3 keys and archive members are. The result keeps
    `root`'s own spelling; it need not exist yet.
    """
    target = root.joinpath(*_segments(name))
    if not inside(root, target):
        raise EscapeError(name, f"leads out of {root} through a symlink")
    return target


def container_path(root: Path, mount: str, path: str) -> Path:
    """A container path (`/opt/ml/processing/input`) under `mount` (`/opt/ml`), mapped into
    `root`; anything not under `mount`, or leaving it, is refused."""
    if path.rstrip("/") == mount:
        return root
    if not path.startswith(f"{mount}/"):
        raise EscapeError(path, f"is not under {mount}/")
    try:
        return confined(root, path[len(mount) + 1 :].rstrip("/"))
    except EscapeError as error:
        raise EscapeError(path, error.reason) from error


def _member_name(member: tarfile.TarInfo) -> str | None:
    # Archives made with `tar -C dir .` name members `./x` and hold `.` itself.
    name = member.name.rstrip("/") if member.isdir() else member.name
    while name.startswith("./"):
        name = name[2:]
    return None if name in ("", ".") else name


def check_tar(archive: tarfile.TarFile, dest: Path) -> list[tarfile.TarInfo]:
    """Every member of `archive`, once each is known to be a plain file or folder under
    `dest`; raises EscapeError naming the first member that is not."""
    members = archive.getmembers()
    for member in members:
        name = _member_name(member)
        if name is None:
            continue
        if member.issym() or member.islnk():
            kind = "symlink" if member.issym() else "hard link"
            raise EscapeError(
                member.name,
                f"is a {kind} to {member.linkname!r}; only files and folders are extracted",
            )
        if not (member.isfile() or member.isdir()):
            raise EscapeError(member.name, "is not a file or folder (device, FIFO, ...)")
        confined(dest, name)
    return members


def extract_tar(data: bytes, dest: Path) -> None:
    """Extract a `.tar.gz` into `dest` after `check_tar` accepted every member."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = check_tar(archive, dest)
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: tarfile's own check as well
            archive.extractall(dest, members=members, filter="data")
        else:
            archive.extractall(dest, members=members)


def extract_zip(archive: zipfile.ZipFile, dest: Path) -> None:
    """Extract a zip into `dest` after every member's name was confined to it (zipfile strips
    `..` silently; a climbing member is refused here instead, naming it). Zip members are files
    and folders only: zipfile never creates links."""
    for info in archive.infolist():
        confined(dest, info.filename.removesuffix("/") if info.is_dir() else info.filename)
    dest.mkdir(parents=True, exist_ok=True)
    archive.extractall(dest)


def private_dir(path: Path) -> Path:
    """Create `path` (a folder this user owns) and refuse it when it is a symlink: a link
    planted there would carry the files written into it to wherever it points."""
    if path.is_symlink():
        raise EscapeError(str(path), "is a symlink; remove it (it may point anywhere)")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise EscapeError(str(path), "is not a folder")
    return path


def user_cache_dir(name: str) -> Path | None:
    """`<temp dir>/<name>-<uid>`, a folder kept between runs for this user's caches, or None when
    it cannot be trusted (see `trusted_folder`)."""
    return trusted_folder(Path(tempfile.gettempdir()) / f"{name}-{os.getuid()}")


def trusted_folder(path: Path) -> Path | None:
    """`path`, created private when missing, or None when it is not a folder this user owns
    and others cannot write to (or is a symlink): whoever could write there could hand this
    process what it reads back."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = path.lstat()
    except OSError:
        return None
    # From the one lstat: a symlink's own mode is a link's, never a folder's.
    trusted = (
        stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and found.st_mode & 0o077 == 0
    )
    return path if trusted else None


def write_atomic(directory: Path, name: str, data: bytes) -> Path:
    """Write `directory/name` whole or not at all (a temporary file renamed over it), so a
    reader never sees half of it; refuses a symlink at `name`."""
    target = _own_file(directory, name)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def open_append(directory: Path, name: str) -> BinaryIO:
    """`directory/name` opened to append, created when missing; refuses a symlink there."""
    target = _own_file(directory, name)
    # O_NOFOLLOW: a link planted between the check above and this open is refused too.
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except OSError as error:
        if target.is_symlink():
            raise EscapeError(str(target), "is a symlink; remove it") from error
        raise
    return os.fdopen(fd, "ab")


def _own_file(directory: Path, name: str) -> Path:
    root = private_dir(directory)
    if root.joinpath(name).is_symlink():
        raise EscapeError(str(root / name), "is a symlink; remove it (it may point anywhere)")
    return confined(root, name)
