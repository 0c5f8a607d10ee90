"""Run a SageMaker batch transform job locally, to the scikit-learn serving container's contract.

The model's container (from CreateModel, or the model package it names) gives `ModelDataUrl`
(`model.tar.gz`, extracted as the model directory) and, in its environment,
`SAGEMAKER_PROGRAM` and `SAGEMAKER_SUBMIT_DIRECTORY` (the inference script's source; without
one, `code/` inside the model archive). Every object under the input prefix is transformed and
its result uploaded as `<S3OutputPath>/<path under the input prefix>.out`; nothing is uploaded
unless every object succeeds. `transform_container.py` does the serving in the job's process.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from localcloud import workspace_paths
from localcloud.job_staging import (
    JobSetupError,
    ObjectStore,
    name_under_prefix,
    script_path,
    split_s3_uri,
    stage_archive,
    stage_code,
    upload_dir,
)
from localcloud.jobs import JobOutcome, Workspace, run_process

CONTAINER_SCRIPT = Path(__file__).with_name("transform_container.py")
_DEFAULT_MAX_PAYLOAD_MB = 6
_DEFAULT_MAX_RUNTIME_SECONDS = 86400


def model_container(backend: Any, model_name: str) -> dict[str, Any]:
    """The serving container of a SageMaker model: its primary container, or the first of the
    model package it names. Raises JobSetupError naming what is missing."""
    try:
        model = backend.describe_model(model_name)
    except Exception as error:
        raise JobSetupError(f"ModelName {model_name!r}: {error}") from error
    container = dict(model.primary_container or (model.containers or [{}])[0])
    package_name = container.get("ModelPackageName")
    if package_name:
        package = backend.describe_model_package(package_name)
        spec = package.inference_specification or {}
        containers = spec.get("Containers") or []
        if not containers:
            raise JobSetupError(
                f"model package {package_name} has no InferenceSpecification.Containers"
            )
        own = {k: v for k, v in container.items() if k != "ModelPackageName"}
        container = {**containers[0], **own}
    if not container.get("ModelDataUrl"):
        raise JobSetupError(f"model {model_name!r} has no ModelDataUrl to load the model from")
    return container


def stage_model(
    store: ObjectStore, container: dict[str, Any], environment: dict[str, str], workspace: Workspace
) -> tuple[Path, Path, str]:
    """The model archive extracted as `model/` and the inference script's code directory in
    `workspace`, as the serving container stages them (for a transform job and an endpoint):
    (model directory, code directory, SAGEMAKER_PROGRAM)."""
    program = environment.get("SAGEMAKER_PROGRAM")
    if not program:
        raise JobSetupError(
            "the model's Environment needs SAGEMAKER_PROGRAM (the inference script) to serve "
            "it locally"
        )
    model_dir, code_dir = workspace.root / "model", workspace.root / "code"
    model_dir.mkdir()
    stage_archive(store, str(container["ModelDataUrl"]), model_dir, "ModelDataUrl")
    submit = environment.get("SAGEMAKER_SUBMIT_DIRECTORY")
    if submit:
        stage_code(store, submit, code_dir, "SAGEMAKER_SUBMIT_DIRECTORY")
    else:
        code_dir = model_dir / "code"
    if not script_path(code_dir, program, "SAGEMAKER_PROGRAM").is_file():
        raise JobSetupError(f"SAGEMAKER_PROGRAM {program!r} is not in {submit or 'code/'}")
    return model_dir, code_dir, program


def _inputs(request: dict[str, Any], store: ObjectStore) -> tuple[str, list[tuple[str, str]]]:
    """(bucket, [(key, path under the input prefix)]) of the objects to transform."""
    transform_input = request.get("TransformInput") or {}
    source = (transform_input.get("DataSource") or {}).get("S3DataSource") or {}
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        raise JobSetupError(
            f"TransformInput.DataSource.S3DataSource.S3DataType {source.get('S3DataType')!r} "
            "is not run locally; use S3Prefix"
        )
    bucket, prefix = split_s3_uri(str(source.get("S3Uri", "")))
    objects = []
    for key in store.list_keys(bucket, prefix):
        if key.endswith("/"):
            continue
        objects.append((key, name_under_prefix(key, prefix)))
    if not objects:
        raise JobSetupError(f"no input objects under {source.get('S3Uri')}")
    return bucket, objects


def _result_path(results: Path, key: str, relative: str) -> Path:
    """Where the result of input `key` is written: its name under the prefix, plus `.out`."""
    try:
        local = workspace_paths.confined(results, relative)
    except workspace_paths.EscapeError as error:
        raise JobSetupError(
            f"Failed to download data: input {key} cannot be transformed: its name under the "
            f"prefix {error}"
        ) from error
    return local.with_name(f"{local.name}.out")


def _unsupported_data_processing(request: dict[str, Any]) -> None:
    processing = request.get("DataProcessing") or {}
    filters = {k: v for k, v in processing.items() if v not in (None, "$", "None")}
    if filters:
        raise JobSetupError(
            f"DataProcessing {sorted(filters)} is not run locally; leave InputFilter and "
            "OutputFilter at '$' and JoinSource at None"
        )


def run_transform_job(
    request: dict[str, Any], container: dict[str, Any], store: ObjectStore
) -> JobOutcome:
    """Run a CreateTransformJob request against the model's `container`."""
    _unsupported_data_processing(request)
    split_type = str((request.get("TransformInput") or {}).get("SplitType") or "None")
    if split_type not in ("None", "Line"):
        raise JobSetupError(
            f"TransformInput.SplitType {split_type!r} is not run locally; use None or Line"
        )
    environment = {
        **{k: str(v) for k, v in (container.get("Environment") or {}).items()},
        **{k: str(v) for k, v in (request.get("Environment") or {}).items()},
    }
    if not environment.get("SAGEMAKER_PROGRAM"):
        raise JobSetupError(
            "the model's Environment needs SAGEMAKER_PROGRAM (the inference script) to run a "
            "transform job locally"
        )
    transform_input = request.get("TransformInput") or {}
    output = request.get("TransformOutput") or {}
    out_bucket, out_prefix = split_s3_uri(str(output.get("S3OutputPath", "")))
    with Workspace() as workspace:
        model_dir, code_dir, program = stage_model(store, container, environment, workspace)
        in_bucket, objects = _inputs(request, store)
        results = workspace.root / "output" / "data"
        inputs = []
        for index, (object_key, relative) in enumerate(objects):
            output_path = _result_path(results, f"s3://{in_bucket}/{object_key}", relative)
            body = store.get(in_bucket, object_key)
            if transform_input.get("CompressionType") == "Gzip":
                body = gzip.decompress(body)
            local = workspace.root / "input" / str(index)
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(body)
            inputs.append({"path": str(local), "output": str(output_path)})
        config = {
            "model_dir": str(model_dir),
            "code_dir": str(code_dir),
            "program": program,
            "inputs": inputs,
            "content_type": str(transform_input.get("ContentType") or "text/csv"),
            "accept": str(output.get("Accept") or "text/csv"),
            "split_type": split_type,
            "batch_strategy": str(request.get("BatchStrategy") or "MultiRecord"),
            "max_payload_bytes": int(request.get("MaxPayloadInMB") or _DEFAULT_MAX_PAYLOAD_MB)
            * 1024
            * 1024,
            "assemble_with": str(output.get("AssembleWith") or "None"),
            "failure_file": str(workspace.root / "output" / "failure"),
        }
        (workspace.root / "output").mkdir(exist_ok=True)
        config_path = workspace.root / "transform.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        argv = [sys.executable, str(CONTAINER_SCRIPT), str(config_path)]
        # A transform job has no StoppingCondition; the local bound is only a safety net.
        outcome = run_process(workspace, argv, environment, code_dir, _DEFAULT_MAX_RUNTIME_SECONDS)
        if outcome.status == "Completed":
            upload_dir(store, results, f"s3://{out_bucket}/{out_prefix}", workspace.root)
        return outcome
