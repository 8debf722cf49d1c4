"""Shared fixtures: paths of the source tree and the build, and one small grid campaign run once."""
import os
import pathlib

import pytest

import pade

ROOT = pathlib.Path(__file__).resolve().parents[2]
HW = ROOT / "examples" / "hw-default.yaml"
GRID = ROOT / "examples" / "campaign-grid.yaml"


@pytest.fixture(scope="session")
def pade_cli():
    """The command-line binary of the same build (CTest sets PADE_BUILD_DIR)."""
    build = pathlib.Path(os.environ.get("PADE_BUILD_DIR", ROOT / "build"))
    exe = build / "pade"
    if not exe.exists():
        pytest.skip(f"{exe} not built")
    return exe


@pytest.fixture(scope="session")
def grid_db(tmp_path_factory):
    """examples/campaign-grid.yaml (27 designs x 3 benchmarks) run into a fresh database."""
    db = tmp_path_factory.mktemp("grid") / "grid.db"
    summary = pade.run(str(GRID), db, threads=2)
    return db, summary
