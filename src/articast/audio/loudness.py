"""Loudness: measure with ffmpeg's ebur128 (ITU-R BS.1770), apply gain, limit peaks with its alimiter.

ffmpeg's meter is used rather than pyloudnorm because it is about ten times faster on long episodes
(14 minutes: 0.2 s against 2.5 s a pass) and runs in the same pass as the limiter; the tests check
its results independently with pyloudnorm.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from ..errors import AudioError
from ..ffmpeg import ffmpeg_exe, run_filter, run_meters
from . import memo

log = logging.getLogger(__name__)

TARGET_STEREO_LUFS = -16.0
"""Integrated loudness of a stereo episode (Apple's and most podcast hosts' figure)."""

TARGET_MONO_LUFS = -19.0
"""A mono file measured alone: -19 LUFS sounds as loud as -16 in stereo, as players play it on both sides."""

CEILING_DBFS = -1.5
"""Peak ceiling of the limiter, before the encoder's fixed scaling (see LAME_GAIN_DB)."""

LAME_GAIN_DB = 20 * np.log10(0.95)
"""LAME scales its input by 0.95 (-0.45 dB); measured constant at every level and frequency, so we pre-compensate."""

NOISE_FLOOR_DBFS = -70.0
"""A constant floor of white noise under the whole episode, in place of digital silence: some
Bluetooth headphones and speakers power their amplifier down on exact zeros and clip the first
syllable after a pause. -70 dBFS is far below the room noise of any listening place (a quiet room
is about -60 dBFS at a normal listening level) and survives LAME at 64 and 128 kb/s (measured
-71 dBFS decoded, no run of zeros longer than a few ms). See docs/how-it-works.md."""


class NoiseFloor:
    """The floor's samples, to be added before the loudness chain's ``gain_db``: the same sequence
    from the start of each stream, so a chunk of the same audio always encodes to the same MP3."""

    def __init__(self, gain_db: float, channels: int) -> None:
        # Uniform noise of amplitude a has an RMS of a / sqrt(3).
        self.amplitude = float(10 ** ((NOISE_FLOOR_DBFS - gain_db) / 20) * np.sqrt(3.0))
        self.channels = channels
        self._rng = np.random.default_rng(0)

    def under(self, pcm: np.ndarray) -> np.ndarray:
        """``pcm`` (frames, channels) with the next stretch of the floor added (a new array)."""
        noise = self._rng.random((len(pcm), self.channels), dtype=np.float32)
        noise = (noise * np.float32(2 * self.amplitude) - np.float32(self.amplitude))
        return np.asarray(pcm, dtype=np.float32).reshape(-1, self.channels) + noise


OPEN_LOOP_LU = 0.2
"""A correction smaller than this is applied without rerunning the limiter to check it."""
MAX_PASSES = 4

TRIAL_STEPS_DB = (0.0, 0.5, 1.0, 2.0)
"""Gains above the unlimited answer that the limiter is tried at, side by side in one ffmpeg.

The limiter takes 0.2-1 LU from speech that Piper peak-normalised; the gain that meets the goal is
found between two trials, where loudness is close to linear in the gain."""


def target_lufs(channels: int) -> float:
    """The integrated loudness an episode with this many channels is normalised to."""
    return TARGET_STEREO_LUFS if channels >= 2 else TARGET_MONO_LUFS


_INTEGRATED = re.compile(r"Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS")


def _integrated(log: str) -> float:
    found = _INTEGRATED.findall(log)
    if not found:
        raise AudioError("ffmpeg's loudness meter gave no reading")
    return float("-inf") if found[-1] == "-inf" else float(found[-1])


def measure_lufs(samples: np.ndarray, sample_rate_hz: int) -> float:
    """Integrated loudness of float samples shaped (frames,) or (frames, channels); -inf for silence.

    Remembered by content (see memo): the same samples are measured once.
    """
    data = samples[:, None] if samples.ndim == 1 else samples
    return memo.number(memo.digest("measure_lufs", data, sample_rate_hz, ffmpeg_exe()),
                       lambda: _measure_lufs(data, sample_rate_hz))


