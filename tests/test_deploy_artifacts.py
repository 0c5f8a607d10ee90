"""The deploy packs each archive once per content: a redeploy of the same code compresses
nothing, and changed code is always packed again (never an archive of older content)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy import artifacts
from deploy.artifacts import build_artifacts, job_code
from tasks import packaging
from tests.deploy_helpers import dev_settings


@pytest.fixture
def packed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each archive actually compressed, by kind, from an empty archive store."""
    monkeypatch.setattr(artifacts, "_archives", type(artifacts._archives)())
    made: list[str] = []
    zip_bytes, tar_gz_bytes = packaging.zip_bytes, packaging.tar_gz_bytes

    def zipped(entries: list[tuple[str, bytes]]) -> bytes:
        made.append("zip")
        return zip_bytes(entries)

    def tarred(entries: dict[str, bytes]) -> bytes:
        made.append("tar.gz")
        return tar_gz_bytes(entries)

    monkeypatch.setattr(packaging, "zip_bytes", zipped)
    monkeypatch.setattr(packaging, "tar_gz_bytes", tarred)
    return made


def test_the_same_code_is_compressed_once(packed: list[str]) -> None:
    settings = dev_settings()
    first = build_artifacts(settings)
    handlers = len(packaging.handler_modules())
    assert sorted(packed) == ["tar.gz"] + ["zip"] * handlers
    packed.clear()
    again = build_artifacts(settings)
    assert packed == []
    assert again == first


def test_the_archives_are_the_bytes_packaging_writes(tmp_path: Path) -> None:
    settings = dev_settings()
    built = build_artifacts(settings)
    out = tmp_path
    packaging.build(out, settings.job_sources())
    for handler, data in built.lambda_zips.items():
        assert (out / "lambda" / f"{handler}.zip").read_bytes() == data
    assert (
        built.code_objects[f"{built.code_version}/sourcedir.tar.gz"]
        == (out / "jobs" / "sourcedir.tar.gz").read_bytes()
    )


def test_changed_job_code_is_packed_again(packed: list[str]) -> None:
    version, objects = job_code({"train.py": b"print(1)\n"})
    changed_version, changed = job_code({"train.py": b"print(2)\n"})
    assert packed == ["tar.gz", "tar.gz"]
    assert changed_version != version
    assert changed[f"{changed_version}/sourcedir.tar.gz"] != objects[f"{version}/sourcedir.tar.gz"]
    assert (
        packaging.tar_gz_bytes({"train.py": b"print(2)\n"})
        == (changed[f"{changed_version}/sourcedir.tar.gz"])
    )
