"""Output hygiene shared by every writer: spreadsheet cells that cannot run, files that are
never half-written, archives that are byte-identical for the same inputs.

* :func:`protect` — a value from a submission that starts with ``= + - @``, a tab or a carriage
  return is a formula to Excel/WPS ("CSV injection"); it gets a leading apostrophe so the
  spreadsheet shows it as text.
* :func:`terminal_text` — submission text printed to a terminal cannot carry escape sequences
  (set the window title, clear the screen, hide text, write the clipboard): control characters
  are shown as ``\\xNN``; only the writer's own colour codes pass.
* :func:`write_atomic` — a temp file in the target's directory, then ``os.replace``: a reader
  (or a crash) never sees a partial report.
* :func:`atomic_writer` — the same for a file written in pieces (a batch's reports).
* :class:`PendingFile` — the same for a file written over a long time (a batch's outputs while
  its inputs are still being checked): nameless until :meth:`PendingFile.publish`.
* :func:`normalise_zip` — zip containers (xlsx) carry the wall-clock time in member headers
  and in ``docProps/core.xml``; this rewrites both to a fixed stamp.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any, Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def protect(value: Any) -> Any:
    """A cell value safe for CSV/XLSX: strings that a spreadsheet would evaluate get a ``'``.

    Numbers, booleans and None pass unchanged (a real number is never a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(line: str, colours: frozenset[str] = frozenset()) -> str:
    """``line`` safe to print: every control character except newline and tab becomes a visible
    ``\\xNN``, except an SGR colour sequence ``ESC[<code>m`` whose code is in ``colours``."""
    out = []
    pos = 0
    for m in re.finditer(r"\x1b\[([0-9;]*)m", line):
        out.append(_CONTROL.sub(_visible, line[pos:m.start()]))
        out.append(m.group(0) if m.group(1) in colours else _CONTROL.sub(_visible, m.group(0)))
        pos = m.end()
    out.append(_CONTROL.sub(_visible, line[pos:]))
    return "".join(out)


def _visible(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group(0)):02x}"


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either the old file or the whole new one."""
    with atomic_writer(path) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """Write to the yielded binary file (output too large to hold in memory streams here);
    ``path`` appears, whole, only when the block ends without an exception (a
    :class:`PendingFile` published at the end, discarded on an exception)."""
    pending = PendingFile(path)
    try:
        yield pending.fh
    except BaseException:
        pending.discard()
        raise
    pending.publish()


class PendingFile:
    """A file that appears at ``path`` whole, only on :meth:`publish`. Until then it has no name
    where the system allows (Linux ``O_TMPFILE``), so a run killed while writing it for minutes
    leaves nothing behind; elsewhere a hidden temp file beside ``path``.
    :meth:`discard` drops it. ``fh`` is the binary file to write."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.tmp: str | None = None
        try:
            fd = os.open(path.parent, os.O_TMPFILE | os.O_RDWR, 0o666)  # the umask applies
        except (AttributeError, OSError):
            fd, self.tmp = self._beside()
        self.fh: IO[bytes] = os.fdopen(fd, "w+b")

    def _beside(self) -> tuple[int, str]:
        """A new hidden temp file beside ``path`` (mode 0600 until published)."""
        return tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")

    def publish(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        if self.tmp is None:
            fd, tmp = self._beside()
            os.close(fd)
            os.unlink(tmp)  # a free name for the link below (link() does not replace)
            try:
                os.link(f"/proc/self/fd/{self.fh.fileno()}", tmp)
            except OSError:  # no /proc: copy it into a named temp instead
                fd, tmp = self._beside()
                with os.fdopen(fd, "wb") as out:
                    self.fh.seek(0)
                    shutil.copyfileobj(self.fh, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(tmp, 0o666 & ~_umask())
            self.tmp = tmp
        else:
            os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
        self.fh.close()
        try:
            os.replace(self.tmp, self.path)
        except BaseException:
            self.discard()
            raise
        self.tmp = None

    def discard(self) -> None:
        self.fh.close()
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except FileNotFoundError:
                pass
            self.tmp = None


_CORE_STAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Rewrite a zip (xlsx) with every member dated ``stamp`` and core properties set to it."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_STAMP.sub(lambda m: m.group(1) + iso + m.group(3), body)
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()
