"""Timeline maths with synthetic clips: positions, pauses, chapter marks, music, click-free edges."""

from __future__ import annotations

import numpy as np
import pytest

from articast.audio.mix import MixSettings, Music, load_music, mix_episode, mix_to_array
from articast.models import Article, Clip, Section
from articast.script import build_script
from articast.speech.trim import fade_edges, join_sentences, trim_silence

SR = 44100


def tone(seconds: float, sr: int = 22050, freq: float = 300.0) -> Clip:
    t = np.arange(int(seconds * sr)) / sr
    return Clip(samples=(0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32), sample_rate_hz=sr)


def script_of_three():
    article = Article(title="T", sections=(Section(None, ("One. Two.",)), Section("B", ("Three.",))))
    return build_script(article)  # segments: title, "One.", "Two.", heading B, "Three."


def test_cues_follow_pauses_and_chapters_cover_the_whole_mix():
    script = script_of_three()
    clips = [tone(1.0), tone(2.0), tone(0.7), tone(0.5), tone(1.5)]
    s = MixSettings(channels=2)
    samples, mix = mix_to_array(script, clips, Music(), s)
    starts = [c.start_ms for c in mix.cues]
    ends = [c.end_ms for c in mix.cues]
    assert starts[0] == 400  # no music: a short breath before the first word
    assert starts[1] - ends[0] == s.paragraph_pause_ms  # title -> body
    assert starts[2] - ends[1] == s.sentence_pause_ms  # one sentence -> the next
    assert starts[3] - ends[2] == s.chapter_pause_ms  # end of chapter 1
    assert starts[4] - ends[3] == s.paragraph_pause_ms  # heading -> body
    assert [round(e - st) for st, e in zip(starts, ends)] == [1000, 2000, 700, 500, 1500]
    assert [c.title for c in mix.chapters] == ["T", "B"]
    assert mix.chapters[0].start_ms == 0
    assert mix.chapters[1].start_ms == starts[3] - 300
    assert mix.chapters[-1].end_ms == mix.duration_ms
    assert samples.shape == (mix.frames, 2) and mix.sample_rate_hz == SR


def test_mono_mix_and_resampling_keep_durations():
    script = script_of_three()
    clips = [tone(1.0, sr=24000) for _ in script.segments]
    samples, mix = mix_to_array(script, clips, Music(), MixSettings(channels=1))
    assert samples.shape[1] == 1
    assert all(abs((c.end_ms - c.start_ms) - 1000) <= 1 for c in mix.cues)


def test_music_plays_before_the_words_and_after_them():
    script = script_of_three()
    clips = [tone(1.0) for _ in script.segments]
    music = load_music()
    samples, mix = mix_to_array(script, clips, music, MixSettings())
    first, last = mix.cues[0], mix.cues[-1]
    assert first.start_ms >= 1500
    x = samples[:, 0]

    def rms(a_ms, b_ms):
        seg = x[int(a_ms * SR / 1000):int(b_ms * SR / 1000)]
        return float(np.sqrt(np.mean(seg ** 2)))

    assert rms(200, first.start_ms - 200) > 0.01  # intro alone
    assert rms(last.end_ms + 1000, last.end_ms + 2500) > 0.01  # outro after the last words
    assert mix.duration_ms > last.end_ms + 3000
    # The intro is ducked under the first words: quieter in the first paragraph pause than before speech.
    pause_start = mix.cues[0].end_ms + 100
    assert rms(pause_start, pause_start + 400) < 0.5 * rms(500, first.start_ms - 600)


def test_edges_are_click_free():
    # A clip cut mid-waveform starts and ends on 0.8: unfaded, that step is a click.
    t = np.arange(22050) / 22050
    raw = (0.8 * np.cos(2 * np.pi * 200 * t)).astype(np.float32)
    smooth_step = 0.8 * 2 * np.pi * 200 / 22050  # the largest step the tone itself takes
    faded = fade_edges(trim_silence(raw, 22050), 22050)
    assert abs(faded[0]) < 1e-3 and abs(faded[-1]) < 1e-3
    joined = join_sentences([raw, raw], 22050)
    assert np.max(np.abs(np.diff(joined))) <= smooth_step * 1.05


def test_mismatched_clip_count_is_an_error():
    from articast import AudioError

    with pytest.raises(AudioError):
        mix_to_array(script_of_three(), [tone(1.0)], Music())


def _one_paragraph(seconds: list[float]):
    article = Article(title=None, sections=(Section(None, (" ".join(f"Sentence {i}." for i in range(len(seconds))),)),))
    return build_script(article), [tone(t) for t in seconds]


