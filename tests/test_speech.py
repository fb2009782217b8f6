"""The real Piper engine with the bundled joe voice."""

from __future__ import annotations

import numpy as np
import pytest

from articast import InputError
from articast.speech import engine_names, get_engine

SENTENCE = "The quick brown fox jumps over the lazy dog, and then it runs all the way home."


@pytest.fixture(scope="module")
def engine():
    return get_engine("piper", pace_wpm=165)


def test_piper_speaks_a_plausible_clip(engine):
    clip = engine.synthesize(SENTENCE)
    assert clip.sample_rate_hz == 22050
    assert clip.samples.dtype == np.float32
    seconds = clip.duration_ms / 1000
    words = len(SENTENCE.split())
    assert 100 <= words / seconds * 60 <= 230
    rms = float(np.sqrt(np.mean(clip.samples ** 2)))
    assert rms > 0.02
    assert abs(clip.samples[0]) < 0.01 and abs(clip.samples[-1]) < 0.01


def test_pace_changes_the_length(engine):
    fast = get_engine("piper", pace_wpm=220).synthesize(SENTENCE)
    slow = engine.synthesize(SENTENCE)
    # 220 vs 165 wpm is 1.33x; Piper's duration noise makes one sentence land near 1.2x.
    assert slow.duration_ms > 1.12 * fast.duration_ms


def test_registry_names_and_errors():
    assert "piper" in engine_names()
    with pytest.raises(InputError, match="choose one of: piper"):
        get_engine("nope")
    with pytest.raises(InputError, match="pace"):
        get_engine("piper", pace_wpm=20)
