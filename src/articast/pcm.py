"""Small operations on PCM samples that more than one stage needs (speech trims and fades its clips;
audio fades a clip it resampled). Here, so that neither stage imports the other for them."""

from __future__ import annotations

import numpy as np

FADE_MS = 6
"""Fade at each edge so a clip never starts or stops on a non-zero sample (no click)."""


def fade_edges(samples: np.ndarray, sample_rate_hz: int, fade_ms: float = FADE_MS) -> np.ndarray:
    """Raised-cosine fade in and out over ``fade_ms`` (in place on a float copy)."""
    out = np.array(samples, dtype=np.float32, copy=True)
    n = min(int(fade_ms * sample_rate_hz / 1000), len(out) // 2)
    if n > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))).astype(np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out
