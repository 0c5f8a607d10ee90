"""The files `selfheal init` writes into a new project directory: settings for dev and prod, the
project's README and its .gitignore. Text, with comments, so a team reads and edits them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from selfheal.dataset_inspection import Inspection
from tasks.metrics import DEFAULT_GATES, METRICS

EMBEDDED_ACCOUNT = "123456789012"
REGION = "us-east-1"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


@dataclass(frozen=True)
class Defaults:
    comment: str
    compute: tuple[str, int, int]  # instance type, volume GB, max runtime seconds
    estimators: int
    learning_rate: float
    max_regression: float
    approval: str
    endpoint: tuple[str, int, int, int, int]  # type, count, min, max, invocations/instance
    sampling: int
    canary: tuple[int, int, int]  # percent, wait, termination wait (seconds)
    drift: str


DEFAULTS = {
    "dev": Defaults(
        "Development: small instances, automatic approval, the embedded cloud's account by "
        "default.",
        ("ml.m5.large", 30, 3600),
        150,
        0.1,
        0.02,
        "auto",
        ("ml.t2.medium", 1, 1, 2, 100),
        100,
        (50, 60, 60),
        "rate(1 day)",
    ),
    "prod": Defaults(
        "Production: a person approves each model in the registry; canary traffic shifting "
        "with\n# auto-rollback. Set location.account to your account id.",
        ("ml.m5.xlarge", 50, 7200),
        300,
        0.05,
        0.01,
        "manual",
        ("ml.m5.large", 2, 2, 8, 200),
        20,
        (10, 600, 600),
        "cron(0 6 * * ? *)",
    ),
}


def _key(name: str) -> str:
    # A JSON string is a YAML scalar: any column name is written back exactly.
    return name if name.replace("_", "").isalnum() and name[0].isalpha() else json.dumps(name)


def settings_yaml(project: str, environment: str, data: Inspection) -> str:
    """The settings file of one environment."""
    e = DEFAULTS[environment]
    instance, volume, runtime = e.compute
    endpoint_type, count, low, high, invocations = e.endpoint
    canary, canary_wait, termination_wait = e.canary
    features = "".join(f"    {_key(n)}: {kind}\n" for n, kind in data.features.items())
    gate = "".join(f"  {name}: {value}\n" for name, value in DEFAULT_GATES[data.problem].items())
    directions = ", ".join(
        f"{m.name} ({m.describe_threshold()})" for m in METRICS[data.problem].values()
    )
    compute = (
        f"  instance_type: {instance}\n  instance_count: 1\n  volume_size_gb: {volume}\n"
        f"  max_runtime_seconds: {runtime}\n"
    )
    return (
        f"# {e.comment}\n"
        f"project: {project}\n"
        f"environment: {environment}\n"
        "location:\n  partition: aws\n"
        f"  region: {REGION}\n"
        f'  account: "{EMBEDDED_ACCOUNT}"\n'
        "buckets:\n"
        f"  data: {project}-{environment}-data-{EMBEDDED_ACCOUNT}\n"
        f"  artifacts: {project}-{environment}-artifacts-{EMBEDDED_ACCOUNT}\n"
        f"images:\n  sklearn: {SKLEARN_IMAGE}\n"
        f"processing:\n{compute}"
        f"training:\n{compute}"
        f"  spot:\n    enabled: true\n    max_wait_seconds: {runtime * 2}\n"
        "model:\n"
        f"  problem: {data.problem}\n"
        f"  target: {_key(data.target)}\n"
        "  # In CSV order: the endpoint takes header-less rows with these fields, in this order.\n"
        f"  features:\n{features}"
        "  # gradient_boosting, random_forest or linear; or your own jobs/train.py's estimator.\n"
        "  estimator: gradient_boosting\n"
        "hyperparameters:\n"
        f"  n_estimators: {e.estimators}\n"
        "  max_depth: 3\n"
        f"  learning_rate: {e.learning_rate}\n"
        f"# {data.problem} metrics: {directions}.\n"
        "# These minimums only beat guessing: raise them to what a model must reach to serve.\n"
        "quality_gate:\n"
        f"{gate}"
        f"  max_regression: {e.max_regression}\n"
        f"approval_mode: {e.approval}\n"
        "endpoint:\n"
        f"  instance_type: {endpoint_type}\n"
        f"  initial_instance_count: {count}\n"
        "  autoscaling:\n"
        f"    min_capacity: {low}\n    max_capacity: {high}\n"
        f"    target_invocations_per_instance: {invocations}\n"
        f"  data_capture:\n    sampling_percentage: {e.sampling}\n"
        "  deployment:\n"
        f"    canary_percent: {canary}\n"
        f"    canary_wait_seconds: {canary_wait}\n"
        f"    termination_wait_seconds: {termination_wait}\n"
        "drift:\n  psi_threshold: 0.2\n  ks_pvalue: 0.01\n"
        f"  schedule: {e.drift}\n  timezone: UTC\n"
        "tags:\n  team: ml-platform\n"
    )


def readme(project: str, data_file: str, data: Inspection) -> str:
    """The project's README: what was inferred and the commands, start to finish."""
    features = "\n".join(f"| `{n}` | {kind} |" for n, kind in data.features.items())
    skipped = "".join(f"\n- `{n}` is not a feature: {why}." for n, why in data.skipped.items())
    skipped = skipped + "\n" if skipped else ""
    classes = f" with {data.classes} classes" if data.classes else ""
    return f"""# {project}

A self-healing retraining project made by `selfheal init` from `data/{data_file}`
({data.rows} rows): a **{data.problem}** model{classes} predicting `{data.target}`.

| column | type |
| --- | --- |
{features}
{skipped}
## Files

- `settings/dev.yaml`, `settings/prod.yaml`: one file per environment. `model` names the target,
  the features (in the order endpoint requests send them) and the estimator; `quality_gate` the
  metrics a new model must meet; `max_regression` how much worse than the current model it may be.
- `data/{data_file}`: the data `selfheal demo` trains on.
- `jobs/` (create it if you want): your own `train.py` replaces the built-in one. It runs in the
  SageMaker scikit-learn container in script mode: read `SM_CHANNEL_TRAIN`, `SM_CHANNEL_VALIDATION`
  and `SM_CHANNEL_TRANSFORMER`, write `model.joblib` (a fitted pipeline) to `SM_MODEL_DIR`; `from
  schema import TARGET, FEATURES, PROBLEM` gives this project's schema. Declare its
  hyperparameters in `jobs/<estimator>.hyperparameters.json` when they differ from the built-in.

## Run it

```
selfheal demo              # the whole loop locally: deploy, train, gate, drift, retrain
selfheal plan --env dev    # what a deploy would change
selfheal deploy --env dev  # deploy to the embedded cloud (--target aws: your account)
selfheal asl               # the state machine definitions, into ./asl
```
"""


GITIGNORE = "asl/\nbuild/\n.selfheal/\n"
