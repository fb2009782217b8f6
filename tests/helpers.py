"""Measurements the tests share: decode with the bundled ffmpeg, loudness, true peak."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm

from articast.ffmpeg import ffmpeg_exe


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


def recognise(path: Path) -> list[str]:
    """Words an offline recogniser (PocketSphinx, model inside its wheel) hears in the MP3."""
    from pocketsphinx import Decoder

    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                          "-ar", "16000", "-"], capture_output=True, check=True).stdout
    decoder = Decoder(samprate=16000)
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr.lower().split() if hyp else []


def words_matched_in_order(reference: list[str], heard: list[str]) -> float:
    """Share of the reference words found in the same order in what was heard."""
    import difflib

    matcher = difflib.SequenceMatcher(a=reference, b=heard, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, len(reference))
