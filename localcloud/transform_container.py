"""The scikit-learn serving container, as a script: batch mode for a local transform job, and
endpoint mode for a local endpoint's InvokeEndpoint (one piece of serving code for both).

Both load the inference script (`SAGEMAKER_PROGRAM`) from the code directory and call
`model_fn(model_dir)` once; every payload then goes through `input_fn`, `predict_fn` and
`output_fn` (`handle`). Handlers the script does not define fall back to the container's
defaults (CSV or JSON into a numpy array, `model.predict`, CSV or JSON out).

`python transform_container.py CONFIG.json` (batch): for every input file sends its payloads
(the whole file, or records split on newlines and batched) and writes the assembled responses
to the file's output path. A failure is written to the config's `failure_file`, exit 1.

`python transform_container.py --serve CONFIG.json` (endpoint): answers one JSON line per
request on stdin with one JSON line on stdout (`endpoint_servers` speaks the other side); what
the inference code prints goes to stderr, never into the answers. Runs in its own process:
standard library and numpy only, plus whatever the inference script imports.
"""

from __future__ import annotations

import base64
import importlib
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEXT_TYPES = ("text/", "application/json", "application/jsonlines")


class UnsupportedFormatError(ValueError):
    """The container's default handlers cannot read or write this content type: its 415."""

    status_code = 415


def _default_input_fn(body: Any, content_type: str) -> Any:
    import numpy as np

    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if content_type.startswith("application/json"):
        return np.array(json.loads(text))
    if content_type.startswith("text/csv"):
        return np.genfromtxt(io.StringIO(text), delimiter=",", ndmin=2)
    raise UnsupportedFormatError(
        f"the default input_fn cannot read {content_type!r}; define input_fn"
    )


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


@dataclass
class Handlers:
    """The inference script's handlers (or the container's defaults) and its loaded model."""

    model: Any
    input_fn: Callable[[Any, str], Any]
    predict_fn: Callable[[Any, Any], Any]
    output_fn: Callable[[Any, str], Any]


def load_handlers(config: dict[str, Any]) -> Handlers:
    sys.path.insert(0, config["code_dir"])
    module = importlib.import_module(Path(config["program"]).stem)
    if not callable(getattr(module, "model_fn", None)):
        raise ValueError(f"{config['program']} defines no model_fn(model_dir)")
    return Handlers(
        model=module.model_fn(config["model_dir"]),
        input_fn=getattr(module, "input_fn", _default_input_fn),
        predict_fn=getattr(module, "predict_fn", _default_predict_fn),
        output_fn=getattr(module, "output_fn", _default_output_fn),
    )


def handle(handlers: Handlers, payload: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
    """One request through input_fn, predict_fn and output_fn: the response body and its
    content type (output_fn's when it returns one, else `accept`)."""
    body: Any = payload.decode("utf-8") if content_type.startswith(TEXT_TYPES) else payload
    prediction = handlers.predict_fn(handlers.input_fn(body, content_type), handlers.model)
    response = handlers.output_fn(prediction, accept)
    returned_type = accept
    if isinstance(response, tuple):
        response, returned_type = response[0], str(response[1])
    data = response if isinstance(response, bytes) else str(response).encode("utf-8")
    return data, returned_type


def transform(config: dict[str, Any]) -> None:
    handlers = load_handlers(config)
    content_type, accept = config["content_type"], config["accept"]
    for item in config["inputs"]:
        responses = []
        for payload in _payloads(
            Path(item["path"]).read_bytes(),
            config["split_type"],
            config["batch_strategy"],
            config["max_payload_bytes"],
        ):
            responses.append(handle(handlers, payload, content_type, accept)[0])
        if config["assemble_with"] == "Line":
            responses = [r if r.endswith(b"\n") else r + b"\n" for r in responses]
        output = Path(item["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(b"".join(responses))


def _status(error: BaseException) -> int:
    """The HTTP status the container answers a failed request with: an error's own
    `status_code` (as the inference toolkit's errors carry), else 500."""
    code = getattr(error, "status_code", None)
    return code if isinstance(code, int) and 400 <= code <= 599 else 500


def _resident_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def serve(config: dict[str, Any]) -> int:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # what the inference code prints must not become an answer

    def answer(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    try:
        handlers = load_handlers(config)
    except Exception as error:  # the container's health check would fail with this
        answer({"ready": False, "message": f"{type(error).__name__}: {error}"})
        return 1
    answer({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            body, content_type = handle(
                handlers,
                base64.b64decode(request["body"]),
                request["content_type"],
                request["accept"],
            )
            message: dict[str, Any] = {
                "status": 200,
                "body": base64.b64encode(body).decode("ascii"),
                "content_type": content_type,
            }
        except Exception as error:
            message = {"status": _status(error), "message": f"{type(error).__name__}: {error}"}
        message["model_seconds"] = time.perf_counter() - wall
        message["cpu_seconds"] = time.process_time() - cpu
        message["resident_bytes"] = _resident_bytes()
        answer(message)
    return 0


def main(argv: list[str]) -> int:
    if argv[1] == "--serve":
        return serve(json.loads(Path(argv[2]).read_text(encoding="utf-8")))
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    try:
        transform(config)
    except Exception as error:  # the job's FailureReason, as the container would report it
        Path(config["failure_file"]).write_text(f"{type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
