"""Write every base submission of the rule fixtures in every input format.

    .venv/bin/python samples/formats/generate.py        # rewrite samples/formats/

For each ``tests/rules/<pack>/base-<name>.yaml`` this writes, under ``samples/formats/<pack>/``:

* ``<name>.json`` and ``<name>.yaml``;
* ``<name>.xlsx``: header sheet 报送信息, one sheet per table, Chinese column labels;
* ``<name>-csv/``: 报送信息.csv and one CSV per table, Chinese names (UTF-8 with BOM);
* ``<name>-csv-en/``: the same with English file and column names, patrols (if any) as Parquet.

The output is a pure function of the bases (byte-identical on every run), and
``tests/load/test_samples.py`` fails when the committed files are out of date.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from checker.export import submission_of, write_csv_folder, write_json, write_xlsx, write_yaml  # noqa: E402

FIXTURES = REPO / "tests" / "rules"
OUT = Path(__file__).resolve().parent


def bases() -> list[tuple[str, str, Path]]:
    """(pack, base name, path) for every fixture base, in a stable order."""
    found = []
    for path in sorted(FIXTURES.glob("*/base-*.yaml")):
        found.append((path.parent.name, path.stem.removeprefix("base-"), path))
    return found


def generate(out: Path = OUT) -> list[Path]:
    """Write all formats of all bases under ``out``; returns the paths written (sorted)."""
    written: list[Path] = []
    for pack, name, path in bases():
        sub = submission_of(yaml.safe_load(path.read_text(encoding="utf-8")))
        folder = out / pack
        folder.mkdir(parents=True, exist_ok=True)
        written.append(write_json(sub, folder / f"{name}.json"))
        written.append(write_yaml(sub, folder / f"{name}.yaml"))
        written.append(write_xlsx(sub, folder / f"{name}.xlsx"))
        for suffix, kw in (("csv", {}), ("csv-en", {"labels": "en", "parquet": frozenset({"patrols"})})):
            target = folder / f"{name}-{suffix}"
            if target.exists():
                shutil.rmtree(target)  # a table that left the base must leave the package too
            written.append(write_csv_folder(sub, target, **kw))  # type: ignore[arg-type]
    return sorted(written)


def main() -> int:
    for pack_dir in sorted(p for p in OUT.iterdir() if p.is_dir()):
        shutil.rmtree(pack_dir)  # bases that were removed leave no stale samples
    for p in generate(OUT):
        print(p.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
