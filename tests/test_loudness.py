"""Loudness normalisation with a limiter, on synthetic speech-like signals."""

from __future__ import annotations

import numpy as np
import pytest

from articast.audio.loudness import LAME_GAIN_DB, measure_lufs, normalise


def bursts(seconds: float = 20.0, sr: int = 44100) -> np.ndarray:
    """Noise bursts with sharp peaks: a crest factor like Piper's full-scale speech."""
    rng = np.random.default_rng(1)
    n = int(seconds * sr)
    env = (np.sin(np.arange(n) / sr * 2 * np.pi * 2.5) > 0).astype(np.float32)
    x = rng.standard_normal(n).astype(np.float32) * 0.05 * env
    x[::4410] = 1.0  # a full-scale click every 0.1 s
    return x


@pytest.mark.slow
def test_stereo_reaches_target_with_peaks_under_the_ceiling():
    x = bursts()
    stereo = np.stack([x, x], axis=1)
    out, lufs = normalise(stereo, 44100)
    assert abs(lufs - (-16.0)) <= 0.2
    # What goes to the encoder is louder by exactly LAME's fixed 0.95 scaling.
    assert abs(measure_lufs(out, 44100) + LAME_GAIN_DB - (-16.0)) <= 0.2
    assert 20 * np.log10(np.max(np.abs(out))) <= -1.49


def test_mono_target_is_19():
    x = bursts()[:, None]
    out, lufs = normalise(x, 44100)
    assert abs(lufs - (-19.0)) <= 0.2
    assert out.shape == x.shape


@pytest.mark.slow
def test_an_episode_has_a_constant_floor_and_never_digital_silence(stereo_episode, mono_episode):
    from articast.audio.loudness import NOISE_FLOOR_DBFS

    from .helpers import decode

    for episode, channels in ((stereo_episode, 2), (mono_episode, 1)):
        samples = decode(episode.mp3_path, channels)
        zero = np.all(samples.reshape(len(samples), -1) == 0.0, axis=1).astype(np.int8)
        edges = np.diff(np.concatenate(([0], zero, [0])))
        runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
        # (An amplifier powers down after hundreds of ms; LAME now and then decodes a granule's few ms as zeros.)
        assert runs.max(initial=0) <= 441, "a stretch of exact zeros longer than 10 ms"  # (44.1 kHz)
        window = 4410  # the quietest 100 ms (a pause between paragraphs) sits on the floor
        levels = [20 * np.log10(np.sqrt(np.mean(samples[i:i + window] ** 2)) + 1e-12)
                  for i in range(0, len(samples) - window, window)]
        assert NOISE_FLOOR_DBFS - 6 < min(levels) < NOISE_FLOOR_DBFS + 6, min(levels)
