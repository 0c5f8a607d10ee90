"""train.py's command line, derived from its estimator's hyperparameter declaration.

`<estimator>.hyperparameters.json` (one per estimator of model.json: gradient_boosting,
random_forest, linear), beside this file and shipped with it in sourcedir.tar.gz, declares each
hyperparameter (type, range or allowed values, default, help). The settings check validates
the environment settings against the same file, so a value the settings accept is one this
parser accepts, and a value out of range fails here with argparse's usage error naming it.

No project imports at module level: the module runs on SageMaker from the flat sourcedir and is
imported by the tests as `tasks.jobs.hyperparameter_args`; only load_declaration's default
(the declaration of model.json's estimator) reads the sibling `schema`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

DECLARATION_SUFFIX = ".hyperparameters.json"
KINDS = {"integer", "number", "boolean", "string"}
KEYWORDS = {
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "boolean": set(),
    "string": {"enum", "maxLength"},
}
COMMON = {"type", "default", "description"}


class HyperparameterError(ValueError):
    """A hyperparameter the job cannot use (or a declaration it cannot read): says which and
    what is allowed."""


@dataclass(frozen=True)
class Hyperparameter:
    name: str
    spec: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return "choice" if "enum" in self.spec else str(self.spec["type"])

    @property
    def default(self) -> Any:
        return self.spec["default"]

    @property
    def help(self) -> str:
        return str(self.spec["description"])


def declaration_path(estimator: str) -> Path:
    """The declaration of `estimator`'s hyperparameters, beside this file."""
    return Path(__file__).with_name(f"{estimator}{DECLARATION_SUFFIX}")


def load_declaration(path: Path | None = None) -> dict[str, Hyperparameter]:
    """The declared hyperparameters by name (default: those of model.json's estimator); a
    malformed declaration raises naming the key."""
    if path is None:
        import schema  # the sibling, as train.py runs; read only when no path is given

        path = declaration_path(schema.ESTIMATOR)
    if not path.is_file():
        raise HyperparameterError(f"{path} not found: no hyperparameter declaration for it")
    document = json.loads(path.read_text(encoding="utf-8"))
    declared: dict[str, Hyperparameter] = {}
    for name, spec in document["properties"].items():
        kind = spec.get("type")
        if kind not in KINDS:
            raise HyperparameterError(f"{path}: {name}: type must be one of {sorted(KINDS)}")
        unsupported = ", ".join(sorted(set(spec) - COMMON - KEYWORDS[kind]))
        if unsupported:
            raise HyperparameterError(f"{path}: {name}: {unsupported} not supported for {kind}")
        missing = ", ".join(sorted({"default", "description"} - set(spec)))
        if missing:
            raise HyperparameterError(f"{path}: {name}: needs {missing}")
        hyperparameter = Hyperparameter(name, spec)
        if not accepts(spec, spec["default"]):
            raise HyperparameterError(
                f"{path}: {name}: default {spec['default']!r} is not {allowed(spec)}"
            )
        declared[name] = hyperparameter
    return declared


def _number(value: float) -> str:
    return json.dumps(value)


def allowed(spec: Mapping[str, Any]) -> str:
    """What a value must be, in words: 'an integer from 1 to 1000'. The settings check words it
    the same way (a test holds the two to each other)."""
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
    """Whether a typed value (as JSON or YAML gives it) is allowed by ``spec``."""
    kind = spec["type"]
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        if not isinstance(value, str):
            return False
        if "enum" in spec:
            return value in spec["enum"]
        return len(value) <= spec.get("maxLength", len(value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not math.isfinite(value) or (kind == "integer" and value != int(value)):
        return False
    return (
        value >= spec.get("minimum", -math.inf)
        and value <= spec.get("maximum", math.inf)
        and value > spec.get("exclusiveMinimum", -math.inf)
        and value < spec.get("exclusiveMaximum", math.inf)
    )


def _unquote(text: str) -> str:
    # The SageMaker Python SDK JSON-encodes every value, so '"3"' and '"log_loss"' arrive too.
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError:
            return text
        if isinstance(decoded, str):
            return decoded
    return text


def _typed(kind: str, text: str) -> Any:
    """The command-line text as the declared type; ValueError when it is not one."""
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in {"true", "false"}:
            raise ValueError(text)
        return lowered == "true"
    if kind in {"string", "choice"}:
        return text
    number = float(text)
    if kind == "integer":
        # "150.0" is what a YAML 150.0 becomes; 1.5 is not an integer and is refused below.
        return int(number) if math.isfinite(number) and number == int(number) else number
    return number


def converter(hyperparameter: Hyperparameter) -> Callable[[str], Any]:
    """argparse ``type=`` for one hyperparameter: parses, then checks the declared range."""

    def convert(raw: str) -> Any:
        text = _unquote(raw)
        try:
            value = _typed(hyperparameter.kind, text)
        except ValueError:
            value = text
        if not accepts(hyperparameter.spec, value):
            raise argparse.ArgumentTypeError(
                f"{raw!r} is not allowed; use {allowed(hyperparameter.spec)}"
            )
        return value

    return convert


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would exit 2 here; the job must first record the reason where SageMaker reads
        # it (FailureReason), so the usage goes to stderr and the message travels as an error.
        self.print_usage(sys.stderr)
        raise HyperparameterError(f"{self.prog}: {message}")


def build_parser(
    declared: Mapping[str, Hyperparameter], prog: str = "train.py"
) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, allow_abbrev=False, description="Hyperparameters of the job.")
    for name, hyperparameter in declared.items():
        parser.add_argument(
            f"--{name}",
            type=converter(hyperparameter),
            default=hyperparameter.default,
            metavar=hyperparameter.kind.upper(),
            help=f"{hyperparameter.help}; {allowed(hyperparameter.spec)} "
            f"(default {hyperparameter.default!r})",
        )
    return parser


def _unknown(extras: list[str]) -> list[str]:
    """Names of the unknown options among argparse's leftovers; `--sagemaker_*` are the
    toolkit's own and ignored."""
    names: list[str] = []
    for token in extras:
        if not token.startswith("--"):
            continue
        name = token[2:].partition("=")[0]
        if not name.startswith("sagemaker_"):
            names.append(name)
    return names


def parse_hyperparameters(
    argv: list[str], config_file: Path | None, declared: Mapping[str, Hyperparameter]
) -> dict[str, Any]:
    """Hyperparameters from ``config_file`` (SageMaker's hyperparameters.json), overridden by
    the command line, defaults for the rest; every value checked against the declaration."""
    tokens: list[str] = []
    if config_file is not None and config_file.is_file():
        stored = json.loads(config_file.read_text(encoding="utf-8"))
        tokens += [f"--{k}={v}" for k, v in stored.items() if not k.startswith("sagemaker_")]
    parser = build_parser(declared)
    namespace, extras = parser.parse_known_args(tokens + argv)
    unknown = _unknown(extras)
    if unknown:
        parser.error(f"unknown hyperparameter '{unknown[0]}'; supported: {sorted(declared)}")
    for index, token in enumerate(extras):
        after_toolkit_option = index > 0 and extras[index - 1].startswith("--sagemaker_")
        if not token.startswith("--") and not after_toolkit_option:
            parser.error(f"unexpected argument {token!r}; pass hyperparameters as --name value")
    return {name: getattr(namespace, name) for name in declared}
