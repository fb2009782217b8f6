"""A content-addressed cache of synthesised segments: the same words in the same voice are never paid for twice.

An entry's key hashes the engine's cache key (engine, voice, speaker, pace and every other setting
that changes the sound) with the exact spoken text. Entries are written atomically and carry a
checksum, so a torn or corrupted entry is detected, removed and synthesised again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..config import AUDIO_MEMO, default_cache_dir
from ..fsutil import atomic_path
from ..models import Clip

log = logging.getLogger(__name__)

__all__ = ["AUDIO_MEMO", "default_cache_dir", "segment_key", "SegmentCache", "CacheStats"]

FORMAT_VERSION = 1
_MAGIC = b"ACSG"
_HEADER = struct.Struct("<4sHIQI")  # magic, version, sample rate, frames, crc32 of the samples


def segment_key(engine_key: dict[str, Any], spoken: str) -> str:
    """The cache key of one segment: a hash of the engine settings and the text."""
    blob = json.dumps({"v": FORMAT_VERSION, "engine": engine_key, "text": spoken}, sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    """What the cache holds."""

    path: Path
    entries: int
    size_bytes: int
    """Bytes of the cached segments."""
    audio_bytes: int = 0
    """Bytes of remembered audio work beside them (encoded MP3 chunks, loudness readings, decoded music)."""
    voices_bytes: int = 0
    """Bytes of the voices prepared for this machine (see speech.piper); kept by ``clear``."""


PREPARED_VOICES = "models"
"""The folder, beside the segments, of the voices prepared for this machine (see speech.piper)."""


class SegmentCache:
    """Clips stored by key under ``root`` (two-level fan-out, one file each)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.seg"

    def has(self, key: str) -> bool:
        """Whether an entry exists (it is checked when read)."""
        return self._path(key).is_file()

    def get(self, key: str) -> Clip | None:
        """The cached clip, or None when absent or damaged (a damaged entry is removed)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cache entry %s unreadable (%s); synthesising again", path, exc)
            return None
        try:
            magic, version, rate, frames, crc = _HEADER.unpack_from(data)
            body = data[_HEADER.size:]
            if magic != _MAGIC or version != FORMAT_VERSION or len(body) != frames * 4 or zlib.crc32(body) != crc:
                raise ValueError("bad header or checksum")
        except (struct.error, ValueError) as exc:
            log.warning("cache entry %s is damaged (%s); synthesising again", path, exc)
            path.unlink(missing_ok=True)
            return None
        return Clip(samples=np.frombuffer(body, dtype="<f4").copy(), sample_rate_hz=rate)

    def put(self, key: str, clip: Clip) -> None:
        """Store a clip atomically; a failure to write only costs a future re-synthesis."""
        body = np.ascontiguousarray(clip.samples, dtype="<f4").tobytes()
        header = _HEADER.pack(_MAGIC, FORMAT_VERSION, clip.sample_rate_hz, len(body) // 4, zlib.crc32(body))
        try:
            with atomic_path(self._path(key)) as tmp:
                tmp.write_bytes(header + body)
        except OSError as exc:
            log.warning("cannot write cache entry in %s: %s", self.root, exc)

    def stats(self) -> CacheStats:
        """Entries and bytes on disk."""
        entries = size = audio = 0
        if self.root.is_dir():
            for path in self.root.glob("*/*.seg"):
                entries += 1
                size += path.stat().st_size
            for path in (self.root / AUDIO_MEMO).glob("*/*"):
                audio += path.stat().st_size
        voices = sum(path.stat().st_size for path in (self.root / PREPARED_VOICES).glob("[!.]*") if path.is_file())
        return CacheStats(self.root, entries, size, audio, voices)

    def clear(self) -> CacheStats:
        """Delete every entry; returns what was removed."""
        before = self.stats()
        if self.root.is_dir():
            for sub in self.root.iterdir():
                if sub.is_dir() and (len(sub.name) == 2 or sub.name == AUDIO_MEMO):
                    shutil.rmtree(sub, ignore_errors=True)
        return before
