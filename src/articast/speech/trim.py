"""Edge trimming and click-free joins for synthesised speech."""

from __future__ import annotations

import numpy as np

from ..pcm import FADE_MS, fade_edges

__all__ = ["EDGE_KEEP_MS", "FADE_MS", "INNER_PAUSE_MS", "SILENCE_THRESHOLD", "fade_edges", "join_sentences",
           "trim_silence"]

SILENCE_THRESHOLD = 10 ** (-46 / 20)
"""Samples quieter than -46 dBFS at a clip's edges count as silence."""

EDGE_KEEP_MS = 25
"""Silence kept before the first and after the last sound, so consonants are not cut."""

INNER_PAUSE_MS = 320
"""Pause between sentences inside one segment."""


def trim_silence(samples: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    """Cut leading and trailing silence, keeping a short margin."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_THRESHOLD)
    if loud.size == 0:
        return samples[:0]
    keep = int(EDGE_KEEP_MS * sample_rate_hz / 1000)
    start = max(0, int(loud[0]) - keep)
    end = min(len(samples), int(loud[-1]) + 1 + keep)
    return samples[start:end]


def join_sentences(chunks: list[np.ndarray], sample_rate_hz: int, pause_ms: float = INNER_PAUSE_MS) -> np.ndarray:
    """Trim and fade each sentence chunk, then join them with silence in one concatenation."""
    gap = np.zeros(int(pause_ms * sample_rate_hz / 1000), dtype=np.float32)
    parts: list[np.ndarray] = []
    for chunk in chunks:
        trimmed = trim_silence(np.asarray(chunk, dtype=np.float32), sample_rate_hz)
        if trimmed.size == 0:
            continue
        if parts:
            parts.append(gap)
        parts.append(fade_edges(trimmed, sample_rate_hz))
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(parts)
