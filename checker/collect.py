"""Find the submissions in what a supervision office receives: files, folders and zip archives.

Contract of :func:`collect`: every argument yields zero or more :class:`Input` records in a
deterministic order (arguments in the order given, folder entries sorted by name), and
nothing that looks like a submission is dropped silently:

* ``.json .yaml .yml .xlsx`` files are one submission each; spreadsheet formats the loaders do
  not read (``.xls .xlsm .ods .et``) are inputs too, so the user learns why they were not read;
* a folder holding ``报送信息.csv`` or ``header.csv`` — or table CSV/Parquet files under a
  data-dictionary name — is ONE submission (a CSV package) and is not searched further;
* a ``.zip`` is opened safely (:func:`expand_zip`) and its contents found the same way; an
  archive that is unsafe (``../`` or absolute member paths, symlinks, encrypted members, zip
  bombs) is refused as a whole and becomes one *failed* input with the reason;
* other files (notes, images, a stray CSV) are listed in ``skipped`` with the reason; hidden
  files, Office lock files (``~$…``) and ``__MACOSX`` are ignored;
* a folder's ``.duchaignore`` lists names (globs, one a line, ``#`` comments) of entries in that
  folder that are not submissions, such as an answer key beside test files: they are listed in
  ``skipped`` too, never checked and never dropped unseen.

A file named explicitly on the command line is always an input, whatever its type.
"""
from __future__ import annotations

import fnmatch
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .model import HEADER_SHEET, TABLES

SUBMISSION_SUFFIXES = {".json", ".yaml", ".yml", ".xlsx"}
# Read by nobody, but a submitter may well send them: report them as unreadable inputs.
OTHER_SPREADSHEETS = {".xls", ".xlsm", ".ods", ".et", ".numbers"}
TABLE_SUFFIXES = {".csv", ".parquet"}
HEADER_FILES = {f"{HEADER_SHEET}.csv", "header.csv"}
_TABLE_STEMS = {zh for _, zh in TABLES.values()} | set(TABLES)


@dataclass(frozen=True)
class Limits:
    """What an archive may hold before it is treated as a zip bomb."""

    members: int = 10_000
    total_bytes: int = 2 * 1024**3  # uncompressed, all members together
    member_bytes: int = 512 * 1024**2  # as the loaders' MAX_FILE_BYTES
    ratio: float = 200.0  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 1024**2  # small files may compress very well without harm


@dataclass(frozen=True)
class Input:
    """One submission to check. ``name`` is what reports show (stable across runs: the path as
    given, or ``archive.zip!/member``); ``path`` is where to read it (an extracted copy for
    archive members). ``refused_zh/en`` are set when the input cannot be read at all."""

    name: str
    path: Path | None
    refused_zh: str = ""
    refused_en: str = ""
    code: str = ""  # the problem code of a refused input (E-NOT-FOUND, E-ARCHIVE, …)

    @property
    def refused(self) -> bool:
        return bool(self.refused_zh)


@dataclass
class Collection:
    inputs: list[Input] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (name, reason zh, reason en)


class ArchiveRefused(Exception):
    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(en)


IGNORE_FILE = ".duchaignore"


def _ignore_patterns(folder: Path) -> list[str]:
    try:
        text = (folder / IGNORE_FILE).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _ignored(name: str) -> bool:
    return name.startswith((".", "~$")) or name == "__MACOSX" or name == "Thumbs.db"


def _is_csv_package(folder: Path) -> bool:
    try:
        names = [p.name for p in folder.iterdir() if p.is_file()]
    except OSError:
        return False
    if HEADER_FILES & set(names):
        return True
    return any(Path(n).suffix.lower() in TABLE_SUFFIXES and Path(n).stem in _TABLE_STEMS for n in names)


def _join(display: str, child: str) -> str:
    return f"{display.rstrip('/')}/{child}"


