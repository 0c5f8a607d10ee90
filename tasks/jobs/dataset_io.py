"""Reading the churn CSVs a job is given, with checks that name what is wrong."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from channel_files import channel_files
from errors import JobInputError
from schema import CATEGORICAL_FEATURES, FEATURES, LABEL, NUMERIC_FEATURES


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
    return frame


def _read_one(path: Path, require_label: bool) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise JobInputError(f"{path} is empty; expected a CSV with a header row and data rows")
    try:
        frame = pd.read_csv(path, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise JobInputError(f"{path} is not a readable CSV file: {exc}") from exc
    return validate_frame(frame, str(path), require_label=require_label)


def validate_frame(frame: pd.DataFrame, origin: str, *, require_label: bool) -> pd.DataFrame:
    """Check columns, types and category values; return the schema columns in schema order."""
    wanted = [*FEATURES, LABEL] if require_label else list(FEATURES)
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise JobInputError(
            f"{origin}: missing column(s) {missing}; the header must include {wanted}"
        )
    frame = frame[wanted].copy()
    for column in NUMERIC_FEATURES:
        frame[column] = _numeric(frame[column], column, origin)
    for column, allowed in CATEGORICAL_FEATURES.items():
        values = frame[column].astype("string").str.strip()
        bad = sorted(set(values.dropna()) - set(allowed))
        if values.isna().any():
            raise JobInputError(f"{origin}: column '{column}' has empty values")
        if bad:
            raise JobInputError(
                f"{origin}: column '{column}' has unknown value(s) {bad[:5]}; "
                f"allowed: {list(allowed)}"
            )
        frame[column] = values.astype(object)
    if require_label:
        label = _numeric(frame[LABEL], LABEL, origin)
        if not label.isin([0, 1]).all():
            raise JobInputError(f"{origin}: column '{LABEL}' must be 0 or 1 in every row")
        frame[LABEL] = label.astype(int)
    return frame


def _numeric(series: pd.Series, column: str, origin: str) -> pd.Series:
    converted = pd.to_numeric(series, errors="coerce")
    bad = series[converted.isna()]
    if len(bad):
        raise JobInputError(
            f"{origin}: column '{column}' must be numeric; found {bad.astype(str).tolist()[:3]}"
            f" in {len(bad)} row(s)"
        )
    return converted.astype(float)
