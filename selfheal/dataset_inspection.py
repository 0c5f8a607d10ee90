"""What `selfheal init` learns from a CSV: the feature columns and their types, the target, and the
problem type; and why a file cannot be trained on, said before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Problem = Literal["binary", "multiclass", "regression"]

# The built-in preprocessing job keeps 15% for validation and 15% for test and stratifies
# classification on the target: fewer rows than these cannot be split and measured.
MIN_ROWS = 50
MIN_ROWS_PER_CLASS = 10
# A numeric target with more distinct values than this is taken for a quantity, not a label.
MAX_CLASSES = 20


class DatasetError(ValueError):
    """The CSV cannot be trained on; the message names the file, the column and the fix."""


@dataclass(frozen=True)
class Inspection:
    rows: int
    target: str
    problem: Problem
    features: dict[str, str]  # column -> numeric | categorical, in the file's order
    skipped: dict[str, str] = field(default_factory=dict)  # column -> why it is not a feature
    classes: int | None = None


def _read(path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise DatasetError(f"{path}: no such file; pass --data PATH/TO/FILE.csv")
    try:
        return pd.read_csv(path, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: not a readable CSV file with a header row: {exc}") from exc


def _problem_of(path: Path, target: pd.Series, asked: Problem | None) -> Problem:
    import pandas as pd

    name = target.name
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    distinct = target.nunique(dropna=True)
    if distinct < 2:
        raise DatasetError(
            f"{path}: target column {name!r} has only one value ({target.dropna().iloc[0]!r}); "
            "a model needs at least two to learn from"
        )
    if asked == "regression" and not numeric:
        example = target[pd.to_numeric(target, errors="coerce").isna()].iloc[0]
        raise DatasetError(
            f"{path}: target column {name!r} is not numeric (e.g. {example!r}); regression needs "
            "a numeric target: pick --problem binary or multiclass, or another column"
        )
    if asked is not None:
        return asked
    if numeric and (distinct > MAX_CLASSES or not (target.dropna() % 1 == 0).all()):
        return "regression"
    return "binary" if distinct == 2 else "multiclass"


def _check_classes(path: Path, target: pd.Series, problem: Problem) -> int | None:
    if problem == "regression":
        return None
    counts = target.value_counts(dropna=True)
    name = target.name
    if problem == "binary" and len(counts) != 2:
        raise DatasetError(
            f"{path}: target column {name!r} has {len(counts)} classes; binary needs exactly 2: "
            "use --problem multiclass"
        )
    if problem == "multiclass" and len(counts) < 3:
        raise DatasetError(
            f"{path}: target column {name!r} has 2 classes; use --problem binary for two classes"
        )
    rare = {str(k): int(v) for k, v in counts.items() if v < MIN_ROWS_PER_CLASS}
    if rare:
        raise DatasetError(
            f"{path}: target column {name!r} has fewer than {MIN_ROWS_PER_CLASS} rows of "
            f"class(es) {rare}; add rows of them or merge rare classes"
        )
    return len(counts)


def inspect(path: Path, target: str, problem: Problem | None = None) -> Inspection:
    """Read ``path`` and decide the project's model; DatasetError when it cannot be used."""
    import pandas as pd

    frame = _read(path)
    if target not in frame.columns:
        raise DatasetError(
            f"{path}: no column {target!r}; the header has {list(map(str, frame.columns))}: "
            "pass one of them as --target"
        )
    if len(frame) < MIN_ROWS:
        raise DatasetError(
            f"{path}: {len(frame)} data row(s); training, validation and test splits need at "
            f"least {MIN_ROWS}"
        )
    labelled = frame[frame[target].notna()]
    if len(labelled) < len(frame):
        raise DatasetError(
            f"{path}: target column {target!r} is empty in {len(frame) - len(labelled)} row(s); "
            "drop those rows or fill them in"
        )
    chosen = _problem_of(path, frame[target], problem)
    classes = _check_classes(path, frame[target], chosen)
    features: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for column in frame.columns:
        if column == target:
            continue
        values = frame[column]
        name = str(column)
        if "," in name or not name.strip():
            skipped[name] = "its name is blank or has a comma (requests are CSV rows)"
        elif values.nunique(dropna=True) < 2:
            skipped[name] = "it has a single value"
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            features[name] = "numeric"
        elif values.nunique(dropna=True) == len(frame):
            skipped[name] = "every row has its own value (an identifier, not a feature)"
        else:
            features[name] = "categorical"
    if not features:
        raise DatasetError(
            f"{path}: no usable feature column besides {target!r} ({skipped or 'none at all'})"
        )
    return Inspection(len(frame), target, chosen, features, skipped, classes)
