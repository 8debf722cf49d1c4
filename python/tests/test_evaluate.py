"""pade.evaluate and pade.catalog agree with the command line and reject bad input like it."""
import json
import math
import subprocess

import pandas as pd
import pytest

import pade
from conftest import HW, ROOT


def test_evaluate_matches_pade_eval(pade_cli):
    rows = pade.evaluate(str(HW), benchmarks="llama2-7b/mmlu")
    assert len(rows) == 1
    row = rows[0]
    out = subprocess.run([str(pade_cli), "eval", str(HW), "-b", "llama2-7b/mmlu", "--format",
                          "json"], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    cli = json.loads(out)
    assert row["benchmark"] == cli["benchmark"] == "llama2-7b/mmlu"
    assert row["fidelity"] == cli["fidelity"] == "analytical"
    assert row["config_hash"] == cli["config_hash"]
    compared = 0
    for key in ("latency_s", "energy_j", "area_mm2", "power_w", "kept_fraction", "dram_bytes"):
        assert row[key] == pytest.approx(cli[key], rel=1e-9), key
        compared += 1
    assert compared == 6


def test_dict_equals_file_and_dotted_keys_change_the_design():
    from_file = pade.evaluate(HW, benchmarks="llama2-7b/mmlu")[0]
    nested = pade.evaluate({"qk_pu": {"lanes_per_row": 16}}, benchmarks="llama2-7b/mmlu")[0]
    # The paper's point is the default configuration: the same hash whichever way it is written.
    assert nested["config_hash"] == from_file["config_hash"]
    assert nested["energy_j"] == from_file["energy_j"]
    wide = pade.evaluate({"qk_pu.lanes_per_row": 32}, benchmarks="llama2-7b/mmlu")[0]
    assert wide["config_hash"] != from_file["config_hash"]
    assert wide["latency_s"] != from_file["latency_s"]


def test_list_of_benchmarks_and_frames():
    names = ["llama2-7b/mmlu", "opt-1.3b/winogrande"]
    frame = pade.evaluate(HW, benchmarks=names, as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["benchmark"]) == names
    suite = pade.suite_metrics(frame)
    expected_latency = math.exp(sum(math.log(x) for x in frame["latency_s"]) / 2)
    assert suite["latency_s"] == pytest.approx(expected_latency, rel=1e-12)
    assert suite["energy_j"] == pytest.approx(frame["energy_j"].sum(), rel=1e-12)
    assert suite["area_mm2"] == pytest.approx(frame["area_mm2"].max())


TINY_SUITE = """kind: suite
name: tiny
benchmarks:
  - {name: tiny/a, model: opt-1.3b, task: winogrande, seq_len: 128}
  - {name: tiny/b, model: opt-1.3b, task: mmlu, seq_len: 256}
"""


def test_a_suite_name_expands_to_its_benchmarks(tmp_path):
    suite = tmp_path / "tiny.yaml"
    suite.write_text(TINY_SUITE)
    cat = pade.catalog(workloads=suite)
    assert cat["suites"]["tiny"] == ["tiny/a", "tiny/b"]
    db = tmp_path / "cache.db"
    rows = pade.evaluate(HW, benchmarks=["tiny", "llama2-7b/mmlu"], fidelity="screening",
                         workloads=[suite], db=db)
    assert [r["benchmark"] for r in rows] == ["tiny/a", "tiny/b", "llama2-7b/mmlu"]
    assert all(r["fidelity"] == "screening" for r in rows)
    again = pade.evaluate(HW, benchmarks="tiny", fidelity="screening", workloads=suite, db=db)
    assert [r["energy_j"] for r in again] == [r["energy_j"] for r in rows[:2]]


def test_catalog_lists_the_registries():
    cat = pade.catalog()
    assert len(cat["suites"]["pade22"]) == 22
    names = {b["benchmark"] for b in cat["benchmarks"]}
    assert set(cat["suites"]["pade22"]) <= names
    assert "analytical" in cat["fidelities"] and "event" in cat["fidelities"]
    assert "nsga2" in cat["strategies"]


def test_unknown_benchmark_is_an_input_error_with_a_suggestion():
    with pytest.raises(pade.InputError, match="did you mean 'llama2-7b/mmlu'") as err:
        pade.evaluate(HW, benchmarks="llama2-7b/mmlv")
    assert isinstance(err.value, ValueError)


def test_bad_parameter_names_key_and_range():
    with pytest.raises(pade.InputError) as err:
        pade.evaluate({"qk_pu.lanes_per_row": 0}, benchmarks="llama2-7b/mmlu")
    assert "'qk_pu.lanes_per_row'" in str(err.value)
    with pytest.raises(pade.InputError, match="did you mean"):
        pade.evaluate({"qk_pu.lanes_per_rwo": 8}, benchmarks="llama2-7b/mmlu")
    with pytest.raises(pade.InputError, match="fidelity"):
        pade.evaluate(HW, fidelity="evnt")
    with pytest.raises(pade.InputError, match="expected a dict"):
        pade.evaluate(42)


def test_file_errors_carry_the_cli_message(tmp_path, pade_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: hardware\nqk_pu: {lanes_per_row: -3}\n")
    with pytest.raises(pade.InputError) as err:
        pade.evaluate(bad)
    cli = subprocess.run([str(pade_cli), "validate", str(bad)], capture_output=True, text=True)
    assert cli.returncode == 2
    assert str(err.value) in cli.stderr
    assert f"{bad}:2:" in str(err.value)


def test_the_readme_command_works():
    """The README's Python quick-start line, run as written (with this interpreter)."""
    import os
    import re
    import sys

    readme = (ROOT / "README.md").read_text()
    line = next(l for l in readme.splitlines() if "import pade; print(pade.evaluate(" in l)
    code = re.search(r'-c "(.*)"', line).group(1)
    assert line.startswith("PYTHONPATH=build/python /usr/bin/python3 -c")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(pade.__path__[0] + "/.."))).stdout
    assert "'benchmark': 'llama2-7b/mmlu'" in out and "'energy_j':" in out
