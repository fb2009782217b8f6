"""Measurements the tests share: decode with the bundled ffmpeg, loudness, true peak."""

from __future__ import annotations

import functools
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
    """Words an offline recogniser (PocketSphinx, model inside its wheel) hears in the MP3; an episode
    heard once in a run (the shared stereo one) is not heard again."""
    stat = Path(path).stat()
    return list(_recognise(str(path), stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _recognise(path: str, size: int, mtime_ns: int) -> tuple[str, ...]:
    from pocketsphinx import Decoder

    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", path, "-f", "s16le", "-ac", "1",
                          "-ar", "16000", "-"], capture_output=True, check=True).stdout
    # A narrower search than the default (at most 3,000 HMMs and 5 words a frame): 14 s instead of 21
    # for a minute of speech, the same words heard (78% of the short article's, in order).
    decoder = Decoder(samprate=16000, maxhmmpf=3000, maxwpf=5)
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return tuple(hyp.hypstr.lower().split()) if hyp else ()


def words_matched_in_order(reference: list[str], heard: list[str]) -> float:
    """Share of the reference words found in the same order in what was heard."""
    import difflib

    matcher = difflib.SequenceMatcher(a=reference, b=heard, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, len(reference))



def cues_ms(vtt: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every cue in a WebVTT file."""
    found = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)", vtt)
    return [(((int(c[0]) * 60 + int(c[1])) * 60 + int(c[2])) * 1000 + int(c[3]),
             ((int(c[4]) * 60 + int(c[5])) * 60 + int(c[6])) * 1000 + int(c[7]), c[8]) for c in found]


def lag_ms(reference: np.ndarray, at_ms: int, other: np.ndarray, other_at_ms: int, search_ms: int = 40) -> float:
    """How much later (ms) the half second of ``reference`` from ``at_ms`` is heard in ``other`` than
    ``other_at_ms`` says (cross-correlation, to the sample)."""
    window = reference[int(at_ms * 44.1): int(at_ms * 44.1) + 22050]
    start = int(other_at_ms * 44.1) - int(search_ms * 44.1)
    region = other[max(0, start): start + len(window) + 2 * int(search_ms * 44.1)]
    scores = np.correlate(region, window, mode="valid")
    return (max(0, start) + int(np.argmax(scores)) - int(other_at_ms * 44.1)) / 44.1


class ToneVoice:
    """A fast fake speech engine for unit tests of the mix: a wobbling tone per segment at 22.05 kHz.

    ``seconds_per_word`` sets the clip's length, ``amplitude(text)`` and ``pitch(text)`` its sound;
    ``name`` keeps its clips apart from other fakes' in the shared test cache.
    """

    OFFLINE = True
    PARALLEL = False
    CONCURRENT = False
    OPTIONS: dict = {}
    threads = None

    def __init__(self, name, seconds_per_word, amplitude=lambda text: 0.4, pitch=lambda text: 220.0):
        self.NAME, self._seconds, self._amplitude, self._pitch = name, seconds_per_word, amplitude, pitch

    def cache_key(self):
        return {"engine": self.NAME}

    def synthesize(self, text):
        from articast.models import Clip

        t = np.arange(int(22050 * self._seconds * len(text.split()))) / 22050
        wobble = 0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)
        tone = self._amplitude(text) * wobble * np.sin(2 * np.pi * self._pitch(text) * t)
        return Clip(tone.astype(np.float32), 22050)
