"""Atomic file writes (a crash or Ctrl-C never leaves a half-written file where a reader looks), and the
show folder's lock."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()
"""What a file written the ordinary way gets (read once, at import, while nothing else runs):
mkstemp's private 0600 would hide the show's files from a web server running as another user."""


def _settle(tmp: Path) -> None:
    """A written temporary file on disk (fsync) and readable as an ordinary file is, before its rename."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, _FILE_MODE)


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``final``; move it into place only on success."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _settle(tmp)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def staged_files(folder: Path, suffixes: tuple[str, ...]) -> Iterator[dict[str, Path]]:
    """Hidden temporary files in ``folder``, one per suffix, for files whose final name is chosen only
    once they are written (see :func:`move_into_place`); all removed if the block fails."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    try:
        for suffix in suffixes:
            fd, name = tempfile.mkstemp(prefix=".staged.", suffix=f"{suffix}.tmp", dir=folder)
            os.close(fd)
            staged[suffix] = Path(name)
        yield staged
    finally:  # whatever was moved into place is gone from here; the rest was not wanted
        for tmp in staged.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def move_into_place(staged: dict[str, Path], folder: Path, stem: str) -> dict[str, Path]:
    """Move staged files to ``folder/stem+suffix``, in the order given (the last is the one a reader
    looks for: the others are in place before it is); their final paths by suffix."""
    final = {}
    for tmp in staged.values():  # every file on disk before the first is moved
        _settle(tmp)
    for suffix, tmp in staged.items():
        final[suffix] = Path(folder) / f"{stem}{suffix}"
        os.replace(tmp, final[suffix])
    return final


def write_text_atomic(final: Path, text: str) -> None:
    """Write UTF-8 text to ``final`` atomically."""
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(final: Path, data: bytes) -> None:
    """Write bytes to ``final`` atomically."""
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)


STALE_TEMP_S = 15 * 60
"""A temporary file this old was left by a process that was killed; nothing still writes it."""


def remove_stale_temps(folder: Path, older_than_s: float = STALE_TEMP_S) -> int:
    """Delete hidden '.name.*.tmp' files a killed run left in ``folder``; returns how many."""
    removed = 0
    cutoff = time.time() - older_than_s
    for path in Path(folder).glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


SHOW_LOCK_FILE = ".articast.lock"
"""The show folder's lock: held while its episode records or the records of followed sources change."""


@contextlib.contextmanager
def show_lock(folder: Path, timeout_s: float = 60.0) -> Iterator[None]:
    """Hold the show folder's lock (made when missing) for the block."""
    from filelock import FileLock

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / SHOW_LOCK_FILE), timeout=timeout_s):
        yield


def now_iso() -> str:
    """The current UTC time, to the second, ISO 8601."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
