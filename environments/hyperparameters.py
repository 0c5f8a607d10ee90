"""The settings' ``hyperparameters`` checked against the training script's own declaration.

train.py's hyperparameters (names, types, ranges or allowed values, defaults, help) are declared
once per estimator, in ``<estimator>.hyperparameters.json`` beside the script: a JSON Schema shipped
with it in sourcedir.tar.gz, from which the script builds its argument parser. A project's own
``jobs/`` folder may hold its own declaration (beside its own train.py); it comes before the
built-in one of the same estimator. This module reads the file as data, by path, and never imports
``tasks`` (the deploy composes both; the builders and settings stay independent of the code that
runs inside the jobs).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from environments.settings_yaml import shorten

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN_JOBS = ROOT / "tasks" / "jobs"
DECLARATION_SUFFIX = ".hyperparameters.json"
SETTINGS_KEY = "hyperparameters"
# What the retrain machine adds to the settings' hyperparameters in CreateTrainingJob.
RESERVED = ("sagemaker_program", "sagemaker_submit_directory")
# CreateTrainingJob's HyperParameters map, from botocore's SageMaker model (a test reads the
# model and holds these to it): at most 100 entries, keys up to 256 and values up to 2500
# characters, every value a string.
MAX_ENTRIES = 100
MAX_KEY_LENGTH = 256
MAX_VALUE_LENGTH = 2500
_KEYWORDS = {
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "boolean": set(),
    "string": {"enum", "maxLength"},
}
_COMMON = {"type", "default", "description"}
_NAME = re.compile(rf"[a-z][a-z0-9_]{{0,{MAX_KEY_LENGTH - 1}}}")


class DeclarationError(ValueError):
    """The hyperparameter declaration itself is unusable; names the file and the key."""


@dataclass(frozen=True)
class Declaration:
    path: Path
    properties: Mapping[str, Mapping[str, Any]]

    @property
    def shown(self) -> str:
        """The declaration's path as a user finds it: relative to the project when inside."""
        path = self.path.resolve()
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(self.path)


def _number(value: float) -> str:
    return json.dumps(value)


def allowed(spec: Mapping[str, Any]) -> str:
    """What a value must be, in words ('an integer from 1 to 1000'), worded as train.py's
    parser words it in its usage errors (a test holds the two to each other)."""
    if "enum" in spec:
        return "one of " + ", ".join(repr(v) for v in spec["enum"])
    kind = spec["type"]
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        limit = spec.get("maxLength")
        return "a string" if limit is None else f"a string of at most {limit} characters"
    noun = "an integer" if kind == "integer" else "a number"
    low, high = spec.get("minimum"), spec.get("maximum")
    if low is not None and high is not None:
        return f"{noun} from {_number(low)} to {_number(high)}"
    parts = []
    if low is not None:
        parts.append(f"at least {_number(low)}")
    if "exclusiveMinimum" in spec:
        parts.append(f"above {_number(spec['exclusiveMinimum'])}")
    if high is not None:
        parts.append(f"at most {_number(high)}")
    if "exclusiveMaximum" in spec:
        parts.append(f"below {_number(spec['exclusiveMaximum'])}")
    return " ".join([noun, " and ".join(parts)]) if parts else noun


def accepts(spec: Mapping[str, Any], value: Any) -> bool:
    """Whether a value, as YAML gives it, is allowed by ``spec``."""
    # jsonschema decides type and range (YAML true is not an integer there, 150.0 is); NaN
    # compares false with every bound, so it and the infinities are refused here explicitly.
    if isinstance(value, float) and not math.isfinite(value):
        return False
    import jsonschema  # a quarter of a second to import: paid only when settings are checked

    return jsonschema.Draft202012Validator(spec).is_valid(value)


