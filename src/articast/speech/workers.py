"""Synthesis in worker processes: each loads its voice once with onnxruntime at one thread.

Segments are handed out one at a time in order, so the work balances itself sentence by sentence
(a long segment keeps one worker busy while the other takes the next ones), and results come back
in order. Workers ignore Ctrl-C; the parent stops them at once.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterable, Iterator

import numpy as np

from . import EngineOptions, get_engine

_ENGINE_NAME = ""
_ENGINES: dict[EngineOptions, object] = {}


def _start(engine_name: str) -> None:
    global _ENGINE_NAME
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ENGINE_NAME = engine_name


def _speak(job: tuple[EngineOptions, str]) -> tuple[np.ndarray, int]:
    options, text = job
    engine = _ENGINES.get(options)
    if engine is None:
        engine = get_engine(_ENGINE_NAME, options)
        if hasattr(engine, "threads"):
            engine.threads = 1
        _ENGINES[options] = engine
    clip = engine.synthesize(text)  # type: ignore[attr-defined]
    return clip.samples, clip.sample_rate_hz


class SynthesisPool:
    """A pool of ``jobs`` worker processes for one engine."""

    def __init__(self, engine_name: str, jobs: int) -> None:
        # spawn, not fork: the parent may already hold onnxruntime's threads, which fork does not copy safely.
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(jobs, initializer=_start, initargs=(engine_name,))

    def speak(self, jobs: Iterable[tuple[EngineOptions, str]]) -> Iterator[tuple[np.ndarray, int]]:
        """Samples and rate for each (options, text), in the order given."""
        return self._pool.imap(_speak, jobs, chunksize=1)

    def close(self) -> None:
        """Stop the workers now (after an error or Ctrl-C) or when done."""
        self._pool.terminate()
        self._pool.join()
