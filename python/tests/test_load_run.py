"""pade.run stores a campaign as `pade run` does; pade.load reads it back scoped and typed."""
import pandas as pd
import pytest

import pade


def test_run_summary(grid_db):
    db, summary = grid_db
    assert summary["status"] == "finished"
    assert summary["evaluated"] == 27
    assert summary["front_size"] >= 1
    assert summary["campaign"] == "grid-example"


def test_load_has_every_parameter_typed(grid_db):
    db, summary = grid_db
    df = pade.load(db)
    assert len(df) == 27
    assert set(df["campaign"]) == {"grid-example"}
    # Swept numbers are numbers, text parameters stay text (not NaN).
    assert sorted(df["qk_pu.lanes_per_row"].unique()) == [8, 16, 32]
    assert pd.api.types.is_integer_dtype(df["qk_pu.lanes_per_row"])
    assert sorted(df["algorithm.alpha"].round(6).unique()) == [0.4, 0.5, 0.6]
    assert set(df["algorithm.tile_order"]) == {"head_tail"}
    assert df["algorithm.tile_order"].notna().all()
    assert df["features.bui_gf"].dtype == bool
    for metric in ("latency_s", "energy_j", "area_mm2", "power_w"):
        assert (df[metric] > 0).all(), metric


def test_front_matches_the_stored_ranks(grid_db):
    db, summary = grid_db
    front = pade.load(db, front=True)
    assert len(front) == summary["front_size"]
    assert (front["pareto_rank"] == 0).all()
    everything = pade.load(db)
    assert (everything["pareto_rank"] == 0).sum() == len(front)


def test_per_benchmark_rows(grid_db):
    db, _ = grid_db
    rows = pade.load(db, per_benchmark=True)
    assert len(rows) == 27 * 3
    assert set(rows["benchmark"]) == {"llama2-7b/mmlu", "llama3-8b/mbpp", "opt-1.3b/winogrande"}
    assert "latency_cycles" in rows and "qk_pu.lanes_per_row" in rows


def test_load_errors(grid_db, tmp_path):
    db, _ = grid_db
    with pytest.raises(pade.InputError, match="grid-example"):
        pade.load(db, campaign="grid-exampel")
    with pytest.raises(pade.InputError, match="expected one of: analytical"):
        pade.load(db, fidelity="event")
    with pytest.raises(pade.InputError):
        pade.load(tmp_path / "missing.db")


def test_latest_campaign_at_its_front_fidelity(tmp_path):
    db = tmp_path / "halving.db"
    campaign = {
        "name": "small-halving", "seed": 2, "benchmarks": ["llama2-7b/mmlu"],
        "space": {"qk_pu.lanes_per_row": [8, 16, 32], "algorithm.tile_keys": [32, 64, 128]},
        "strategy": "halving", "fidelity": "screening", "refine_fidelity": "analytical",
        "halving": {"eta": 3}, "objectives": ["latency", "energy"],
    }
    pade.run(campaign, db, threads=1)
    pade.run(dict(campaign, name="second"), db, threads=1)
    latest = pade.load(db)
    assert set(latest["campaign"]) == {"second"}
    assert set(latest["fidelity"]) == {"analytical"}
    assert len(latest) == 3  # the best third of 9 screened designs is refined
    screened = pade.load(db, campaign="small-halving", fidelity="screening")
    assert len(screened) == 9 and set(screened["campaign"]) == {"small-halving"}
    assert list(pade.campaigns(db)["name"]) == ["small-halving", "second"]


def test_run_refuses_an_existing_campaign(grid_db):
    db, _ = grid_db
    from conftest import GRID
    with pytest.raises(pade.InputError, match="already exists"):
        pade.run(str(GRID), db)


def test_progress_reports_each_rung_and_the_eta(tmp_path):
    from conftest import GRID

    seen = []
    pade.run(str(GRID), tmp_path / "p.db", threads=2, progress=seen.append)
    assert seen, "progress was never called"
    last = seen[-1]
    assert [r["fidelity"] for r in last["rungs"]] == [last["fidelity"]]
    assert last["rungs"][0]["done"] == last["rungs"][0]["planned"] == last["done"] == 27
    assert last["rungs"][0]["seconds_per_design"] > 0
    assert last["eta_s"] == 0 and last["eta_unmeasured"] == []
    assert len(last["reference"]) == 3
