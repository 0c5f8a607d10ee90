"""Reading the CSVs a job is given, checked against model.json (schema.py), with errors that
name what is wrong.

Empty cells of features are kept as missing values (the transformer imputes them); a numeric
cell holding text that is not a number fails, the column named. Categorical values are kept as
text, whatever they look like, so "1" in one file and "1" in a request are the same category.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import schema
from channel_files import channel_files
from errors import JobInputError

MIN_ROWS_PER_CLASS = 10
MIN_REGRESSION_ROWS = 50


def find_csv_files(location: str | Path) -> list[Path]:
    """Every `*.csv` under `location` (recursively), or `location` itself when it is a file."""
    root = Path(location)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise JobInputError(f"input path {root} does not exist; check the job's input channel")
    files = channel_files(root, (".csv",))
    if not files:
        found = sorted(p.name for p in root.rglob("*") if p.is_file())[:5]
        raise JobInputError(
            f"no CSV file (*.csv) under {root}; found {found or 'no files'}. "
            "Upload the dataset as CSV with a header row."
        )
    return files


def read_dataset(location: str | Path, *, require_label: bool = True) -> pd.DataFrame:
    """Read and validate every CSV under `location` into one frame with schema columns only."""
    frames = [_read_one(path, require_label) for path in find_csv_files(location)]
    frame = pd.concat(frames, ignore_index=True)
    if frame.empty:
        raise JobInputError(f"the CSV files under {location} hold no data rows")
    if require_label and schema.PROBLEM != "regression":
        frame[schema.TARGET] = class_labels(frame[schema.TARGET])
    return frame


def text_columns() -> dict[str, type[str]]:
    """read_csv dtypes that keep categorical cells (and a class target) as the text written."""
    columns = dict.fromkeys(schema.CATEGORICAL_FEATURES, str)
    if schema.PROBLEM != "regression":
        columns[schema.TARGET] = str
    return columns


def _read_one(path: Path, require_label: bool) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise JobInputError(f"{path} is empty; expected a CSV with a header row and data rows")
    try:
        frame = pd.read_csv(path, skipinitialspace=True, dtype=text_columns())
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise JobInputError(f"{path} is not a readable CSV file: {exc}") from exc
    return validate_frame(frame, str(path), require_label=require_label)


def validate_frame(frame: pd.DataFrame, origin: str, *, require_label: bool) -> pd.DataFrame:
    """Check columns and types; return the schema columns in schema order."""
    features = list(schema.FEATURES)
    wanted = [*features, schema.TARGET] if require_label else features
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise JobInputError(
            f"{origin}: missing column(s) {missing}; the header must include {wanted}"
        )
    frame = frame[wanted].copy()
    for column in schema.NUMERIC_FEATURES:
        frame[column] = _numeric(frame[column], column, origin)
    for column in schema.CATEGORICAL_FEATURES:
        frame[column] = _text(frame[column])
    if require_label:
        target = schema.TARGET
        empty = int(_blank(frame[target]).sum())
        if empty:
            raise JobInputError(
                f"{origin}: column '{target}' (the target) is empty in {empty} row(s); "
                "every row needs a target value"
            )
        if schema.PROBLEM == "regression":
            frame[target] = _numeric(frame[target], target, origin, "a regression target")
        else:
            frame[target] = _text(frame[target])
    return frame


def class_labels(labels: pd.Series) -> pd.Series:
    """Class labels as numbers when every one is a number (0/1 stay integers), else as text."""
    numbers = pd.to_numeric(labels, errors="coerce")
    if numbers.isna().any():
        return labels.astype(object)
    if (numbers == numbers.round()).all():
        return numbers.astype(np.int64)
    return numbers.astype(float)


def check_classes(labels: pd.Series, origin: str) -> None:
    """The target fits the problem: binary has exactly two classes, multiclass three or more,
    each with MIN_ROWS_PER_CLASS rows; regression has MIN_REGRESSION_ROWS rows."""
    target = schema.TARGET
    if schema.PROBLEM == "regression":
        if len(labels) < MIN_REGRESSION_ROWS:
            raise JobInputError(
                f"{origin}: a regression on '{target}' needs at least {MIN_REGRESSION_ROWS} "
                f"rows (MIN_REGRESSION_ROWS); found {len(labels)}"
            )
        return
    counts = labels.value_counts()
    classes = sorted(counts.index.tolist(), key=str)
    if schema.PROBLEM == "binary" and len(counts) > 2:
        raise JobInputError(
            f"{origin}: model.json says problem binary but '{target}' has {len(counts)} "
            f"classes {classes[:10]}; set problem: multiclass in model.json"
        )
    if schema.PROBLEM == "multiclass" and len(counts) == 2:
        raise JobInputError(
            f"{origin}: model.json says problem multiclass but '{target}' has 2 classes "
            f"{classes}; set problem: binary in model.json"
        )
    if len(counts) < 2:
        raise JobInputError(f"{origin}: '{target}' has only the class {classes}; need more")
    if counts.min() < MIN_ROWS_PER_CLASS:
        raise JobInputError(
            f"{origin}: '{target}' needs at least {MIN_ROWS_PER_CLASS} rows of each class "
            f"(MIN_ROWS_PER_CLASS); found {counts.to_dict()}"
        )


def _blank(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        # Read as numbers: only a missing cell can be blank.
        return series.isna()
    return _blank_text(_stripped(series))


def _stripped(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def _blank_text(text: pd.Series) -> pd.Series:
    return text.isna() | (text == "")


def _text(series: pd.Series) -> pd.Series:
    """Stripped text; empty cells become NaN, which the transformer's imputer fills."""
    text = _stripped(series)
    return text.astype(object).where(~_blank_text(text), np.nan)


def _numeric(series: pd.Series, column: str, origin: str, what: str = "numeric") -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        # pandas parsed every cell as a number (or left it missing): nothing to strip or refuse,
        # and no per-cell text conversion, which costs most of a small request's time.
        converted = series
    else:
        text = _stripped(series)
        blank = _blank_text(text)
        converted = pd.to_numeric(text.where(~blank), errors="coerce")
        bad = series[converted.isna() & ~blank]
        if len(bad):
            noun = "numeric" if what == "numeric" else f"numeric ({what})"
            raise JobInputError(
                f"{origin}: column '{column}' must be {noun}; found {bad.astype(str).tolist()[:3]}"
                f" in {len(bad)} row(s)"
            )
    numbers = converted.astype(float)
    # pandas reads inf, -inf and numbers beyond 1.8e308 as infinities, which no scaler, histogram
    # or model can use: refused here, with the column named, before anything is computed.
    infinite = series[np.isinf(numbers)]
    if len(infinite):
        raise JobInputError(
            f"{origin}: column '{column}' must hold finite numbers; found "
            f"{infinite.astype(str).tolist()[:3]} in {len(infinite)} row(s) "
            "(inf, -inf, or beyond 1.8e308); remove or correct them"
        )
    return numbers
