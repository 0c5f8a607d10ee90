"""The wine example as a user has it after `python make_data.py`: a copy of examples/wine with its
data written from scikit-learn's bundled dataset (the repository does not hold the CSV)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from environments.project import Project

WINE = Path(__file__).resolve().parent.parent / "examples" / "wine"


def wine_project(into: Path) -> Project:
    root = into / "wine"
    shutil.copytree(WINE, root, ignore=shutil.ignore_patterns("data"))
    spec = importlib.util.spec_from_file_location("wine_make_data", root / "make_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(root / "data" / "wine.csv")
    return Project(root)
