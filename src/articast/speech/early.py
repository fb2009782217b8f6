"""Speech workers started before the article is read, when the command can tell they will be needed.

A produce reads its article, lays out the script and looks each segment up in the cache before it
knows what must be spoken: about 0.2 s of imports and work in one process, while the other cores
wait. Only then would it start its workers, which take another 0.15 s to start Python and 0.1-0.3 s
to load the voice. So ``articast produce`` starts them first, when the article is one it has not
produced before: they load their voices while it reads (measured on 2 cores: a cold produce of
the example 1-2% faster, which is about what one core idle for 0.2 s can give).

After an edit, though, the cache holds nearly all of the article, the one changed sentence is
spoken in this process, and workers started for nothing would take the cores this process needs
(7% slower). Whether an article is new is told from its lines: the command keeps a digest of each
line of every article it produced (8 bytes a line, the latest LINES_KEPT lines, in the cache's
``audio/produced/`` folder, so ``articast cache --clear`` forgets them with the audio). An article
of which less than half, by characters, was produced before counts as new. A wrong guess costs
only time: workers a pool does not take over are stopped, and a pool starts those it lacks.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from ..config import AUDIO_MEMO, default_cache_dir
from ..fsutil import write_bytes_atomic
from . import BUILT_IN, EngineOptions
from .workers import start_early

log = logging.getLogger(__name__)

ENGINES = tuple(name for name, engine in BUILT_IN.items() if engine.parallel)
"""The engines worth starting early: those that speak in worker processes (PARALLEL). Told by the
registry, so that the engine's module (and numpy with it) need not be imported before the workers start."""

LINES_KEPT = 32_768
"""Digests of the lines of produced articles kept to tell a new article from an edited one (256 KB)."""

PREPARE_APART_BYTES = 4_096
"""An article file this large is taken to be one whose workers will reload their voice (a worker
does on more than 20 segments, about 4 KB of text): on a fresh cache their voice is then prepared
in a process of its own (see PiperEngine.prepare_apart), as the first segment would have said."""

BYTES_A_WORKER = 500
"""Workers started early: at most one for each this many bytes of the article file (about four
sentences), and at least two."""

_DIGEST = 8


def _seen_path() -> Path:
    return default_cache_dir() / AUDIO_MEMO / "produced" / "lines"


def _line_digests(data: bytes) -> dict[bytes, int]:
    """Each line of an article's file (stripped, two characters or more): its digest and its length."""
    lines = {}
    for line in data.splitlines():
        line = line.strip()
        if len(line) >= 2:
            lines[hashlib.blake2b(line, digest_size=_DIGEST).digest()] = len(line)
    return lines


def _seen() -> list[bytes]:
    try:
        data = _seen_path().read_bytes()
    except OSError:
        return []
    return [data[at:at + _DIGEST] for at in range(0, len(data) - _DIGEST + 1, _DIGEST)]


def looks_new(data: bytes) -> bool:
    """Whether less than half of the article in ``data`` (by characters) is in lines produced before."""
    lines = _line_digests(data)
    total = sum(lines.values())
    if not total:
        return False
    seen = set(_seen())
    return sum(length for digest, length in lines.items() if digest in seen) * 2 < total


def remember(source: str) -> None:
    """Note the lines of the article just produced from ``source`` (a file; anything else is left)."""
    data = _article_bytes(source)
    if data is None:
        return
    fresh = list(_line_digests(data))
    known = set(fresh)
    kept = [digest for digest in _seen() if digest not in known] + fresh
    try:
        write_bytes_atomic(_seen_path(), b"".join(kept[-LINES_KEPT:]))
    except OSError:  # a read-only cache: the next produce only guesses less well
        pass


MAX_BYTES = 2_000_000
"""A larger article file is not read twice (the produce reads it, and says what is wrong with it)."""


def _article_bytes(source: str) -> bytes | None:
    """The article file's bytes; None for stdin, a URL, a file not there or too large."""
    if source == "-" or source.startswith(("http://", "https://")):
        return None
    try:
        path = Path(source)
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def start_for(source: str, settings: Any) -> int:
    """Start the speech workers for a produce of ``source`` now, if it will need them: a local file
    not produced before, an engine that speaks in workers, and more than one job. How many started."""
    jobs = settings.jobs or os.cpu_count() or 1
    if jobs < 2 or settings.engine not in ENGINES:
        return 0
    data = _article_bytes(source)
    if data is None or not looks_new(data):
        return 0
    # A pool takes at most one worker a segment: on many cores, a short article starts fewer.
    jobs = min(jobs, max(2, len(data) // BYTES_A_WORKER))
    # The voice the article's body is spoken in (see speech.schedule.SpeechStream), loaded in advance.
    options = EngineOptions.chosen(settings, settings.role_voices.get("answer", settings.voice))
    start_early(settings.engine, jobs, options, prepare_apart=len(data) >= PREPARE_APART_BYTES)
    log.info("started %d speech workers before reading the article (not produced before)", jobs)
    return jobs
