"""Agreement of the embedded Step Functions with every case recorded against AWS in
../shared/corpus/sfn-executions/ (run by tests/sfn_corpus.py, compared by
tests/sfn_corpus_compare.py).

A case passes when it agrees with AWS, or when localcloud/README.md lists it (section "Where the
embedded Step Functions differs from AWS", with the reason) and it still disagrees. It fails when
it disagrees unlisted, when a listed case agrees (the list shrinks as the engine is fixed), and on
any silent pass (AWS failed or rejected it, the engine succeeded or accepted), listed or not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from localcloud import LocalCloud
from tests.sfn_corpus import CORPUS, PROJECT, CorpusRunner, load_cases
from tests.sfn_corpus_compare import Outcome, agrees, silent_pass
from tests.sfn_corpus_report import PROPERTY

if not CORPUS.is_dir():
    print(f"Step Functions corpus not found at {CORPUS} (it is not in user clones): skipped")
    pytest.skip(f"Step Functions corpus not found at {CORPUS}", allow_module_level=True)

README = PROJECT / "localcloud" / "README.md"
SECTION = "## Where the embedded Step Functions differs from AWS"
# A listed reason that starts so marks a case that needs a service localcloud lacks.
CANNOT_RUN = "cannot run"
# A listed reason that starts so marks a case whose recording masked values by their key's name
# (`"x-amzn-RequestId": "x-amzn-RequestId"`) without listing them in `replacements` or
# `ignore_keys`: no engine can match those values, so such a case must agree in everything else.
MASKED = "recording masks"
CASES = load_cases()


def known_disagreements() -> dict[str, str]:
    """Case name -> reason, from the README table (`| case | reason |` rows)."""
    text = README.read_text()
    if SECTION not in text:
        return {}
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    known: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) != 2:
            continue
        name, reason = cells[0].strip("`"), cells[1]
        if name in ("case", "") or set(name) <= {"-", ":", " "}:
            continue
        known[name] = reason
    return known


KNOWN = known_disagreements()


@pytest.fixture(scope="module")
def runner() -> Iterator[CorpusRunner]:
    """One cloud for every case: each case names its own resources and removes them."""
    with LocalCloud() as cloud:
        yield CorpusRunner(cloud)


def _normalised(runner: CorpusRunner, case: dict[str, Any]) -> Outcome:
    outcome = runner.run(case)
    normalise = runner.normaliser(case)
    return Outcome(
        outcome.status,
        normalise.value(outcome.output),
        normalise.value(outcome.error),
        outcome.cause,
    )


def _describe(case: dict[str, Any], outcome: Outcome) -> str:
    expected = case["expected"]
    return (
        f"AWS: {expected['status']} error={expected['error']!r}"
        f" output={json.dumps(expected['output'])[:600]}\n"
        f"engine: {outcome.status} error={outcome.error!r} cause={str(outcome.cause)[:300]!r}"
        f" output={json.dumps(outcome.output)[:600]}"
    )


def test_known_disagreements_name_existing_cases_with_reasons() -> None:
    names = {case["name"] for case in CASES}
    assert not [name for name in KNOWN if name not in names], "README lists unknown cases"
    assert all(KNOWN.values()), "every listed case needs its reason"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case_agrees_with_aws(
    case: dict[str, Any], runner: CorpusRunner, request: pytest.FixtureRequest
) -> None:
    outcome = _normalised(runner, case)
    agreed = agrees(case, outcome)
    silent = silent_pass(case, outcome)
    reason = KNOWN.get(case["name"])
    request.node.user_properties.append(
        (
            PROPERTY,
            {
                "group": case["group"],
                "agreed": agreed,
                "silent": silent,
                "cannot_run": reason is not None and reason.lower().startswith(CANNOT_RUN),
                "masked": reason is not None and reason.lower().startswith(MASKED),
            },
        )
    )
    assert not silent, f"silent pass (never acceptable, listed or not)\n{_describe(case, outcome)}"
    if reason is not None:
        assert not agreed, (
            f"now agrees with AWS: remove it from {README.name}'s table (was: {reason})"
        )
        if reason.lower().startswith(MASKED):
            assert agrees(case, outcome, key_masks=True), (
                f"disagrees beyond the values its recording masked\n{_describe(case, outcome)}"
            )
        return
    assert agreed, (
        f"disagrees with AWS and is not listed in {README.name}\n{_describe(case, outcome)}"
    )
