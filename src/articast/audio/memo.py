"""Remembered results of slow, pure audio steps (loudness readings, decoded music), keyed by their inputs.

A produce after a one-sentence edit repeats most of the last run's measurements on the very same
samples: the music's loudness, the head's level and gain plan. Each result is stored under a hash
of its exact inputs in the cache folder (``<cache>/audio``), so it is computed once. A stored value
that is missing, unreadable or damaged only means computing it again; the folder may be deleted
at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

VERSION = 1
"""Part of every key: raise it when a remembered step changes what it computes."""


def digest(*parts: object) -> str:
    """A key for these inputs: arrays by dtype, shape and every byte, anything else by repr."""
    h = hashlib.sha256(f"articast-memo-{VERSION}".encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            data = np.ascontiguousarray(part)
            h.update(f"{data.dtype.str}{data.shape}".encode())
            h.update(data.data.cast("B"))
        else:
            h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def _root() -> Path:
    from ..config import AUDIO_MEMO, default_cache_dir

    return default_cache_dir() / AUDIO_MEMO


def _store(path: Path, write: Callable[[Path], object]) -> None:
    """Write beside ``path`` and move into place; no fsync: a lost entry is only computed again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            write(Path(name))
            os.replace(name, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    except OSError as exc:
        log.debug("cannot remember %s: %s", path.name, exc)


def recall(key: str) -> float | None:
    """The number remembered under ``key``, or None."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        return float(json.loads((_root() / key[:2] / f"{key}.json").read_text(encoding="utf-8"))["value"])
    return None


def remember(key: str, value: float) -> None:
    """Remember a number under ``key`` (best effort)."""
    _store(_root() / key[:2] / f"{key}.json",
           lambda tmp: tmp.write_text(json.dumps({"value": float(value)}), encoding="utf-8"))


def number(key: str, compute: Callable[[], float]) -> float:
    """The number remembered under ``key``, or ``compute()``'s, remembered for next time."""
    value = recall(key)
    if value is None:
        value = float(compute())
        remember(key, value)
    return value


def array(key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """The array remembered under ``key``, or ``compute()``'s, remembered for next time."""
    path = _root() / key[:2] / f"{key}.npy"
    with contextlib.suppress(OSError, ValueError):
        return np.load(path, allow_pickle=False)
    value = compute()

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.save(fh, value, allow_pickle=False)

    _store(path, write)
    return value


def load_bytes(key: str, suffix: str) -> bytes | None:
    """The bytes remembered under ``key``, or None."""
    try:
        return (_root() / key[:2] / f"{key}{suffix}").read_bytes()
    except OSError:
        return None


def save_bytes(key: str, suffix: str, data: bytes) -> None:
    """Remember ``data`` under ``key`` (best effort)."""
    _store(_root() / key[:2] / f"{key}{suffix}", lambda tmp: tmp.write_bytes(data))
