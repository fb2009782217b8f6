"""Loudness: measure with pyloudnorm (ITU-R BS.1770), apply gain, limit peaks with ffmpeg's alimiter."""

from __future__ import annotations

import logging

import numpy as np
import pyloudnorm

from ..errors import AudioError
from ..ffmpeg import run_filter

log = logging.getLogger(__name__)

TARGET_STEREO_LUFS = -16.0
"""Integrated loudness of a stereo episode (Apple's and most podcast hosts' figure)."""

TARGET_MONO_LUFS = -19.0
"""A mono file measured alone: -19 LUFS sounds as loud as -16 in stereo, as players play it on both sides."""

CEILING_DBFS = -1.5
"""Peak ceiling of the limiter, before the encoder's fixed scaling (see LAME_GAIN_DB)."""

LAME_GAIN_DB = 20 * np.log10(0.95)
"""LAME scales its input by 0.95 (-0.45 dB); measured constant at every level and frequency, so we pre-compensate."""

TOLERANCE_LU = 0.15
MAX_PASSES = 4


def target_lufs(channels: int) -> float:
    """The integrated loudness an episode with this many channels is normalised to."""
    return TARGET_STEREO_LUFS if channels >= 2 else TARGET_MONO_LUFS


def measure_lufs(samples: np.ndarray, sample_rate_hz: int) -> float:
    """Integrated loudness of float samples shaped (frames,) or (frames, channels)."""
    data = samples[:, 0] if samples.ndim == 2 and samples.shape[1] == 1 else samples
    min_frames = int(0.4 * sample_rate_hz) + 1
    if len(data) < min_frames:
        raw = np.zeros((min_frames,) + data.shape[1:], dtype=np.float32)
        raw[: len(data)] = data
        data = raw
    return float(pyloudnorm.Meter(sample_rate_hz).integrated_loudness(data))


def normalise(samples: np.ndarray, sample_rate_hz: int, target: float | None = None,
              ceiling_dbfs: float = CEILING_DBFS) -> tuple[np.ndarray, float]:
    """Gain to ``target`` LUFS (as heard after encoding) with peaks limited; returns samples and their LUFS.

    Limiting takes some loudness away, so the gain is corrected and the limiter rerun until the
    limited result is within TOLERANCE_LU of the target.
    """
    channels = samples.shape[1]
    goal = (target if target is not None else target_lufs(channels)) - LAME_GAIN_DB
    measured = measure_lufs(samples, sample_rate_hz)
    if not np.isfinite(measured):
        raise AudioError("the episode is silent: nothing to normalise")
    gain_db = goal - measured
    limit = 10 ** (ceiling_dbfs / 20)
    limited, lufs = samples, measured
    for _ in range(MAX_PASSES):
        chain = (f"volume={gain_db:.4f}dB,"
                 f"alimiter=limit={limit:.5f}:attack=5:release=60:level=disabled:latency=1")
        limited = run_filter(samples, sample_rate_hz, chain)
        lufs = measure_lufs(limited, sample_rate_hz)
        log.debug("loudness pass: gain %.2f dB -> %.2f LUFS (goal %.2f)", gain_db, lufs, goal)
        if abs(goal - lufs) <= TOLERANCE_LU:
            break
        gain_db += goal - lufs
    return limited, lufs + LAME_GAIN_DB
