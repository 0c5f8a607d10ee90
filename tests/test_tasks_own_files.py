"""Packaging packs only files of tasks/ itself, and job scripts read only files of their own
inputs: a symlink leading elsewhere on the machine is refused with its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.churn.churn_data import generate, write_csv
from tasks import packaging
from tasks.handlers.registry import Handler, NoEnvironment
from tests.jobs_helpers import preprocess_args, run_in_process


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project layout packaging reads, with one job and one handler."""
    root = tmp_path / "project"
    for folder in ("tasks", "tasks/jobs", "tasks/handlers"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "tasks" / "jobs" / "train.py").write_text("print('train')\n")
    (root / "tasks" / "handlers" / "gate.py").write_text(
        "SCHEMA = 'gate.schema.json'\n\ndef handler(event, context):\n    return SCHEMA\n"
    )
    (root / "tasks" / "handlers" / "gate.schema.json").write_text("{}")
    monkeypatch.setattr(packaging, "ROOT", root)
    monkeypatch.setattr(packaging, "TASKS", root / "tasks")
    # The copy's one handler, registered as every handler must be to be packed.
    gate = Handler("gate", "a handler of the copy", NoEnvironment, ())
    monkeypatch.setattr(packaging, "HANDLERS", {"gate": gate})
    return root


def test_the_copy_packs_as_the_project_does(project: Path, tmp_path: Path) -> None:
    names = {p.name for p in packaging.build(tmp_path / "out", packaging.job_sources(b"{}"))}
    assert names == {"gate.zip", "sourcedir.tar.gz", "__init__.py", "train.py", "model.json"}


def test_a_projects_own_job_replaces_the_built_in_one(project: Path, tmp_path: Path) -> None:
    own = tmp_path / "mine" / "jobs"
    own.mkdir(parents=True)
    (own / "train.py").write_text("print('my own train')\n")
    sources = packaging.job_sources(b'{"problem": "regression"}', own)
    assert sources == {
        "__init__.py": b"",
        "train.py": b"print('my own train')\n",
        "model.json": b'{"problem": "regression"}',
    }
    assert packaging.job_code_version(sources) != packaging.job_code_version(
        packaging.job_sources(b'{"problem": "regression"}')
    )


def test_a_projects_job_linking_out_of_its_jobs_folder_is_not_packed(
    project: Path, tmp_path: Path
) -> None:
    own = tmp_path / "mine" / "jobs"
    own.mkdir(parents=True)
    (tmp_path / "secret.py").write_text("KEY = 'elsewhere'\n")
    (own / "train.py").symlink_to(tmp_path / "secret.py")
    with pytest.raises(packaging.PackagingError, match=r"train\.py leads to .*secret\.py"):
        packaging.job_sources(b"{}", own)


def test_a_job_file_linking_out_of_tasks_is_not_packed(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text("KEY = 'the user's own file'\n")
    (project / "tasks" / "jobs" / "stolen.py").symlink_to(secret)
    with pytest.raises(packaging.PackagingError, match=r"stolen\.py leads to .*secret\.py"):
        packaging.build(tmp_path / "out", packaging.job_sources(b"{}"))
    assert not (tmp_path / "out" / "jobs").exists()


def test_a_data_file_linking_out_of_tasks_is_not_packed(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "the user\'s own"}')
    schema = project / "tasks" / "handlers" / "gate.schema.json"
    schema.unlink()
    schema.symlink_to(secret)
    with pytest.raises(packaging.PackagingError, match=r"gate\.schema\.json leads to"):
        packaging.build(tmp_path / "out", {})
    assert not (tmp_path / "out" / "lambda" / "gate.zip").exists()


def test_a_job_refuses_an_input_file_linking_out_of_its_channel(
    tmp_path: Path, churn_jobs: Path
) -> None:
    data, outside = tmp_path / "data", tmp_path / "outside.csv"
    write_csv(generate(seed=4, rows=200), data / "a.csv")
    write_csv(generate(seed=5, rows=200), outside)
    (data / "b.csv").symlink_to(outside)
    run = run_in_process(preprocess_args(churn_jobs, data, tmp_path / "out"), {})
    assert run.returncode == 1, run.stdout
    message = (tmp_path / "out" / "message").read_text()
    assert "b.csv is a link to" in message and str(outside) in message
    assert not (tmp_path / "out" / "train").exists()


def test_a_job_refuses_a_named_input_file_linking_out(tmp_path: Path, churn_jobs: Path) -> None:
    baseline, outside = tmp_path / "baseline", tmp_path / "statistics.json"
    baseline.mkdir()
    outside.write_text('{"features": {}}')
    (baseline / "statistics.json").symlink_to(outside)
    args = [
        str(churn_jobs / "drift_check.py"),
        "--baseline-dir",
        str(baseline),
        "--capture-dir",
        str(tmp_path / "capture"),
        "--report-dir",
        str(tmp_path / "report"),
        "--message-file",
        str(tmp_path / "message"),
    ]
    run = run_in_process(args, {})
    assert run.returncode == 1, run.stdout
    message = (tmp_path / "message").read_text()
    assert message.startswith(f"{baseline / 'statistics.json'} is a link to {outside}")


def test_an_edited_handler_is_packed_as_it_reads_now(project: Path, tmp_path: Path) -> None:
    # Parsing is remembered by source text, never by path: a deploy after an edit packs what the
    # handler names now (here a second data file), not what it named at the first packaging.
    handlers = project / "tasks" / "handlers"
    first = packaging.lambda_files("gate")
    (handlers / "extra.json").write_text("{}")
    (handlers / "gate.py").write_text(
        "SCHEMA = 'gate.schema.json'\nEXTRA = 'extra.json'\n\n"
        "def handler(event, context):\n    return SCHEMA, EXTRA\n"
    )
    assert handlers / "extra.json" not in first
    assert handlers / "extra.json" in packaging.lambda_files("gate")