def collect(paths: list[Path], workdir: Path, limits: Limits = Limits(), *,
            exclude: tuple[Path, ...] = ()) -> Collection:
    """Every input under ``paths``; archives are extracted below ``workdir`` (the caller's temp
    dir). Folders in ``exclude`` (the run's own output folder) are not searched, so a second
    run does not read the first one's results as submissions."""
    out = Collection()
    seen: set[str] = {str(p.resolve()) for p in exclude}
    for i, p in enumerate(paths):
        display = p.as_posix()
        try:
            real = str(p.resolve())
        except OSError:
            real = display
        if real in seen:
            continue
        seen.add(real)
        if not p.exists():
            out.inputs.append(Input(display, None, "文件或文件夹不存在", "no such file or folder", "E-NOT-FOUND"))
        elif p.is_dir():
            _walk(p, display, workdir / f"arg{i}", limits, out, seen)
        elif p.suffix.lower() == ".zip":
            _archive(p, display, workdir / f"arg{i}", limits, out, seen)
        else:
            out.inputs.append(Input(display, p))
    return out


def _walk(folder: Path, display: str, workdir: Path, limits: Limits, out: Collection, seen: set[str],
          in_archive: bool = False) -> None:
    if _is_csv_package(folder):
        out.inputs.append(Input(display, folder))
        return
    try:
        entries = sorted(folder.iterdir(), key=lambda e: e.name)
    except OSError as e:
        out.inputs.append(Input(display, None, f"无法读取文件夹：{e.strerror}", f"cannot read the folder: {e.strerror}",
                                "E-READ"))
        return
    listed = _ignore_patterns(folder)
    for n, entry in enumerate(entries):
        if _ignored(entry.name):
            continue
        name = _join(display, entry.name)
        if any(fnmatch.fnmatchcase(entry.name, pat) for pat in listed):
            out.skipped.append((name, f"列于 {IGNORE_FILE}，不是报送", f"listed in {IGNORE_FILE}: not a submission"))
            continue
        if entry.is_dir():
            if entry.is_symlink():  # a link could loop or leave the folder the user named
                out.skipped.append((name, "符号链接文件夹，未进入", "symbolic link to a folder, not followed"))
                continue
            real = str(entry.resolve())
            if real in seen:
                continue
            seen.add(real)
            _walk(entry, name, workdir / f"d{n}", limits, out, seen, in_archive)
            continue
        suffix = entry.suffix.lower()
        if suffix in SUBMISSION_SUFFIXES or suffix in OTHER_SPREADSHEETS:
            real = str(entry.resolve())
            if real not in seen:
                seen.add(real)
                out.inputs.append(Input(name, entry))
        elif suffix == ".zip":
            if in_archive:
                out.inputs.append(Input(name, None, "压缩包内嵌套压缩包，请先解压后再报送",
                                        "an archive inside an archive: extract it first", "E-ARCHIVE-NESTED"))
            else:
                _archive(entry, name, workdir / f"z{n}", limits, out, seen)
        elif suffix in TABLE_SUFFIXES:
            out.skipped.append((name, f"单独的表文件：CSV 报送须放在含 {HEADER_SHEET}.csv 的文件夹中",
                                f"a lone table file: a CSV submission is a folder holding {HEADER_SHEET}.csv"))
        else:
            out.skipped.append((name, "不是报送文件类型", "not a submission file type"))


def _archive(path: Path, display: str, dest: Path, limits: Limits, out: Collection, seen: set[str]) -> None:
    try:
        expand_zip(path, dest, limits)
    except ArchiveRefused as e:
        out.inputs.append(Input(display, None, e.zh, e.en, "E-ARCHIVE"))
        return
    if _is_csv_package(dest):
        out.inputs.append(Input(display, dest))
        return
    before = len(out.inputs) + len(out.skipped)
    _walk(dest, display + "!", dest, limits, out, seen, in_archive=True)
    if len(out.inputs) + len(out.skipped) == before:
        out.skipped.append((display, "压缩包中没有报送文件", "the archive holds no submission"))


_DRIVE = re.compile(r"^[A-Za-z]:")


