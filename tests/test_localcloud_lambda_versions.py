"""Function versions keep their own code, as on AWS: invoking a version, or an alias that points
at one, runs that version's code, even when this process imports other code for the same
package; Invoke's ``Qualifier`` selects the version or alias like a qualified name does."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from localcloud import LocalCloud
from localcloud.extensions import extensions_disabled

PACKAGE = "lc_versioned"
HANDLER = f"{PACKAGE}.gate.handler"


def _source(tag: str) -> str:
    # The handler imports a sibling module, so the version's whole package must come from its
    # zip, not the handler module alone.
    return (
        f"from {PACKAGE}.tag import TAG\n\n"
        "def handler(event, context):\n    return {'code': TAG}\n"
    )


def _zip(tag: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{PACKAGE}/__init__.py", "")
        archive.writestr(f"{PACKAGE}/gate.py", _source(tag))
        archive.writestr(f"{PACKAGE}/tag.py", f"TAG = {tag!r}\n")
    return buffer.getvalue()


@pytest.fixture
def process_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The same package, as this process would import it, holding other code ("process")."""
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "gate.py").write_text(_source("process"))
    (package / "tag.py").write_text("TAG = 'process'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
        del sys.modules[name]


def _two_versions(cloud: LocalCloud) -> None:
    """Version 1 runs code "v1", version 2 (and $LATEST) "v2"; ``live`` points at 1."""
    lam = cloud.client("lambda")
    role = cloud.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")
    lam.create_function(
        FunctionName="gate",
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler=HANDLER,
        Code={"ZipFile": _zip("v1")},
    )
    assert lam.publish_version(FunctionName="gate")["Version"] == "1"
    lam.create_alias(FunctionName="gate", Name="live", FunctionVersion="1")
    lam.update_function_code(FunctionName="gate", ZipFile=_zip("v2"))
    assert lam.publish_version(FunctionName="gate")["Version"] == "2"


def _code(cloud: LocalCloud, function: str, qualifier: str | None = None) -> str:
    extra = {"Qualifier": qualifier} if qualifier else {}
    response = cloud.client("lambda").invoke(FunctionName=function, Payload=b"{}", **extra)
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    return str(payload["code"])


def test_each_version_and_alias_runs_its_own_code(
    localcloud: LocalCloud, process_package: None
) -> None:
    _two_versions(localcloud)
    assert _code(localcloud, "gate:live") == "v1"
    assert _code(localcloud, "arn:aws:lambda:us-east-1:123456789012:function:gate:live") == "v1"
    assert _code(localcloud, "gate:2") == "v2"
    assert _code(localcloud, "gate") == "v2"
    localcloud.client("lambda").update_alias(FunctionName="gate", Name="live", FunctionVersion="2")
    assert _code(localcloud, "gate:live") == "v2"
    # The process's own modules are back in place after each call.
    from lc_versioned.tag import TAG  # type: ignore[import-not-found]

    assert TAG == "process"


def test_qualifier_parameter_selects_the_version(
    localcloud: LocalCloud, process_package: None
) -> None:
    _two_versions(localcloud)
    assert _code(localcloud, "gate", qualifier="live") == "v1"
    assert _code(localcloud, "gate", qualifier="1") == "v1"
    assert _code(localcloud, "gate", qualifier="$LATEST") == "v2"


def test_without_the_extension_an_old_version_runs_the_process_code(
    process_package: None,
) -> None:
    with extensions_disabled("lambda_version_code"), LocalCloud() as cloud:
        _two_versions(cloud)
        assert _code(cloud, "gate:live") == "process"


def test_without_the_extension_the_qualifier_parameter_is_ignored(
    process_package: None,
) -> None:
    with extensions_disabled("invoke_qualifier"), LocalCloud() as cloud:
        _two_versions(cloud)
        assert _code(cloud, "gate", qualifier="1") == "v2"


def _missing_function_message(cloud: LocalCloud, **qualifier: str) -> str:
    lam = cloud.client("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as raised:
        lam.invoke(FunctionName="no-such-function", Payload=b"{}", **qualifier)
    return str(raised.value.response["Error"]["Message"])


def test_invoking_a_missing_function_names_the_version_asked_for() -> None:
    # Recorded on AWS (corpus error_handling/test_no_such_function_catch): an unqualified
    # Invoke's error names `:$LATEST`.
    with LocalCloud() as cloud:
        arn = f"arn:aws:lambda:{cloud.region}:{cloud.account_id}:function:no-such-function"
        assert _missing_function_message(cloud) == f"Function not found: {arn}:$LATEST"
        assert _missing_function_message(cloud, Qualifier="7") == f"Function not found: {arn}:7"


def test_without_the_extension_a_missing_function_is_named_without_its_version() -> None:
    with extensions_disabled("invoke_qualifier"), LocalCloud() as cloud:
        assert _missing_function_message(cloud).endswith(":function:no-such-function")
