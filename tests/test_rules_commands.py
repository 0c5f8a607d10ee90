"""`python -m event_rules generate` and `explain`: files up to date, exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from environments.settings import environments, load_settings
from event_rules.catalogue import CatalogueOptions, project_rules
from event_rules.cli import main
from event_rules.explain_cli import explain_event
from event_rules.generate import expected_files, render_rules, sync

ROOT = Path(__file__).resolve().parents[1]
GENERATED_DIR = ROOT / "rules"
SAMPLES = ROOT / "event_rules" / "samples"


def test_committed_generated_files_are_up_to_date() -> None:
    outcome = sync([load_settings(env) for env in environments()], check=True, root=GENERATED_DIR)
    assert outcome.stale == [], "run: python -m event_rules generate"
    assert sorted(p.name for p in GENERATED_DIR.iterdir()) == environments()


def test_check_reports_stale_and_missing_files_and_writes_nothing(tmp_path: Path) -> None:
    dev = load_settings("dev")
    first = sync([dev], check=False, root=tmp_path)
    assert sorted(p.name for p in first.written) == ["rules.json", "schedules.json"]
    assert sync([dev], check=True, root=tmp_path).stale == []
    rules = tmp_path / "dev" / "rules.json"
    rules.write_text(rules.read_text().replace("churn-dev-trigger", "churn-dev-other"))
    (tmp_path / "dev" / "schedules.json").unlink()
    stale = sync([dev], check=True, root=tmp_path).stale
    assert sorted(p.name for p in stale) == ["rules.json", "schedules.json"]
    assert not (tmp_path / "dev" / "schedules.json").exists()
    assert sync([dev], check=False, root=tmp_path).written != []
    assert sync([dev], check=True, root=tmp_path).stale == []


def test_generated_rules_are_deterministic_sorted_json() -> None:
    dev = load_settings("dev")
    text = render_rules(dev)
    assert text == render_rules(load_settings("dev"))
    entries = json.loads(text)
    assert text == json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    names = [entry["PutRule"]["Name"] for entry in entries]
    assert names == sorted(names)
    assert all(e["PutTargets"]["Rule"] == e["PutRule"]["Name"] for e in entries)
    assert set(expected_files(dev, Path("/x"))) == {
        Path("/x/dev/rules.json"),
        Path("/x/dev/schedules.json"),
    }


def test_generate_check_command_exits_zero_on_the_clean_tree(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_generate_unknown_environment_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--check", "--env", "staging"]) == 2
    assert "no settings for environment 'staging'" in capsys.readouterr().err


def test_explain_lists_firing_rule_and_first_failing_field(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["explain", str(SAMPLES / "sagemaker-model-package-rejected.json")])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert len(lines) == len(project_rules(load_settings("dev")))
    # The rule that fires comes first, whatever its name's place among the others.
    assert lines[0] == (
        "fires     churn-dev-model-rejected -> "
        "arn:aws:sns:us-east-1:123456789012:churn-dev-notifications"
    )
    assert (
        'no-match  churn-dev-model-approved: detail.ModelApprovalStatus: expected ["Approved"], '
        'found "Rejected"'
    ) in lines
    assert any(
        line.startswith("no-match  churn-dev-drift-detected: source: expected [") for line in lines
    ), lines


def test_explain_exits_one_when_nothing_fires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = json.loads((SAMPLES / "s3-object-created.json").read_text())
    event["detail"]["object"]["key"] = "incoming/readme.txt"
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    assert main(["explain", str(path)]) == 1
    out = capsys.readouterr().out
    assert "fires" not in out
    assert (
        "churn-dev-training-data-uploaded: detail.object.key: "
        'expected [{"wildcard": "incoming/*.csv"}], found "incoming/readme.txt"'
    ) in out


def test_explain_other_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SAMPLES / "s3-object-created.json"), "--env", "prod"]) == 1
    assert 'found "churn-dev-data-123456789012"' in capsys.readouterr().out


@pytest.mark.parametrize(("content", "fragment"), [("{nope", "not valid JSON"), ("[1]", "object")])
def test_explain_bad_event_file_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, fragment: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["explain", str(path)]) == 2
    assert fragment in capsys.readouterr().err


def test_explain_reports_scheduled_rules_as_never_matched() -> None:
    dev = load_settings("dev")
    rules = project_rules(dev, CatalogueOptions(use_scheduler=False))
    event = json.loads((SAMPLES / "scheduled-event.json").read_text())
    verdicts = {v.rule.name: str(v) for v in explain_event(rules, event)}
    assert verdicts["churn-dev-drift-check-schedule"] == (
        "schedule  churn-dev-drift-check-schedule: runs on rate(1 day); never matched by events"
    )


def test_module_entry_point_runs_explain() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "event_rules", "explain", str(SAMPLES / "scheduled-event.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("no-match") == len(project_rules(load_settings("dev")))