def _member_parts(name: str) -> list[str] | None:
    """The path components of a member name, or None when the name could escape the folder."""
    if "\x00" in name:
        return None
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm):
        return None
    parts = [p for p in PurePosixPath(norm).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return parts


def _fmt_bytes(n: int) -> str:
    return f"{n:,}"


def expand_zip(path: Path, dest: Path, limits: Limits = Limits()) -> None:
    """Check every member of ``path`` against ``limits`` and the path rules, then extract it to
    ``dest``. Raises :class:`ArchiveRefused` (bilingual reason) before writing anything when a
    rule is broken; the sizes are enforced again while extracting, since headers can lie."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ArchiveRefused(f"不是有效的 zip 压缩包（{type(e).__name__}）", f"not a valid zip archive ({e})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.members:
            raise ArchiveRefused(f"压缩包成员过多（{len(infos):,} 个，上限 {limits.members:,}），疑为压缩炸弹，已拒绝",
                                 f"too many archive members ({len(infos):,}, limit {limits.members:,}): refused as a possible zip bomb")
        unsafe, links, locked, names = [], [], [], set()
        total = 0
        for info in infos:
            parts = _member_parts(info.filename)
            if parts is None:
                unsafe.append(info.filename)
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                links.append(info.filename)
            if info.flag_bits & 0x1:
                locked.append(info.filename)
            key = "/".join(parts).casefold()
            if key in names and not info.is_dir():
                unsafe.append(info.filename)
            names.add(key)
            total += info.file_size
            if info.file_size > limits.member_bytes:
                raise ArchiveRefused(
                    f"压缩包成员“{info.filename}”过大（{_fmt_bytes(info.file_size)} 字节，上限 {_fmt_bytes(limits.member_bytes)}），已拒绝",
                    f"archive member {info.filename!r} too large ({_fmt_bytes(info.file_size)} bytes, limit {_fmt_bytes(limits.member_bytes)}): refused")
            if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise ArchiveRefused(
                    f"压缩包成员“{info.filename}”压缩比异常（{ratio:,.0f}:1，上限 {limits.ratio:g}:1），疑为压缩炸弹，已拒绝",
                    f"archive member {info.filename!r} has a compression ratio of {ratio:,.0f}:1 (limit {limits.ratio:g}:1): refused as a possible zip bomb")
        if unsafe:
            shown = "、".join(unsafe[:5])
            raise ArchiveRefused(f"压缩包含有不安全的路径（../、绝对路径或重名）：{shown}，已拒绝",
                                 f"the archive holds unsafe member paths (../, absolute or duplicate): {', '.join(unsafe[:5])}: refused")
        if links:
            raise ArchiveRefused(f"压缩包含有符号链接：{'、'.join(links[:5])}，已拒绝",
                                 f"the archive holds symbolic links: {', '.join(links[:5])}: refused")
        if locked:
            raise ArchiveRefused(f"压缩包含有加密成员：{'、'.join(locked[:5])}，请解密后报送",
                                 f"the archive holds encrypted members: {', '.join(locked[:5])}: send it unencrypted")
        if total > limits.total_bytes:
            raise ArchiveRefused(
                f"压缩包解压后过大（{_fmt_bytes(total)} 字节，上限 {_fmt_bytes(limits.total_bytes)}），疑为压缩炸弹，已拒绝",
                f"the archive expands to {_fmt_bytes(total)} bytes (limit {_fmt_bytes(limits.total_bytes)}): refused as a possible zip bomb")
        _extract(zf, infos, dest, limits)


def _extract(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], dest: Path, limits: Limits) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    written = 0
    for info in infos:
        parts = _member_parts(info.filename) or []
        if not parts:
            continue
        target = root.joinpath(*parts)
        if root not in target.resolve().parents and target.resolve() != root:
            raise ArchiveRefused(f"压缩包成员路径越界：{info.filename}", f"archive member escapes the folder: {info.filename}")
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        try:
            with zf.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    size += len(chunk)
                    written += len(chunk)
                    # The header's sizes were checked; the stream is checked too, since they can lie.
                    if size > max(info.file_size, 0) or size > limits.member_bytes or written > limits.total_bytes:
                        raise ArchiveRefused(
                            f"压缩包成员“{info.filename}”解压后超出声明的大小，疑为压缩炸弹，已拒绝",
                            f"archive member {info.filename!r} expands beyond its declared size: refused as a possible zip bomb")
                    dst.write(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as e:
            raise ArchiveRefused(f"无法解压成员“{info.filename}”（{type(e).__name__}）",
                                 f"cannot extract archive member {info.filename!r}: {e}") from None
        os.chmod(target, 0o644)
