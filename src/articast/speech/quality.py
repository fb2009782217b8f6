"""The quality gate: a synthesised clip is checked before it is used or cached."""

from __future__ import annotations

import numpy as np

from ..models import Clip

MIN_RMS_DBFS = -45.0
"""Quieter than this over the whole clip is silence, not speech."""

MAX_CLIPPED_FRACTION = 0.005
"""More than this share of samples pinned at full scale is clipping (Piper's own peak is one sample)."""

MIN_WPM, MAX_WPM = 45.0, 420.0
"""A clip whose words a minute fall outside this range is a fragment or garbage."""


def _words(text: str) -> int:
    return max(1, len([w for w in text.split() if any(ch.isalnum() for ch in w)]))


def check_clip(clip: Clip, text: str) -> str | None:
    """None when the clip is usable; otherwise what is wrong with it, in words for the user."""
    samples = np.asarray(clip.samples, dtype=np.float32)
    seconds = len(samples) / clip.sample_rate_hz if clip.sample_rate_hz else 0.0
    if len(samples) == 0 or seconds < 0.1:
        return "came back empty"
    if not np.all(np.isfinite(samples)):
        return "came back with invalid samples"
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    if rms <= 0 or 20 * np.log10(rms) < MIN_RMS_DBFS:
        return "came back silent"
    pinned = float(np.mean(np.abs(samples) >= 0.999))
    if pinned > MAX_CLIPPED_FRACTION:
        return f"came back clipped ({pinned:.1%} of samples at full scale)"
    words = _words(text)
    wpm = words / seconds * 60
    # Short texts get slack: one word may take a second, a heading may be said slowly.
    if words >= 4 and wpm < MIN_WPM:
        return f"is too long for its text ({seconds:.1f} s for {words} words)"
    if wpm > MAX_WPM and seconds < words * 60 / MAX_WPM - 0.3:
        return f"is too short for its text ({seconds:.1f} s for {words} words)"
    return None
