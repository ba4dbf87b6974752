"""Large tables go column-wise: right values and right row numbers deep into the table, and
a hopeless file stops at the problem limit. (Timing: bench/large_patrols.py.)"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from checker.dataset import load_dataset
from checker.errors import InputError
from checker.export import write_csv_folder

from .helpers import load, mini

ROWS = 50_000


def _package(tmp_path: Path, parquet: bool) -> tuple[Path, pd.DataFrame]:
    folder = write_csv_folder(mini(), tmp_path / "pkg", labels="en")
    (folder / "patrols.csv").unlink()
    i = np.arange(ROWS)
    frame = pd.DataFrame({"id": [f"P{k}" for k in i], "chief": np.where(i % 2, "C-1", "C-2"),
                          "reach": np.where(i % 3 == 0, "R-YJ-1", ""),
                          "date": (np.datetime64("2018-01-01") + (i % 365).astype("timedelta64[D]")).astype(str),
                          "duration_min": (i % 90).astype(str)})
    if parquet:
        frame.to_parquet(folder / "patrols.parquet", index=False)
    else:
        frame.to_csv(folder / "patrols.csv", index=False)
    return folder, frame


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
def test_a_large_patrol_table_loads_with_its_values(tmp_path: Path, parquet: bool) -> None:
    folder, frame = _package(tmp_path, parquet)
    got = load(folder).tables["patrols"]
    assert len(got) == ROWS
    assert got["id"].iloc[-1] == f"P{ROWS - 1}" and got["chief"].iloc[1] == "C-1"
    assert got["reach"].iloc[0] == "R-YJ-1" and got["reach"].iloc[1] is None
    days = (pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[D]").astype(np.int64))
    assert (got["date"].to_numpy(dtype=np.int64) == days).all()
    assert got["duration_min"].sum() == frame["duration_min"].astype(int).sum()


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
def test_problems_deep_in_a_large_table_are_located(tmp_path: Path, parquet: bool) -> None:
    folder, frame = _package(tmp_path, parquet)
    frame.loc[40_000, "date"] = "2018年3月"
    frame.loc[45_000, "chief"] = "C-404"
    frame.loc[49_999, "id"] = "P7"
    if parquet:
        frame.to_parquet(folder / "patrols.parquet", index=False)
    else:
        frame.to_csv(folder / "patrols.csv", index=False)
    with pytest.raises(InputError) as e:
        load_dataset(folder)
    first = 1 if parquet else 2  # Parquet has no header row: row N is record N
    sheet = "patrols.parquet" if parquet else "patrols.csv"
    assert [(p.code, p.location.sheet, p.location.row, p.location.column) for p in e.value.problems] == [
        ("E-DATE", sheet, 40_000 + first, "date"),
        ("E-DANGLING-REF", sheet, 45_000 + first, "chief"),
        ("E-DUPLICATE-ID", sheet, 49_999 + first, "id")]


def test_a_hopeless_table_stops_at_the_problem_limit(tmp_path: Path) -> None:
    folder, frame = _package(tmp_path, parquet=False)
    frame["date"] = "someday"
    frame.to_csv(folder / "patrols.csv", index=False)
    with pytest.raises(InputError) as e:
        load_dataset(folder)
    codes = [p.code for p in e.value.problems]
    assert codes.count("E-DATE") == 1000 and codes.count("E-TOO-MANY") == 1
