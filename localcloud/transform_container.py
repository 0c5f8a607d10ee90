"""The scikit-learn serving container's batch mode, as a script a local transform job runs.

`python transform_container.py CONFIG.json`: loads the inference script (`SAGEMAKER_PROGRAM`)
from the code directory, calls `model_fn(model_dir)` once, then for every input file sends its
payloads (the whole file, or records split on newlines and batched) through `input_fn`,
`predict_fn` and `output_fn`, and writes the assembled responses to the file's output path.
Handlers the script does not define fall back to the container's defaults (CSV or JSON into a
numpy array, `model.predict`, CSV or JSON out). A failure is written to the config's
`failure_file` and the process exits 1. Runs in the job's own process: standard library and
numpy only, plus whatever the inference script imports.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TEXT_TYPES = ("text/", "application/json", "application/jsonlines")


def _default_input_fn(body: Any, content_type: str) -> Any:
    import numpy as np

    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if content_type.startswith("application/json"):
        return np.array(json.loads(text))
    if content_type.startswith("text/csv"):
        return np.genfromtxt(io.StringIO(text), delimiter=",", ndmin=2)
    raise ValueError(f"the default input_fn cannot read {content_type!r}; define input_fn")


def _default_predict_fn(data: Any, model: Any) -> Any:
    return model.predict(data)


def _default_output_fn(prediction: Any, accept: str) -> tuple[str, str]:
    import numpy as np

    if accept.startswith("application/json"):
        return json.dumps(np.asarray(prediction).tolist()), accept
    buffer = io.StringIO()
    np.savetxt(buffer, np.atleast_1d(np.asarray(prediction)), delimiter=",", fmt="%s")
    return buffer.getvalue(), "text/csv"


def _payloads(data: bytes, split_type: str, batch_strategy: str, max_bytes: int) -> Iterator[bytes]:
    if split_type == "None":
        yield data
        return
    records = [line + b"\n" for line in data.splitlines() if line.strip()]
    if batch_strategy == "SingleRecord":
        yield from records
        return
    batch: list[bytes] = []
    size = 0
    for record in records:
        if len(record) > max_bytes:
            raise ValueError(
                f"a record of {len(record)} bytes exceeds MaxPayloadInMB ({max_bytes} bytes)"
            )
        if batch and size + len(record) > max_bytes:
            yield b"".join(batch)
            batch, size = [], 0
        batch.append(record)
        size += len(record)
    if batch:
        yield b"".join(batch)


def _as_bytes(response: Any) -> bytes:
    body = response[0] if isinstance(response, tuple) else response
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def transform(config: dict[str, Any]) -> None:
    sys.path.insert(0, config["code_dir"])
    module = importlib.import_module(Path(config["program"]).stem)
    if not callable(getattr(module, "model_fn", None)):
        raise ValueError(f"{config['program']} defines no model_fn(model_dir)")
    input_fn = getattr(module, "input_fn", _default_input_fn)
    predict_fn = getattr(module, "predict_fn", _default_predict_fn)
    output_fn = getattr(module, "output_fn", _default_output_fn)
    model = module.model_fn(config["model_dir"])
    content_type, accept = config["content_type"], config["accept"]
    for item in config["inputs"]:
        responses = []
        for payload in _payloads(
            Path(item["path"]).read_bytes(),
            config["split_type"],
            config["batch_strategy"],
            config["max_payload_bytes"],
        ):
            body: Any = payload.decode("utf-8") if content_type.startswith(TEXT_TYPES) else payload
            prediction = predict_fn(input_fn(body, content_type), model)
            responses.append(_as_bytes(output_fn(prediction, accept)))
        if config["assemble_with"] == "Line":
            responses = [r if r.endswith(b"\n") else r + b"\n" for r in responses]
        output = Path(item["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(b"".join(responses))


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    try:
        transform(config)
    except Exception as error:  # the job's FailureReason, as the container would report it
        Path(config["failure_file"]).write_text(f"{type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