@pytest.mark.slow
def test_the_outro_keeps_its_length_when_an_edit_lengthens_the_speech_a_little():
    """8% of 100 s of speech is 8 s of outro; 0.3 s more speech leaves it, and its samples, as they were."""
    music = load_music()
    tails = []
    for extra in (0.0, 0.3):
        script, clips = _one_paragraph([10.0] * 9 + [10.0 + extra])
        samples, mix = mix_to_array(script, clips, music, MixSettings())
        tails.append(samples[round(mix.cues[-1].end_ms * SR / 1000):])  # the outro, after the last word
    assert len(tails[0]) == len(tails[1]) > 7 * SR
    assert np.array_equal(tails[0], tails[1])


@pytest.mark.slow
def test_the_outro_is_shaped_once_when_the_speech_runs_as_long_as_expected(monkeypatch):
    """Shaped when the head is mixed, at the length the expected speech gives it, so the end of the
    episode does not wait on it; shaped again only when the speech changes that length."""
    from articast.audio import mix as mix_module

    shaped: list[int] = []
    real = mix_module._shape_outro

    def counted(outro, sr, rise_ms, s, gain_db):
        shaped.append(len(outro))
        return real(outro, sr, rise_ms, s, gain_db)

    monkeypatch.setattr(mix_module, "_shape_outro", counted)
    music = load_music()
    for lengths, times in (([10.0] * 10, 1), ([10.0] * 3 + [30.0] * 7, 2)):
        # Both heads are three 10 s sentences of ten alike, so 100 s of speech is expected: 8 s of
        # outro. The first says 100 s; the second 240 s, which gets all 8.1 s: shaped again.
        shaped.clear()
        script, clips = _one_paragraph(lengths)
        samples, mix = mix_to_array(script, clips, music, MixSettings())
        assert len(shaped) == times
        tail = samples[round(mix.cues[-1].end_ms * SR / 1000):]
        assert len(tail) >= shaped[-1] - round(0.4 * SR)  # the outro plays to its end


def test_the_music_is_set_against_the_speech_reference_the_caller_gives():
    """The pipeline keeps an edited episode's music level: given the same reference, a louder head
    leaves the intro sample for sample as it was; without one, the intro follows the head."""
    music = load_music()
    unlevelled = MixSettings(speech_level_db=None)

    def intro(amplitude: float, reference) -> np.ndarray:
        script, _ = _one_paragraph([3.0] * 4)
        clips = [Clip(c.samples * amplitude, c.sample_rate_hz) for c in (tone(3.0) for _ in range(4))]
        parts: list[np.ndarray] = []

        class Collect:
            def write(self, frames):
                parts.append(np.array(frames))

        mix = mix_episode(script, clips, music, unlevelled, lambda head, shift_db: Collect(), reference)
        return np.concatenate(parts)[: round(mix.cues[0].start_ms * SR / 1000) - SR // 2]  # music alone

    fixed = lambda measured: -14.0  # noqa: E731
    assert np.array_equal(intro(1.0, fixed), intro(0.8, fixed))
    assert not np.allclose(intro(1.0, None), intro(0.8, None), atol=1e-3)


def test_the_music_is_shaped_once_at_full_level_and_each_article_sets_only_its_gain(monkeypatch, tmp_path):
    """pydub's fades are remembered at full level: another article (another gain) multiplies them
    and does not fade again; the result is the fade with the gain inside pydub, to int16 rounding."""
    from articast.audio import mix as mix_module

    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    music, s = load_music(), MixSettings()
    real = mix_module._to_segment
    fades: list[int] = []

    def counted(samples, sr):
        fades.append(len(samples))
        return real(samples, sr)

    monkeypatch.setattr(mix_module, "_to_segment", counted)
    first = mix_module._shape_intro(music.intro, SR, 3000, s, -6.0)
    outro = mix_module._shape_outro(music.outro[: 8 * SR], SR, 700, s, -6.0)
    assert len(fades) == 2
    again = mix_module._shape_intro(music.intro, SR, 3000, s, -12.0)
    outro_again = mix_module._shape_outro(music.outro[: 8 * SR], SR, 700, s, -12.0)
    assert len(fades) == 2  # nothing faded again
    assert np.allclose(again, first * np.float32(10 ** (-6 / 20)), atol=1e-6)
    assert np.allclose(outro_again, outro * np.float32(10 ** (-6 / 20)), atol=1e-6)
    mix_module._shape_intro(music.intro, SR, 2500, s, -6.0)  # speech starts elsewhere: a new shape
    assert len(fades) == 3

    # The same fades with the gain applied inside pydub first, as a one-off shaping would.
    seg = real(music.intro, SR).apply_gain(-12.0).fade(to_gain=s.duck_db, start=2500, end=3100)[:6500]
    reference = np.frombuffer(seg.fade_out(3400).raw_data, dtype="<i2").reshape(-1, 2) / 32767.0
    assert again.shape == reference.shape
    assert np.abs(again - reference).max() < 1e-4  # about 3 int16 steps, -80 dBFS
    assert np.abs(again[SR // 2: SR]).max() > 0.01  # and it is music, not silence
