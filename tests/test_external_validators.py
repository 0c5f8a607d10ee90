"""Independent validators agree that the generated definitions and the corpus's valid cases hold.

Two tools that nobody in this project wrote: asl-validator (npm, pinned in package.json) and
statelint (PyPI). Each runs once over every file (one process per tool keeps this fast).
asl-validator rewrites the files it reads, so it gets copies.

statelint predates parts of ASL and reports some valid definitions; each such false positive is
listed below with the AWS behaviour it misses. Anything else it reports fails the test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from asl_validation import validate_definition
from tests.run_once import once_per_run

REPO = Path(__file__).resolve().parents[1]
ASL_VALIDATOR = REPO / "node_modules" / ".bin" / "asl-validator"
STATELINT = REPO / ".venv" / "bin" / "statelint"
CORPUS_VALID = REPO.parent / "shared" / "corpus" / "asl" / "valid"
GENERATED = sorted((REPO / "asl").glob("*.asl.json"))
CORPUS = sorted(CORPUS_VALID.glob("*.json")) if CORPUS_VALID.is_dir() else []
TIMEOUT_SECONDS = 120

# statelint problems that are not problems on AWS, by the pattern of statelint's line.
STATELINT_FALSE_POSITIVE_PATTERNS: dict[str, str] = {
    # JSONata states give numbers and timestamps as "{% ... %}" expressions.
    r'is "\{%.*%\}" but should be an (Integer|RFC3339 timestamp|Numeric)': (
        "JSONata states may give TimeoutSeconds, HeartbeatSeconds, Seconds, Timestamp, "
        "MaxConcurrency, ToleratedFailure* and ItemBatcher sizes as JSONata expressions"
    ),
    r'Field "Assign" not allowed': "Assign (variables) works in JSONPath states too",
    r'Field "(InputType|CSVHeaderLocation|CSVHeaders|CSVDelimiter|MaxItems|MaxItemsPath|'
    r'ManifestType|Transformation)" not allowed in .*ReaderConfig': (
        "distributed Map ItemReader.ReaderConfig fields are newer than statelint"
    ),
    r'Field "Label" not allowed in .*': "Label names a distributed Map's child executions",
    r'Resource is (\{"Ref"|\{"Fn::GetAtt"|"\$\{).* but should be A URI': (
        "CloudFormation placeholders in a template, substituted before AWS sees the definition"
    ),
    r'Field "[^"]+\.\$" of Parameters at .* is not a JSONPath or intrinsic function expression': (
        "statelint's JSONPath grammar rejects '-' in field names such as $.delivery-partner, "
        "which AWS's JSONPath accepts"
    ),
}
# Which corpus cases statelint is known to report (all of them false positives, above).
STATELINT_REPORTS_ON_CORPUS = {
    "valid-cfn-definition-substitutions.json",
    "valid-map-distributed.asl.json",
    "valid-map-noconfig.asl.json",
    "valid-map-with-item-batcher-jsonata.json",
    "valid-map-with-item-batcher.json",
    "valid-map-with-parameters.json",
    "valid-task-intrisic-function.json",
    "valid-task-timeout-jsonata.json",
    "valid-wait-jsonata.asl.json",
}


def _params(paths: list[Path], missing: str) -> list[object]:
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason=missing), id="none")]
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in paths]


GENERATED_PARAMS = _params(GENERATED, "asl/ has no generated definitions yet (run `make asl`)")
CORPUS_PARAMS = _params(CORPUS, f"corpus not present at {CORPUS_VALID}")


def test_generated_definitions_exist() -> None:
    """The generated definitions are committed under asl/ (`make asl` writes them)."""
    assert GENERATED, "asl/*.asl.json is empty: run `make asl` to generate the definitions"


@pytest.mark.parametrize("path", GENERATED_PARAMS)
def test_generated_definition_passes_this_validator(path: Path) -> None:
    assert validate_definition(json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.fixture(scope="module")
def asl_validator_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Run asl-validator once per test run over copies of every file; map file key -> its
    error lines."""
    if not ASL_VALIDATOR.exists() or shutil.which("node") is None:
        pytest.skip(f"asl-validator not installed at {ASL_VALIDATOR} (run `npm ci`)")
    verdicts: dict[str, list[str]] = once_per_run(
        tmp_path_factory,
        "asl-validator-verdicts",
        lambda: _asl_validator_verdicts(tmp_path_factory),
    )
    return verdicts


