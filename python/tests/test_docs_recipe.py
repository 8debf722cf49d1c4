"""The pandas recipe of docs/results-schema.md runs as written and agrees with pade.load."""
import pathlib
import re

import pade

ROOT = pathlib.Path(__file__).resolve().parents[2]


def documented_recipe():
    text = (ROOT / "docs" / "results-schema.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "the schema guide has one pandas recipe"
    return blocks[0]


def test_recipe_reads_the_latest_campaign_with_text_parameters(grid_db):
    db, _ = grid_db
    scope = {}
    exec(documented_recipe().replace('"out/default.db"', repr(str(db))), scope)
    df = scope["df"]
    per_benchmark = pade.load(db, per_benchmark=True)
    assert len(df) == len(per_benchmark) == 27 * 3
    assert set(df["campaign_id"]) == {1}
    # Text parameters stay text, numbers compare as numbers.
    assert set(df["algorithm.tile_order"]) == {"head_tail"}
    assert sorted(set(df["qk_pu.lanes_per_row"].astype(float))) == [8.0, 16.0, 32.0]
