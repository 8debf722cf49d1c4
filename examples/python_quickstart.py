#!/usr/bin/python3
"""Python quick start (run by CTest as python_quickstart_example; README, "Python quick start").

1. evaluates the paper's design point on one benchmark,
2. runs a small grid campaign into a database (or reads the latest campaign of --db),
3. loads its designs into pandas and plots the latency/energy front with matplotlib (PNG),
4. lets the campaign's own search drive ten more evaluations through ask/tell, stored in the
   same database as a campaign of their own.

    PYTHONPATH=build/python /usr/bin/python3 examples/python_quickstart.py --out out/quickstart
"""
import argparse
import os
import pathlib

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402

import pade  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out/quickstart", help="folder for the database and figure")
    ap.add_argument("--db", help="an existing database to read instead of running the grid")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. One design on one benchmark.
    row = pade.evaluate(ROOT / "examples" / "hw-default.yaml", benchmarks="llama2-7b/mmlu")[0]
    print(f"paper design on {row['benchmark']}: {row['latency_s'] * 1e3:.3f} ms, "
          f"{row['energy_j'] * 1e3:.3f} mJ, {row['area_mm2']:.2f} mm2 ({row['fidelity']})")

    # 2. A database to read.
    db = pathlib.Path(args.db) if args.db else out / "quickstart.db"
    if not args.db:
        for suffix in ("", "-wal", "-shm"):
            pathlib.Path(f"{db}{suffix}").unlink(missing_ok=True)
        summary = pade.run(ROOT / "examples" / "campaign-grid.yaml", db, threads=2)
        print(f"campaign {summary['campaign']}: {summary['evaluated']} designs, "
              f"{summary['front_size']} on the front")

    # 3. Designs as a DataFrame; the front as a figure.
    df = pade.load(db)
    feasible = df[df["feasible"]].sort_values(["latency_s", "energy_j"])
    # The two-objective front of the plotted plane (the stored ranks may use more objectives).
    front = feasible[feasible["energy_j"] < feasible["energy_j"].cummin().shift(fill_value=float("inf"))]
    ranked = df[df["pareto_rank"] == 0]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(feasible["latency_s"] * 1e3, feasible["energy_j"] * 1e3, s=12, c="0.6",
               label="feasible designs")
    ax.step(front["latency_s"] * 1e3, front["energy_j"] * 1e3, "-", where="post", c="tab:red",
            label="latency/energy front")
    ax.scatter(ranked["latency_s"] * 1e3, ranked["energy_j"] * 1e3, s=40, facecolors="none",
               edgecolors="tab:blue", label="stored Pareto front (all objectives)")
    ax.set_xlabel("latency, geometric mean over the suite (ms)")
    ax.set_ylabel("energy, total over the suite (mJ)")
    ax.set_title(f"{df['campaign'].iloc[0]} ({df['fidelity'].iloc[0]})")
    ax.legend()
    fig.tight_layout()
    png = out / "front.png"
    fig.savefig(png, dpi=120)
    print(f"{len(df)} designs, {len(ranked)} on the stored front, {len(front)} on the "
          f"latency/energy front -> {png}")
    print(front[["config_hash", "latency_s", "energy_j", "area_mm2"]].to_string(index=False))

    # 4. Ten evaluations driven through ask/tell, stored in the same database.
    space = pade.Space({"qk_pu.lanes_per_row": [8, 16, 32, 64],
                        "sram.kv_buffer_kib": [160, 320, 640],
                        "algorithm.alpha": [0.4, 0.5, 0.6]})
    name = "quickstart-ask-tell"
    existing = pade.campaigns(db)
    with pade.Study(db, name=name, space=space, benchmarks=["llama2-7b/mmlu", "llama3-8b/mbpp"],
                    strategy="random", budget=10, objectives=["latency", "energy"],
                    resume=name in set(existing["name"])) as study:
        done = 0
        while trials := study.ask(4):
            for result in study.tell(trials):
                done += 1
                print(f"  trial {result['seq']}: energy {result['energy_j'] * 1e3:.3f} mJ, "
                      f"latency {result['latency_s'] * 1e3:.3f} ms")
    stored = pade.load(db, campaign=name)
    print(f"ask/tell: {done} evaluations told, {len(stored)} designs stored in {db}, "
          f"{int((stored['pareto_rank'] == 0).sum())} on the front")
    assert png.stat().st_size > 0 and len(stored) == 10 == done
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
