"""`make demo` end to end: deploy, S3 upload -> retrain -> deploy, drift -> retrain."""

from __future__ import annotations

import re

from scripts.demo import run


def test_demo_closes_the_loop():
    lines: list[str] = []
    assert run("dev", lines.append) == 0, "\n".join(lines)
    text = "\n".join(lines)
    # The first retrain was started by EventBridge from the upload and deployed a model.
    assert re.search(r"EventBridge started s3-incoming-", text)
    assert re.search(r"gate decision   approve", text)
    assert re.search(r"endpoint        churn-dev: InService on churn-dev-epc-", text)
    assert re.search(r"model package   churn-dev-models version 1 \(Approved\)", text)
    # Drift was detected on the capture data and its event started a second retrain.
    assert "drift-check: SUCCEEDED, drift detected: yes" in text
    assert re.search(r"drift event started drift-", text)
    assert text.count("notification    [churn-dev] ") == 2