def _asl_validator_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    copies = tmp_path_factory.mktemp("asl-validator")
    arguments: list[str] = []
    keys: dict[str, str] = {}
    for path in [*GENERATED, *CORPUS]:
        copy = copies / f"{path.parent.name}--{path.name}"
        shutil.copyfile(path, copy)
        arguments += ["--json-path", str(copy)]
        keys[str(copy)] = f"{path.parent.name}/{path.name}"
    if not arguments:
        return {}
    completed = subprocess.run(
        [str(ASL_VALIDATOR), *arguments],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    verdicts: dict[str, list[str]] = {}
    current: str | None = None
    for line in (completed.stdout + completed.stderr).splitlines():
        match = re.match(r'\s*([✓✕]) State machine definition "(.+)" is (valid|invalid)', line)
        if match:
            current = keys.get(match.group(2))
            if current is not None:
                verdicts[current] = [] if match.group(1) == "✓" else [line]
        elif current is not None and current in verdicts and verdicts[current] and line.strip():
            verdicts[current].append(line.strip())
    return verdicts


@pytest.fixture(scope="module")
def statelint_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Run statelint once over every file; map file key -> its problem lines (absent = clean)."""
    if not STATELINT.exists():
        pytest.skip(f"statelint not installed at {STATELINT}")
    reports: dict[str, list[str]] = once_per_run(tmp_path_factory, "statelint-reports", _statelint)
    return reports


def _statelint() -> dict[str, list[str]]:
    files = [*GENERATED, *CORPUS]
    if not files:
        return {}
    completed = subprocess.run(
        [str(STATELINT), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode in {0, 1}, completed.stderr
    by_name = {str(path): f"{path.parent.name}/{path.name}" for path in files}
    reports: dict[str, list[str]] = {}
    current: str | None = by_name[str(files[0])] if len(files) == 1 else None
    for line in completed.stdout.splitlines():
        if line in by_name:
            current = by_name[line]
        elif line.startswith(" ") and current is not None:
            reports.setdefault(current, []).append(line.strip())
    return reports


def _key(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _unexplained(lines: list[str]) -> list[str]:
    return [
        line
        for line in lines
        if not any(re.search(pattern, line) for pattern in STATELINT_FALSE_POSITIVE_PATTERNS)
    ]


@pytest.mark.parametrize("path", GENERATED_PARAMS + CORPUS_PARAMS)
def test_asl_validator_accepts(path: Path, asl_validator_verdicts: dict[str, list[str]]) -> None:
    assert _key(path) in asl_validator_verdicts, "asl-validator gave no verdict for this file"
    assert asl_validator_verdicts[_key(path)] == []


@pytest.mark.parametrize("path", GENERATED_PARAMS)
def test_statelint_reports_only_known_false_positives_on_generated(
    path: Path, statelint_reports: dict[str, list[str]]
) -> None:
    assert _unexplained(statelint_reports.get(_key(path), [])) == []


@pytest.mark.parametrize("path", CORPUS_PARAMS)
def test_statelint_on_corpus_matches_its_known_false_positives(
    path: Path, statelint_reports: dict[str, list[str]]
) -> None:
    lines = statelint_reports.get(_key(path), [])
    assert (path.name in STATELINT_REPORTS_ON_CORPUS) == bool(lines), lines
    assert _unexplained(lines) == []
