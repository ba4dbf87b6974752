"""Finding inputs in folders and zip archives, and refusing archives that are unsafe."""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from checker.collect import ArchiveRefused, Limits, collect, expand_zip

from .helpers import write_zip, zip_bomb


def _names(c) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.name for i in c.inputs]


def test_folders_are_walked_in_name_order_and_a_csv_package_is_one_submission(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "b" / "pkg").mkdir(parents=True)
    (root / "b" / "pkg" / "报送信息.csv").write_text("字段,值\n", encoding="utf-8")
    (root / "b" / "pkg" / "河长.csv").write_text("x\n", encoding="utf-8")
    (root / "b" / "pkg" / "inner.json").write_text("{}", encoding="utf-8")  # part of the package, not separate
    (root / "a.yaml").write_text("x: 1", encoding="utf-8")
    (root / "c.XLSX").write_bytes(b"PK")
    (root / "d.xls").write_bytes(b"old")  # unreadable format: still an input, so the user hears why
    (root / ".hidden.json").write_text("{}", encoding="utf-8")
    (root / "~$c.xlsx").write_bytes(b"lock")
    (root / "notes.txt").write_text("n", encoding="utf-8")
    (root / "stray.csv").write_text("a,b\n", encoding="utf-8")
    c = collect([root], tmp_path / "work")
    assert _names(c) == [f"{root.as_posix()}/a.yaml", f"{root.as_posix()}/b/pkg", f"{root.as_posix()}/c.XLSX",
                         f"{root.as_posix()}/d.xls"]
    assert [s[0] for s in c.skipped] == [f"{root.as_posix()}/notes.txt", f"{root.as_posix()}/stray.csv"]
    assert "报送信息.csv" in c.skipped[1][1]


