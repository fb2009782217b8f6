"""The real Piper engine with the bundled joe voice."""

from __future__ import annotations

import numpy as np
import pytest

from articast import InputError
from articast.speech import EngineOptions, engine_names, get_engine

SENTENCE = "The quick brown fox jumps over the lazy dog, and then it runs all the way home."


@pytest.fixture(scope="module")
def engine():
    return get_engine("piper", EngineOptions(pace_wpm=160))


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


def test_pace_changes_the_length():
    fast = get_engine("piper", EngineOptions(pace_wpm=220)).synthesize(SENTENCE)
    slow = get_engine("piper", EngineOptions(pace_wpm=120)).synthesize(SENTENCE)
    # 220 vs 120 wpm asks for 1.83x; Piper stretches phonemes, not its fixed parts, so about 1.5x.
    assert slow.duration_ms > 1.3 * fast.duration_ms


def test_registry_names_and_errors():
    assert engine_names() == ["gtts", "piper"]
    with pytest.raises(InputError, match="choose one of: gtts, piper"):
        get_engine("nope")
    with pytest.raises(InputError, match="pace"):
        get_engine("piper", EngineOptions(pace_wpm=20))
    with pytest.raises(InputError, match="choose one of: joe"):
        get_engine("piper", EngineOptions(voice="amy"))
    with pytest.raises(InputError, match="one speaker"):
        get_engine("piper", EngineOptions(speaker="2"))
    with pytest.raises(InputError, match="no language 'xx'"):
        get_engine("gtts", EngineOptions(lang="xx"))


def test_engines_are_registered_through_entry_points():
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="articast.engines")}
    assert {"piper", "gtts"} <= names


def test_a_user_voice_file_is_loaded_with_its_own_identity(tmp_path):
    from articast.speech.piper import bundled_voice

    model, config = bundled_voice()
    mine = tmp_path / "my-voice.onnx"
    mine.symlink_to(model)
    (tmp_path / "my-voice.onnx.json").write_text(config.read_text())
    engine = get_engine("piper", EngineOptions(voice=str(mine)))
    assert engine.cache_key()["voice"].startswith("my-voice.onnx:")
    assert engine.cache_key() != get_engine("piper").cache_key()
    assert engine.synthesize("A voice of my own.").duration_ms > 500


def test_long_sentences_are_split_after_a_clause_mark_else_between_words():
    from articast.speech.piper import split_phonemes

    phonemes = list("aaaa bbbb, cccc dddd eeee ffff")
    pieces = ["".join(p) for p in split_phonemes(phonemes, 16)]
    assert pieces == ["aaaa bbbb,", "cccc dddd eeee", "ffff"]
    assert all(len(p) <= 16 for p in pieces)
    assert split_phonemes(list("short"), 16) == [list("short")]
    assert ["".join(p) for p in split_phonemes(list("x" * 40), 16)] == ["x" * 16, "x" * 16, "x" * 8]


def test_a_very_long_sentence_is_spoken_whole_with_bounded_memory(engine):
    """A 700-character sentence is said in clause-sized runs of the model: every word, in one clip."""
    from articast.speech.piper import MAX_PHONEMES

    clause = "the ferry waited at the pier while the last of the evening passengers came aboard"
    sentence = ", and ".join([clause] * 8).capitalize() + "."
    assert len(sentence) > 4 * MAX_PHONEMES
    clip = engine.synthesize(sentence)
    words = len(sentence.split())
    assert 120 <= words / (clip.duration_ms / 60000) <= 200
    # No run of silence longer than a clause pause: the pieces were joined, nothing was dropped.
    loud = np.abs(clip.samples) > 0.01
    edges = np.flatnonzero(np.diff(loud.astype(int)))
    gaps = np.diff(edges)[1::2] / 22.05 if len(edges) > 2 else np.array([0.0])
    assert gaps.max() < 600
