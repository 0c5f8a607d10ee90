"""Batch transform jobs run locally: the model's archive and inference script, the job's input
from S3, results at `<S3OutputPath>/<input name>.out` (the TransformOutput contract)."""

from __future__ import annotations

import io
import json
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from environments.settings import load_settings
from examples.churn.churn_data import (
    CATEGORICAL_FEATURES,
    FEATURES,
    LABEL,
    NUMERIC_FEATURES,
    generate,
)
from localcloud import LocalCloud
from tests.localcloud_helpers import create_machine, tar_gz

ROLE = "arn:aws:iam::123456789012:role/sm"
BUCKET = "ml-serving"


def _model() -> Pipeline:
    frame = generate(seed=3, rows=300)
    model = Pipeline(
        [
            (
                "features",
                ColumnTransformer(
                    [
                        ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
                        (
                            "categorical",
                            OneHotEncoder(handle_unknown="ignore"),
                            list(CATEGORICAL_FEATURES),
                        ),
                    ]
                ),
            ),
            ("classifier", LogisticRegression(max_iter=500)),
        ]
    )
    return model.fit(frame[list(FEATURES)], frame[LABEL])


def _serving_stack(cloud: LocalCloud, model: Pipeline) -> Any:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    weights = io.BytesIO()
    joblib.dump(model, weights)
    s3.put_object(
        Bucket=BUCKET, Key="model/model.tar.gz", Body=tar_gz({"model.joblib": weights.getvalue()})
    )
    # The churn project's bundle: the scripts and its model.json (inference.py reads it).
    sources = load_settings("dev").job_sources()
    s3.put_object(Bucket=BUCKET, Key="code/sourcedir.tar.gz", Body=tar_gz(sources))
    cloud.client("sagemaker").create_model(
        ModelName="churn-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1",
            "ModelDataUrl": f"s3://{BUCKET}/model/model.tar.gz",
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": f"s3://{BUCKET}/code/sourcedir.tar.gz",
            },
        },
    )
    return s3


def _machine(cloud: LocalCloud) -> str:
    transform = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createTransformJob.sync",
        "Arguments": {
            "TransformJobName": "{% $states.input.job %}",
            "ModelName": "churn-model",
            "BatchStrategy": "MultiRecord",
            "TransformInput": {
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/batch/"}
                },
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {
                "S3OutputPath": f"s3://{BUCKET}/predictions/",
                "Accept": "text/csv",
                "AssembleWith": "Line",
            },
            "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        },
        "Catch": [
            {
                "ErrorEquals": ["States.TaskFailed"],
                "Output": "{% $states.errorOutput %}",
                "Next": "Failed",
            }
        ],
        "End": True,
    }
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Transform",
        "States": {"Transform": transform, "Failed": {"Type": "Pass", "End": True}},
    }
    return create_machine(cloud, definition, "batch")


def _rows(frame: Any) -> str:
    return "".join(
        ",".join(str(v) for v in row) + "\n"
        for row in frame[list(FEATURES)].itertuples(index=False)
    )


def test_transform_job_writes_predictions_per_input_object(localcloud: LocalCloud) -> None:
    model = _model()
    s3 = _serving_stack(localcloud, model)
    first, second = generate(seed=11, rows=40), generate(seed=12, rows=25)
    s3.put_object(Bucket=BUCKET, Key="batch/may.csv", Body=_rows(first).encode())
    s3.put_object(Bucket=BUCKET, Key="batch/june/part-1.csv", Body=_rows(second).encode())

    result = localcloud.start_and_wait(_machine(localcloud), {"job": "score-may"})

    assert result["status"] == "SUCCEEDED", result
    described = json.loads(result["output"])
    assert described["TransformJobStatus"] == "Completed"
    assert described["TransformJobName"] == "score-may"
    assert "FailureReason" not in described
    for key, frame in (
        ("predictions/may.csv.out", first),
        ("predictions/june/part-1.csv.out", second),
    ):
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        predicted = np.array([float(line) for line in body.splitlines()])
        expected = model.predict_proba(frame[list(FEATURES)])[:, 1]
        assert predicted == pytest.approx(expected, abs=1e-6)
    [record] = localcloud.job_times()
    assert (record.kind, record.name, record.status) == ("transform", "score-may", "Completed")
    assert record.script_seconds > 0


def test_a_bad_record_fails_the_job_and_uploads_nothing(localcloud: LocalCloud) -> None:
    s3 = _serving_stack(localcloud, _model())
    s3.put_object(
        Bucket=BUCKET, Key="batch/good.csv", Body=_rows(generate(seed=5, rows=5)).encode()
    )
    s3.put_object(Bucket=BUCKET, Key="batch/bad.csv", Body=b"1,2,3\n")

    result = localcloud.start_and_wait(_machine(localcloud), {"job": "score-bad"})

    assert result["status"] == "SUCCEEDED", result  # the Catch took it
    error = json.loads(result["output"])
    assert error["Error"] == "States.TaskFailed"
    cause = json.loads(error["Cause"])
    assert cause["TransformJobStatus"] == "Failed"
    assert cause["FailureReason"].startswith("AlgorithmError: ValueError: each CSV row needs 12")
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="predictions/").get("KeyCount") == 0


def test_a_transform_job_needs_an_existing_model(localcloud: LocalCloud) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="Could not find model") as missing:
        localcloud.client("sagemaker").create_transform_job(
            TransformJobName="orphan",
            ModelName="missing",
            TransformInput={
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in/"}}
            },
            TransformOutput={"S3OutputPath": "s3://b/out/"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )
    assert missing.value.response["Error"]["Code"] == "ValidationException"


def test_record_formats_that_are_not_lines_are_refused() -> None:
    from localcloud.jobs import JobSetupError
    from localcloud.transform_jobs import run_transform_job

    request = {"TransformInput": {"SplitType": "RecordIO"}, "TransformOutput": {}}
    container = {"ModelDataUrl": "s3://bucket-x/model.tar.gz"}
    with pytest.raises(JobSetupError, match="SplitType 'RecordIO' is not run locally"):
        run_transform_job(request, container, store=None)  # type: ignore[arg-type]