def test_entries_listed_in_duchaignore_are_skipped_with_the_reason_not_dropped(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    for name in ("a.json", "expected.yaml", "key-1.yaml", "sub/b.yaml", "sub/expected.yaml"):
        (root / name).write_text("{}", encoding="utf-8")
    (root / ".duchaignore").write_text("# answer keys\nexpected.yaml\n  key-*.yaml\n", encoding="utf-8")
    c = collect([root], tmp_path / "work")
    r = root.as_posix()
    # only the folder holding the file is affected: sub/expected.yaml is still a submission
    assert _names(c) == [f"{r}/a.json", f"{r}/sub/b.yaml", f"{r}/sub/expected.yaml"]
    assert [(s[0], s[2]) for s in c.skipped] == [(f"{r}/expected.yaml", "listed in .duchaignore: not a submission"),
                                                 (f"{r}/key-1.yaml", "listed in .duchaignore: not a submission")]


def test_a_folder_of_table_csvs_without_its_header_is_still_one_input(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "河长.csv").write_text("x\n", encoding="utf-8")
    assert _names(collect([pkg], tmp_path / "w")) == [pkg.as_posix()]


def test_explicit_paths_keep_their_order_duplicates_once_and_missing_ones_are_refused(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text("{}", encoding="utf-8")
    missing = tmp_path / "nope.json"
    c = collect([missing, a, a], tmp_path / "w")
    assert _names(c) == [missing.as_posix(), a.as_posix()]
    assert c.inputs[0].refused and c.inputs[0].refused_en == "no such file or folder"
    assert not c.inputs[1].refused


def test_archive_members_are_named_after_the_archive(tmp_path: Path) -> None:
    z = write_zip(tmp_path / "q.zip", {"county/a.json": b"{}", "county/b.yaml": b"x: 1", "readme.txt": b"r"})
    c = collect([z], tmp_path / "w")
    assert _names(c) == [f"{z.as_posix()}!/county/a.json", f"{z.as_posix()}!/county/b.yaml"]
    assert all(i.path is not None and i.path.is_file() for i in c.inputs)
    assert c.inputs[0].path.read_bytes() == b"{}"  # type: ignore[union-attr]


def test_a_csv_package_zipped_at_its_root_is_one_input_named_by_the_archive(tmp_path: Path) -> None:
    z = write_zip(tmp_path / "pkg.zip", {"报送信息.csv": "字段,值\n".encode(), "河长.csv": b"x\n"})
    c = collect([z], tmp_path / "w")
    assert _names(c) == [z.as_posix()]
    assert c.inputs[0].path is not None and (c.inputs[0].path / "报送信息.csv").is_file()


@pytest.mark.parametrize("member", ["../evil.json", "a/../../evil.json", "/etc/evil.json", "..\\evil.json",
                                    "C:/evil.json", "C:\\evil.json"])
def test_member_paths_that_could_escape_refuse_the_whole_archive(tmp_path: Path, member: str) -> None:
    z = write_zip(tmp_path / "in" / "x.zip", {"ok.json": b"{}", member: b"{}"})
    dest = tmp_path / "work" / "x"
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(z, dest)
    assert "unsafe member paths" in e.value.en and "已拒绝" in e.value.zh
    assert not dest.exists()  # refused before anything was written
    assert not (tmp_path / "work" / "evil.json").exists() and not (tmp_path / "evil.json").exists()


def test_symlink_members_refuse_the_archive(tmp_path: Path) -> None:
    z = tmp_path / "link.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo("passwd.json")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(z, tmp_path / "w")
    assert "symbolic links" in e.value.en and "符号链接" in e.value.zh


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    z = zip_bomb(tmp_path / "bomb.zip", size=16 * 1024 * 1024)
    assert z.stat().st_size < 100_000
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(z, tmp_path / "w")
    assert "zip bomb" in e.value.en and "压缩炸弹" in e.value.zh
    assert not (tmp_path / "w").exists()


def test_member_count_and_total_size_limits(tmp_path: Path) -> None:
    many = write_zip(tmp_path / "many.zip", {f"f{i}.json": b"{}" for i in range(12)})
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(many, tmp_path / "w1", Limits(members=10))
    assert "too many archive members (12, limit 10)" in e.value.en
    big = write_zip(tmp_path / "big.zip", {"a.json": b"x" * 600, "b.json": b"y" * 600}, compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(big, tmp_path / "w2", Limits(total_bytes=1000))
    assert "expands to 1,200 bytes (limit 1,000)" in e.value.en
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(big, tmp_path / "w3", Limits(member_bytes=500))
    assert "too large (600 bytes, limit 500)" in e.value.en


def test_a_member_that_expands_beyond_its_declared_size_is_stopped_while_extracting(tmp_path: Path) -> None:
    z = write_zip(tmp_path / "lie.zip", {"a.json": b"{" + b" " * 5000 + b"}"}, compression=zipfile.ZIP_STORED)
    data = bytearray(z.read_bytes())
    # Shrink the declared size in the central directory only (what infolist() reports).
    with zipfile.ZipFile(z) as zf:
        info = zf.infolist()[0]
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    assert info.file_size == 5002
    z.write_bytes(bytes(data))
    with pytest.raises(ArchiveRefused):
        expand_zip(z, tmp_path / "w")


def test_encrypted_and_broken_archives_are_refused(tmp_path: Path) -> None:
    z = write_zip(tmp_path / "enc.zip", {"a.json": b"{}"})
    data = bytearray(z.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 8] |= 0x1  # the "encrypted" flag in the central directory
    z.write_bytes(bytes(data))
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(z, tmp_path / "w")
    assert "encrypted" in e.value.en
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ArchiveRefused) as e:
        expand_zip(bad, tmp_path / "w2")
    assert "not a valid zip archive" in e.value.en


def test_refused_and_nested_archives_become_refused_inputs_and_the_rest_is_still_found(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write_zip(root / "evil.zip", {"../x.json": b"{}"})
    inner = write_zip(tmp_path / "inner.zip", {"a.json": b"{}"}).read_bytes()
    write_zip(root / "outer.zip", {"inner.zip": inner, "b.json": b"{}"})
    (root / "c.json").write_text("{}", encoding="utf-8")
    c = collect([root], tmp_path / "w")
    r = root.as_posix()
    assert _names(c) == [f"{r}/c.json", f"{r}/evil.zip", f"{r}/outer.zip!/b.json", f"{r}/outer.zip!/inner.zip"]
    refused = {i.name: i.refused_en for i in c.inputs if i.refused}
    assert set(refused) == {f"{r}/evil.zip", f"{r}/outer.zip!/inner.zip"}
    assert "extract it first" in refused[f"{r}/outer.zip!/inner.zip"]


def test_extracted_files_are_ordinary_readable_files(tmp_path: Path) -> None:
    z = write_zip(tmp_path / "q.zip", {"a.json": b"{}"})
    expand_zip(z, tmp_path / "w")
    assert stat.S_IMODE(os.stat(tmp_path / "w" / "a.json").st_mode) == 0o644


def test_the_runs_own_output_folder_is_not_searched(tmp_path: Path) -> None:
    (tmp_path / "in" / "out").mkdir(parents=True)
    (tmp_path / "in" / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "in" / "out" / "results.json").write_text("{}", encoding="utf-8")
    c = collect([tmp_path / "in"], tmp_path / "w", exclude=(tmp_path / "in" / "out",))
    assert _names(c) == [(tmp_path / "in" / "a.json").as_posix()]
