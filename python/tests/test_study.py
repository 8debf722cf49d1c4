"""pade.Study: the campaign's own strategy (ask/tell) and outside optimizers (evaluate) store
their designs in the database as one campaign."""
import random

import pytest

import pade
from conftest import HW

SPACE = {"qk_pu.lanes_per_row": [8, 16, 32], "sram.kv_buffer_kib": [160, 320, 640]}
BENCH = ["llama2-7b/mmlu"]


def make(db, **keys):
    args = dict(name="py-study", space=SPACE, benchmarks=BENCH, strategy="random", budget=6,
                objectives=["latency", "energy"], hardware=str(HW))
    args.update(keys)
    return pade.Study(db, **args)


def test_ask_tell_stores_every_design(tmp_path):
    db = tmp_path / "s.db"
    with make(db) as study:
        told = 0
        while True:
            trials = study.ask(4)
            if not trials:
                break
            for t in trials:
                assert set(t["params"]) == set(SPACE)
            results = study.tell(trials)
            assert [r["seq"] for r in results] == [t["seq"] for t in trials]
            told += len(results)
    assert told == 6
    df = pade.load(db, campaign="py-study")
    assert len(df) == 6
    assert df["seq"].tolist() == list(range(6))
    assert df["pareto_rank"].notna().all()
    assert (df["pareto_rank"] == 0).any()
    assert pade.campaigns(db)["status"].tolist() == ["finished"]


def test_results_match_evaluate(tmp_path):
    with make(tmp_path / "s.db") as study:
        r = study.evaluate({"qk_pu.lanes_per_row": 32, "sram.kv_buffer_kib": 640})
    direct = pade.evaluate({"qk_pu.lanes_per_row": 32, "sram.kv_buffer_kib": 640},
                           benchmarks=BENCH)[0]
    assert r["config_hash"] == direct["config_hash"]
    assert r["latency_s"] == pytest.approx(direct["latency_s"], rel=1e-12)
    assert r["objectives"] == [r["latency_s"], r["energy_j"]]


def test_plain_python_optimizer_and_resume(tmp_path):
    db = tmp_path / "s.db"
    rng = random.Random(5)
    study = make(db, name="outside")
    best = None
    for _ in range(5):
        params = {k: rng.choice(v) for k, v in SPACE.items()}
        r = study.evaluate(params)
        if r["feasible"] and (best is None or r["energy_j"] < best["energy_j"]):
            best = r
    study.finish()
    stored = pade.load(db, campaign="outside")
    distinct = len(stored)
    assert 1 <= distinct <= 5
    assert stored["energy_j"].min() == pytest.approx(best["energy_j"])
    with pytest.raises(pade.InputError, match="already exists"):
        make(db, name="outside")
    again = make(db, name="outside", resume=True)
    r = again.evaluate({"qk_pu.lanes_per_row": 8, "sram.kv_buffer_kib": 160})
    assert r["seq"] >= 5
    again.finish()


def test_constraints_reject_designs(tmp_path):
    with make(tmp_path / "s.db", constraints={"area_mm2_max": 0.001}) as study:
        r = study.evaluate({"qk_pu.lanes_per_row": 8, "sram.kv_buffer_kib": 160})
    assert r["feasible"] is False
    assert r["objectives"] is None
    assert r["reason"].startswith("area_mm2 ")


def test_bad_trials(tmp_path):
    with make(tmp_path / "s.db") as study:
        with pytest.raises(pade.InputError, match="expected one of its levels: 8, 16, 32"):
            study.evaluate({"qk_pu.lanes_per_row": 12, "sram.kv_buffer_kib": 160})
        with pytest.raises(pade.InputError, match="did you mean 'sram.kv_buffer_kib'"):
            study.evaluate({"qk_pu.lanes_per_row": 8, "sram.kv_bufer_kib": 160})
        with pytest.raises(pade.InputError, match="was not asked"):
            study.tell({"seq": 99})
    with pytest.raises(pade.InputError, match="strategy"):
        make(tmp_path / "t.db", strategy="nsga3")


def test_space():
    space = pade.Space({"qk_pu.lanes_per_row": [8, 16], "algorithm.alpha": {"from": 0.4, "to": 0.6,
                                                                             "step": 0.1}},
                       derived={"softmax.exp_units": "qk_pu.lanes_per_row"})
    assert space.sizes == [2, 3]
    assert space.cardinality == 6
    point = space.config({"qk_pu.lanes_per_row": 16, "algorithm.alpha": 0.5})
    assert point["softmax.exp_units"] == 16
    assert point["config_hash"] == space.config([1, 1])["config_hash"]
    with pytest.raises(pade.InputError):
        pade.Space({"qk_pu.lanes_per_row": [0]})


def test_optuna_drives_a_study(tmp_path):
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    db = tmp_path / "o.db"
    sampler = optuna.samplers.RandomSampler(seed=3)
    opt = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    with make(db, name="optuna") as study:
        for _ in range(5):
            trial = opt.ask()
            params = {k: trial.suggest_categorical(k, v) for k, v in study.space.dimensions.items()}
            r = study.evaluate(params)
            opt.tell(trial, r["objectives"])
    assert len(opt.trials) == 5
    stored = pade.load(db, campaign="optuna")
    assert 1 <= len(stored) <= 5
    assert len(opt.best_trials) >= 1
