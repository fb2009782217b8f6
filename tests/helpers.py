"""Measurements the tests share: decode with the bundled ffmpeg, loudness, true peak."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm

from articast.audio.ffmpeg import ffmpeg_exe


def decode(path: Path, channels: int) -> np.ndarray:
    """The MP3's samples as float32 (frames, channels) at 44.1 kHz."""
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", str(channels),
                          "-ar", "44100", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, channels)


def integrated_lufs(samples: np.ndarray) -> float:
    data = samples[:, 0] if samples.shape[1] == 1 else samples
    return float(pyloudnorm.Meter(44100).integrated_loudness(data))


def ffmpeg_loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by ffmpeg's ebur128 filter, oversampled true peak."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af",
                             "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, check=True)
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", result.stderr)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", result.stderr)[-1])
    return integrated, peak