def _measure_lufs(data: np.ndarray, sample_rate_hz: int) -> float:
    min_frames = int(0.4 * sample_rate_hz) + 1
    if len(data) < min_frames:
        padded = np.zeros((min_frames, data.shape[1]), dtype=np.float32)
        padded[: len(data)] = data
        data = padded
    _, meter_log = run_filter(data, sample_rate_hz, "ebur128=framelog=quiet", keep_output=False)
    return _integrated(meter_log)


def speech_level_db(samples: np.ndarray, sample_rate_hz: int) -> float:
    """Level of a mono speech clip: the gated mean power of its 400 ms blocks, in dBFS; -inf when silent.

    This is the gating of ITU-R BS.1770 (blocks of 400 ms every 100 ms, an absolute gate at -70 and
    a relative gate 10 dB under the mean) without the K-weighting filter. It compares clips of one
    voice with each other, which is all the leveller needs; the episode's loudness itself is
    measured by ffmpeg's ebur128.
    """
    x = np.asarray(samples, dtype=np.float64)
    block, hop = int(0.4 * sample_rate_hz), int(0.1 * sample_rate_hz)
    if len(x) < block:
        power = np.array([np.mean(x ** 2)]) if len(x) else np.zeros(0)
    else:
        energy = np.concatenate(([0.0], np.cumsum(x ** 2)))
        starts = np.arange(0, len(x) - block + 1, hop)
        power = (energy[starts + block] - energy[starts]) / block
    power = power[power > 10 ** (-70 / 10)]
    if not power.size:
        return float("-inf")
    power = power[power > np.mean(power) * 10 ** (-10 / 10)]
    return float(10 * np.log10(np.mean(power)))


def loudness_chain(gain_db: float, ceiling_dbfs: float = CEILING_DBFS, framelog: str = "quiet") -> str:
    """ffmpeg filters that apply ``gain_db``, limit peaks and meter the result (the meter passes audio through).

    With ``framelog="info"`` the meter also logs the momentary loudness of every 100 ms.
    """
    limit = 10 ** (ceiling_dbfs / 20)
    return (f"volume={gain_db:.4f}dB,"
            f"alimiter=limit={limit:.5f}:attack=5:release=60:level=disabled:latency=1,"
            f"ebur128=framelog={framelog}")


def integrated_lufs(ffmpeg_log: str) -> float:
    """The integrated loudness in a log of ``loudness_chain``, as heard after encoding."""
    return _integrated(ffmpeg_log) + LAME_GAIN_DB


def plan_gain(samples: np.ndarray, sample_rate_hz: int, target: float | None = None,
              ceiling_dbfs: float = CEILING_DBFS) -> float:
    """The gain (dB) that brings ``samples`` to ``target`` LUFS, as heard after limiting and encoding.

    Limiting takes some loudness away, so the limiter is tried (on these samples only: the head of
    a long episode) at a few gains at once, and the gain that meets the target is read off between
    them. Remembered by content (see memo): a produce after an edit further on plans the same head
    again.
    """
    key = memo.digest("plan_gain", samples, sample_rate_hz, target, ceiling_dbfs, ffmpeg_exe(), LAME_GAIN_DB,
                      TRIAL_STEPS_DB, OPEN_LOOP_LU, MAX_PASSES)
    return memo.number(key, lambda: _plan_gain(samples, sample_rate_hz, target, ceiling_dbfs))


def head_lufs(samples: np.ndarray, sample_rate_hz: int) -> float:
    """Loudness of samples (frames, channels), before any gain; equal channels are measured once, as mono.

    The mix measures one channel of the head for the music's level; this is that same reading,
    remembered, when the head is speech alone.
    """
    mono = _one_channel(samples)
    if mono is None:
        return measure_lufs(samples, sample_rate_hz)
    return measure_lufs(mono[:, 0], sample_rate_hz) + 10 * np.log10(samples.shape[1])


def _one_channel(samples: np.ndarray) -> np.ndarray | None:
    """The one channel of samples whose channels are all the same (speech alone), else None."""
    first = samples[:, 0]
    if all(np.array_equal(first, samples[:, c]) for c in range(1, samples.shape[1])):
        return np.ascontiguousarray(first)[:, None]
    return None


