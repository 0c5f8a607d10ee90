"""The second example, a multiclass model on other columns (examples/wine), runs its whole loop
through `selfheal demo`: deploy, upload, retrain, gate, register, deploy, drift, second retrain."""

from __future__ import annotations

import re
from pathlib import Path

from selfheal.demo import run
from tests.example_projects import wine_project


def test_the_wine_project_closes_the_loop_on_its_own_data(tmp_path: Path) -> None:
    lines: list[str] = []
    assert run("dev", lines.append, project=wine_project(tmp_path)) == 0, "\n".join(lines)
    text = "\n".join(lines)
    assert "uploading wine.csv to s3://wine-dev-data-123456789012/incoming/wine.csv" in text
    assert re.search(r"EventBridge started s3-incoming-wine-csv-", text)
    assert re.search(r"gate decision   approve", text)
    assert re.search(r"model package   wine-dev-models version 1 \(Approved\)", text)
    assert re.search(r"endpoint        wine-dev: InService on wine-dev-epc-", text)
    assert "drift-check: SUCCEEDED, drift detected: yes" in text
    assert re.search(r"drift event started drift-", text)
