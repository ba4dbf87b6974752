"""Size limits hold for every format, from the size on disk, before a byte is read: a sparse
2 GB file is refused in milliseconds and the process does not grow."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from checker.dataset import load_dataset
from checker.errors import InputError
from checker.export import write_csv_folder
from checker.load.base import MAX_FILE_BYTES
from checker.load.jsonyaml import MAX_YAML_BYTES

from .helpers import mini, problems

TWO_GB = 2 * 1024**3


def _rss() -> int:
    """Resident set size now (not the peak: the peak may be older than this test)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _sparse(path: Path, size: int = TWO_GB) -> Path:
    with open(path, "wb"):
        pass
    os.truncate(path, size)  # no blocks written: a 2 GB file that costs nothing on disk
    return path


def _package(tmp_path: Path, big: str) -> Path:
    folder = write_csv_folder(mini(), tmp_path / "pkg", labels="en")
    (folder / "patrols.csv").unlink()
    _sparse(folder / big)
    return folder


CASES = {
    "s.json": ("s.json", MAX_FILE_BYTES),
    "s.yaml": ("s.yaml", MAX_YAML_BYTES),
    "s.yml": ("s.yml", MAX_YAML_BYTES),
    "s.xlsx": ("s.xlsx", MAX_FILE_BYTES),
    "patrols.csv": ("pkg[patrols.csv]", MAX_FILE_BYTES),
    "patrols.parquet": ("pkg[patrols.parquet]", MAX_FILE_BYTES),
}


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc to measure memory")
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_2gb_file_is_refused_by_its_size_quickly_and_without_reading_it(tmp_path: Path, name: str) -> None:
    path = _package(tmp_path, name) if name.startswith("patrols") else _sparse(tmp_path / name)
    where, limit = CASES[name]
    before = _rss()
    start = time.perf_counter()
    with pytest.raises(InputError) as e:
        load_dataset(path)
    elapsed = time.perf_counter() - start
    grown = _rss() - before
    [p] = e.value.problems
    assert (p.code, str(p.location).replace(str(tmp_path) + "/", "")) == ("E-TOO-LARGE", where)
    assert f"{TWO_GB:,}" in p.message_zh and f"{limit:,}" in p.message_en
    assert elapsed < 1.0, f"{elapsed:.2f} s: the file was read"
    assert grown < 64 * 1024**2, f"the process grew by {grown:,} bytes: the file was read"


def test_the_limit_is_an_option(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{}", encoding="utf-8")
    assert problems(path, max_bytes=1) == [("E-TOO-LARGE", "s.json")]
    with pytest.raises(InputError) as e:
        load_dataset(path, max_bytes=1)
    assert "上限 1 字节" in e.value.problems[0].message_zh


def test_an_empty_table_file_is_a_table_without_records_but_an_empty_header_is_refused(tmp_path: Path) -> None:
    folder = write_csv_folder(mini(), tmp_path / "pkg", labels="en")
    (folder / "documents.csv").write_bytes(b"")
    assert [c for c, _ in problems(folder)] == []
    (folder / "header.csv").write_bytes(b"")
    assert problems(folder) == [("E-EMPTY", "pkg[header.csv]")]