_BLOCK = re.compile(r"\[Parsed_ebur128_(\d+) @ [^\]]+\] t:\s*[\d.]+\s+TARGET:\S+ LUFS\s+M:\s*(-inf|-?[\d.]+)")


def _trial_loudness(meter_log: str) -> list[float]:
    """Each meter's integrated loudness, in the order the chains were given, gated from its logged blocks."""
    blocks: dict[int, list[float]] = {}
    for meter, value in _BLOCK.findall(meter_log):
        blocks.setdefault(int(meter), []).append(float(value))
    return [gated_loudness(np.array(blocks[meter])) for meter in sorted(blocks)]


def gated_loudness(momentary_lufs: np.ndarray) -> float:
    """Integrated loudness from momentary (400 ms) block loudness, gated as ITU-R BS.1770-4 gates it."""
    m = np.asarray(momentary_lufs, dtype=np.float64)
    m = m[np.isfinite(m) & (m > -70.0)]
    if not m.size:
        return float("-inf")
    power = 10 ** (m / 10)  # the meter's -0.691 offset cancels: it is in every block
    relative_gate = 10 * np.log10(np.mean(power)) - 10.0
    return float(10 * np.log10(np.mean(power[m > relative_gate])))


def _plan_gain(samples: np.ndarray, sample_rate_hz: int, target: float | None, ceiling_dbfs: float) -> float:
    goal = (target if target is not None else target_lufs(samples.shape[1])) - LAME_GAIN_DB
    measured = head_lufs(samples, sample_rate_hz)
    mono = _one_channel(samples)
    if mono is not None:
        # Equal channels are limited alike and each adds the same loudness: plan on one, half the work.
        goal -= 10 * np.log10(samples.shape[1])
        measured -= 10 * np.log10(samples.shape[1])
        samples = mono
    if not np.isfinite(measured):
        raise AudioError("the episode is silent: nothing to normalise")
    base = goal - measured
    gains = [base + step for step in TRIAL_STEPS_DB]
    meter_log = run_meters(samples, sample_rate_hz, [loudness_chain(g, ceiling_dbfs, framelog="info") for g in gains])
    heard = _trial_loudness(meter_log)
    if len(heard) != len(gains) or not all(np.isfinite(heard)):
        raise AudioError("ffmpeg's loudness meter gave no reading")
    log.debug("limiter trials: %s", ", ".join(f"{g:.2f} dB -> {h:.2f}" for g, h in zip(gains, heard)))
    for (g1, h1), (g2, h2) in zip(zip(gains, heard), zip(gains[1:], heard[1:])):
        if h1 <= goal <= h2:
            return g1 + (goal - h1) * (g2 - g1) / (h2 - h1) if h2 > h1 else g1
    if goal < heard[0]:  # the limiter took nothing: plain gain
        return gains[0] + goal - heard[0]
    gain_db = gains[-1] + goal - heard[-1]  # the limiter takes more than the trials span: iterate from there
    for _ in range(MAX_PASSES):
        _, meter_log = run_filter(samples, sample_rate_hz, loudness_chain(gain_db, ceiling_dbfs), keep_output=False)
        lufs = _integrated(meter_log)
        log.debug("loudness pass: gain %.2f dB -> %.2f LUFS (goal %.2f)", gain_db, lufs, goal)
        gain_db += goal - lufs
        if abs(goal - lufs) <= OPEN_LOOP_LU:
            break
    return gain_db


def normalise(samples: np.ndarray, sample_rate_hz: int, target: float | None = None,
              ceiling_dbfs: float = CEILING_DBFS) -> tuple[np.ndarray, float]:
    """Samples brought to ``target`` LUFS (as heard after encoding) with peaks limited, and their LUFS."""
    gain_db = plan_gain(samples, sample_rate_hz, target, ceiling_dbfs)
    limited, meter_log = run_filter(samples, sample_rate_hz, loudness_chain(gain_db, ceiling_dbfs))
    assert limited is not None  # (kept: keep_output is on)
    return limited, integrated_lufs(meter_log)
