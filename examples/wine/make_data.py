"""Write data/wine.csv from scikit-learn's bundled copy of the UCI wine dataset (178 wines, 13
measurements, 3 cultivars): nothing is downloaded. `selfheal demo` in this folder trains on it."""

from __future__ import annotations

from pathlib import Path

from sklearn.datasets import load_wine

HERE = Path(__file__).resolve().parent


def write(target: Path = HERE / "data" / "wine.csv") -> Path:
    frame = load_wine(as_frame=True).frame.rename(columns={"target": "cultivar"})
    frame["cultivar"] = frame["cultivar"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, lineterminator="\n")
    return target


if __name__ == "__main__":
    print(write())