def read_declaration(path: Path) -> Declaration:
    """Read and check a declaration: the subset of JSON Schema train.py's parser understands."""
    where = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DeclarationError(
            f"{where}: cannot read the hyperparameter declaration: {exc}"
        ) from exc
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(document)
    except jsonschema.SchemaError as exc:
        raise DeclarationError(f"{where}: not a valid JSON Schema: {exc.message}") from exc
    properties: dict[str, Mapping[str, Any]] = document.get("properties", {})
    problems: list[str] = []
    if document.get("additionalProperties") is not False:
        problems.append("additionalProperties must be false, so unknown names are refused")
    if len(properties) + len(RESERVED) > MAX_ENTRIES:
        problems.append(
            f"{len(properties)} hyperparameters; CreateTrainingJob takes at most "
            f"{MAX_ENTRIES - len(RESERVED)} besides {', '.join(RESERVED)}"
        )
    for name, spec in properties.items():
        if not _NAME.fullmatch(name) or name.startswith("sagemaker_") or name == "help":
            problems.append(
                f"{name}: a name must be lowercase letters, digits and underscores, at most "
                f"{MAX_KEY_LENGTH} characters (an option --{name} of train.py), and not "
                "sagemaker_* (SageMaker's own) or help"
            )
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind not in _KEYWORDS:
            problems.append(f"{name}: type must be one of {', '.join(sorted(_KEYWORDS))}")
            continue
        extra = ", ".join(sorted(set(spec) - _COMMON - _KEYWORDS[kind]))
        missing = ", ".join(sorted({"default", "description"} - set(spec)))
        if extra:
            problems.append(f"{name}: {extra} not supported for {kind}")
        if missing:
            problems.append(f"{name}: needs {missing}")
        if not extra and not missing and not accepts(spec, spec["default"]):
            problems.append(f"{name}: default {spec['default']!r} is not {allowed(spec)}")
    if problems:
        raise DeclarationError("\n".join(f"{where}: {p}" for p in problems))
    return Declaration(path, properties)


def declaration_path(estimator: str, jobs_dir: Path | None = None) -> Path:
    """Where the estimator's declaration is: the project's own first, then the built-in one."""
    name = f"{estimator}{DECLARATION_SUFFIX}"
    for folder in (jobs_dir, BUILT_IN_JOBS):
        if folder is not None and (folder / name).is_file():
            return folder / name
    built_in = sorted(
        p.name.removesuffix(DECLARATION_SUFFIX)
        for p in BUILT_IN_JOBS.glob(f"*{DECLARATION_SUFFIX}")
    )
    own = f" or add {jobs_dir / name}" if jobs_dir is not None else f" or add jobs/{name}"
    raise DeclarationError(
        f"no hyperparameter declaration for estimator {shorten(repr(estimator))}; use one of "
        f"{', '.join(built_in)}{own} beside your own train.py"
    )


def declaration(estimator: str = "gradient_boosting", jobs_dir: Path | None = None) -> Declaration:
    """The declaration train.py parses the estimator's hyperparameters with."""
    return _read_cached(declaration_path(estimator, jobs_dir))


@cache
def _read_cached(path: Path) -> Declaration:
    return read_declaration(path)


def _as_written(value: Any) -> str:
    # As the user wrote it in YAML: true/false, not Python's True/False; cut, so a huge value
    # stays a short line.
    return shorten(json.dumps(value) if isinstance(value, bool) or value is None else repr(value))


def request_value(spec: Mapping[str, Any], value: Any) -> str:
    """The CreateTrainingJob string of a checked value (SageMaker takes every value as a
    string): 150, 0.1, true, log_loss."""
    if isinstance(value, str):
        return value
    if spec["type"] == "integer":
        return str(int(value))  # a YAML 150.0 is the integer 150 to the job
    return json.dumps(value)


def check_hyperparameters(values: Any, source: str, declared: Declaration) -> list[str]:
    """One line per bad hyperparameter: the settings file, the key, the value, what is
    allowed. [] when every value is declared and allowed."""
    if not isinstance(values, dict):
        return []  # the settings schema reports a hyperparameters block that is not a mapping
    problems: list[str] = []
    known = ", ".join(sorted(declared.properties))
    for name, value in values.items():
        key = f"{source}: {SETTINGS_KEY}.{shorten(str(name), 120)}"
        spec = declared.properties.get(name)
        if spec is None:
            problems.append(
                f"{key}: {_as_written(value)}: train.py has no hyperparameter "
                f"{shorten(repr(name))}; use one of {known} (declared in {declared.shown})"
            )
        elif not accepts(spec, value):
            problems.append(f"{key}: {_as_written(value)} is not allowed; use {allowed(spec)}")
        elif len(request_value(spec, value)) > MAX_VALUE_LENGTH:
            problems.append(
                f"{key}: {len(request_value(spec, value))} characters; CreateTrainingJob "
                f"takes at most {MAX_VALUE_LENGTH}"
            )
    return problems
