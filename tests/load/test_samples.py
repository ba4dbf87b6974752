"""samples/formats: every fixture base in every input format, up to date and loading to the
same submission as the base."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from checker.export import submission_of

from .helpers import load

REPO = Path(__file__).resolve().parents[2]
FORMATS = REPO / "samples" / "formats"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("formats_generate", FORMATS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
BASES = GEN.bases()
VARIANTS = ["{}.json", "{}.yaml", "{}.xlsx", "{}-csv", "{}-csv-en"]


def test_every_pack_has_samples() -> None:
    packs = {pack for pack, _, _ in BASES}
    assert {"guigang-river-chief", "changning-biodiversity"} <= packs
    assert packs == {p.name for p in FORMATS.iterdir() if p.is_dir() and p.name != "__pycache__"}


@pytest.mark.parametrize("pack,name,base", BASES, ids=[f"{p}/{n}" for p, n, _ in BASES])
@pytest.mark.parametrize("variant", VARIANTS)
def test_each_format_loads_to_the_base_submission(pack: str, name: str, base: Path, variant: str) -> None:
    path = FORMATS / pack / variant.format(name)
    assert path.exists(), f"{path} is missing: run .venv/bin/python samples/formats/generate.py"
    want = submission_of(yaml.safe_load(base.read_text(encoding="utf-8")))
    assert load(path).to_submission() == want, (
        f"{path} does not match {base}: run .venv/bin/python samples/formats/generate.py")


def _content(path: Path) -> Any:
    """Text formats by their bytes; workbooks and Parquet by what they load to."""
    if path.is_dir():
        return {p.name: _content(p) for p in sorted(path.iterdir())}
    if path.suffix in (".xlsx", ".parquet"):
        return None  # compared through the loaded submission (by the test above and below)
    return path.read_bytes()


def test_committed_samples_are_what_generate_writes(tmp_path: Path) -> None:
    written = GEN.generate(tmp_path)
    committed = sorted(p.relative_to(FORMATS) for p in FORMATS.glob("*/*"))
    assert committed == sorted(p.relative_to(tmp_path) for p in written), (
        "samples/formats lists other files than generate.py writes: run .venv/bin/python samples/formats/generate.py")
    for p in written:
        rel = p.relative_to(tmp_path)
        assert _content(FORMATS / rel) == _content(p), (
            f"samples/formats/{rel} is out of date: run .venv/bin/python samples/formats/generate.py")
        if p.suffix == ".xlsx" or p.name.endswith("-csv-en"):
            assert load(FORMATS / rel).to_submission() == load(p).to_submission(), f"samples/formats/{rel} is stale"


@pytest.mark.parametrize("name", sorted(p.name for p in (FORMATS / "guigang-river-chief").iterdir()))
def test_location_text_is_the_printed_location(name: str) -> None:
    """Dataset.location_text formats evidence places without building a Location: it must
    print exactly what the Location prints, in every input format."""
    ds = load(FORMATS / "guigang-river-chief" / name)
    refs = [(t, i) for t, frame in ds.tables.items() for i in range(len(frame))]
    assert refs
    assert [ds.location_text(f"{t}:{i}") for t, i in refs] == [str(ds.raw.location(t, i)) for t, i in refs]
