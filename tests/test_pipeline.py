"""End to end on the real stack: Piper, the bundled ffmpeg, mutagen reading the tags back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3, BitrateMode

from articast import Settings, produce
from articast.ingest import read_article

from .helpers import (
    ToneVoice,
    cues_ms,
    decode,
    ffmpeg_loudness,
    integrated_lufs,
    lag_ms,
    recognise,
    words_matched_in_order,
)


def _section_count(path: Path) -> int:
    return len(read_article(path).sections)


def test_episode_files_sit_together_and_nothing_temporary_remains(stereo_episode):
    folder = stereo_episode.mp3_path.parent
    names = sorted(p.name for p in folder.iterdir() if p.name != ".articast.lock")  # (the show's lock: see README)
    slug = stereo_episode.slug
    assert names == sorted([f"{slug}.mp3", f"{slug}.vtt", f"{slug}.srt", f"{slug}.chapters.json"])
    assert slug == "the-lighthouse-keeper-s-notebook"


def _frame_bitrates_kbps(path: Path) -> list[int]:
    """The bitrate each MPEG-1 Layer III frame header of the file states, after its ID3 tag."""
    data = path.read_bytes()
    pos = 10 + (data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9]) if data[:3] == b"ID3" else 0
    kbps = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
    rates = []
    while pos < len(data):
        assert data[pos] == 0xFF and data[pos + 1] & 0xFE == 0xFA, f"no frame at byte {pos}"
        rate, padding = kbps[data[pos + 2] >> 4], data[pos + 2] >> 1 & 1
        rates.append(rate)
        pos += 144_000 * rate // 44100 + padding
    return rates


def test_mp3_is_cbr_128k_stereo_44k_with_exact_duration(stereo_episode):
    info = MP3(stereo_episode.mp3_path).info
    assert info.sample_rate == 44100
    assert info.channels == 2
    rates = _frame_bitrates_kbps(stereo_episode.mp3_path)
    assert len(rates) > 1000 and set(rates) == {128}  # every frame, the header's Info frame included
    # mutagen's figure is the average over the frames' bytes. Each chunk's encoder starts its own
    # padding pattern, leaving its first frame a byte short (3-5 frames short of a one-piece encode
    # on this episode), so the average may round to 127,999.
    assert 127_998 <= info.bitrate <= 128_000
    assert info.bitrate_mode == BitrateMode.CBR
    assert info.encoder_info.startswith("LAME")
    # The LAME tag's delay and padding make mutagen's length the real one, to the sample.
    decoded = decode(stereo_episode.mp3_path, 2)
    assert abs(info.length - len(decoded) / 44100) < 0.002
    assert abs(info.length * 1000 - stereo_episode.duration_ms) < 2


@pytest.mark.slow
def test_stereo_loudness_and_true_peak(stereo_episode):
    lufs = integrated_lufs(decode(stereo_episode.mp3_path, 2))
    assert -16.5 <= lufs <= -15.5
    ff_lufs, true_peak = ffmpeg_loudness(stereo_episode.mp3_path)
    assert -16.5 <= ff_lufs <= -15.5
    assert true_peak <= -1.0


@pytest.mark.slow
def test_mono_is_64k_and_19_lufs(mono_episode):
    info = MP3(mono_episode.mp3_path).info
    assert (info.channels, info.bitrate_mode) == (1, BitrateMode.CBR)
    assert set(_frame_bitrates_kbps(mono_episode.mp3_path)) == {64}
    assert 63_998 <= info.bitrate <= 64_000  # the average over the frames' bytes, as for stereo
    lufs = integrated_lufs(decode(mono_episode.mp3_path, 1))
    assert -19.5 <= lufs <= -18.5
    _, true_peak = ffmpeg_loudness(mono_episode.mp3_path)
    assert true_peak <= -1.0


def test_pace_over_the_whole_file_is_a_podcast_pace(stereo_episode, short_article):
    words = sum(len(p.split()) for s in read_article(short_article).sections for p in s.paragraphs)
    words += sum(len(s.title.split()) for s in read_article(short_article).sections if s.title)
    words += len(read_article(short_article).title.split())
    minutes = MP3(stereo_episode.mp3_path).info.length / 60
    assert 125 <= words / minutes <= 185


def test_speech_alone_is_150_to_175_words_a_minute(stereo_episode):
    vtt = stereo_episode.vtt_path.read_text()
    cues = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)", vtt)

    def ms(h, m, s, f):
        return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)

    talking_ms = sum(ms(*c[4:8]) - ms(*c[0:4]) for c in cues)
    words = sum(len(c[8].split()) for c in cues)
    assert 150 <= words / (talking_ms / 60000) <= 175


def test_id3v23_tags_read_back(stereo_episode, short_article):
    tag = ID3(stereo_episode.mp3_path)
    assert tag.version[:2] == (2, 3)
    assert str(tag["TIT2"]) == "The Lighthouse Keeper's Notebook"
    assert str(tag["TPE1"]) == "Ada Fielding"
    assert str(tag["TALB"]) == "articast"
    assert str(tag["TCON"]) == "Podcast"
    assert str(tag["TDRC"]).startswith("2025")
    assert int(str(tag["TLEN"])) == stereo_episode.duration_ms
    comment = tag.getall("COMM")[0].text[0]
    assert comment.startswith("For forty years")
    cover = tag.getall("APIC")[0]
    assert cover.type == 3 and cover.mime == "image/jpeg" and cover.data[:3] == b"\xff\xd8\xff"
    lyrics = tag.getall("USLT")[0].text
    assert "slow conversation with the sea" in lyrics and "watched the whole world" in lyrics


def test_chapters_in_tags_match_sections_and_the_sidecar(stereo_episode, short_article):
    tag = ID3(stereo_episode.mp3_path)
    chaps = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert len(chaps) == _section_count(short_article) == 4
    titles = [str(c.sub_frames["TIT2"]) for c in chaps]
    assert titles == ["The Lighthouse Keeper's Notebook", "Weather before breakfast", "The ships that passed",
                      "What the notebook teaches"]
    assert chaps[0].start_time == 0
    assert chaps[-1].end_time == stereo_episode.duration_ms
    for a, b in zip(chaps, chaps[1:]):
        assert a.end_time == b.start_time and a.start_time < b.start_time
    (toc,) = tag.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert toc.child_element_ids == [c.element_id for c in chaps]

    doc = json.loads(stereo_episode.chapters_path.read_text())
    assert doc["version"] == "1.2.0"
    assert [c["title"] for c in doc["chapters"]] == titles
    assert [round(c["startTime"] * 1000) for c in doc["chapters"]] == [c.start_time for c in chaps]


def test_vtt_cues_follow_the_article_and_fall_in_their_chapters(stereo_episode):
    vtt = stereo_episode.vtt_path.read_text()
    assert vtt.startswith("WEBVTT\n\n")
    blocks = [b for b in vtt.split("\n\n")[1:] if b.strip()]
    times = []
    for block in blocks:
        number, timing, text = block.split("\n", 2)
        start, end = timing.split(" --> ")
        times.append((start, end))
        assert text.strip()
    assert times == sorted(times)
    assert all(s < e for s, e in times)
    assert "Weather before breakfast" in vtt
    # The first words come after the intro music has played alone for a moment.
    assert times[0][0] >= "00:00:01.500"


@pytest.mark.slow
def test_a_recogniser_hears_the_article_in_order(stereo_episode, short_article):
    article = read_article(short_article)
    text = " ".join([article.title] + [t for s in article.sections for t in ((s.title,) if s.title else ())
                                         + s.paragraphs])
    reference = re.findall(r"[a-z']+", text.lower())
    heard = recognise(stereo_episode.mp3_path)
    # PocketSphinx's small general model hears about 70% of a clear voice's words; music, mumbling
    # or segments out of order would drag this far down.
    assert words_matched_in_order(reference, heard) >= 0.55
    shuffled = reference[len(reference) // 2:] + reference[: len(reference) // 2]
    assert words_matched_in_order(shuffled, heard) < 0.5


@pytest.mark.slow
def test_no_music_starts_speaking_at_once(tmp_path, short_article):
    episode = produce(short_article, Settings(out_dir=tmp_path, music=False))
    first = episode.vtt_path.read_text().split("\n\n")[1].split("\n")[1]
    assert first.startswith("00:00:00.")
    lufs = integrated_lufs(decode(episode.mp3_path, 2))
    assert -16.5 <= lufs <= -15.5


@pytest.mark.slow
def test_user_intro_replaces_ours(tmp_path, short_article):
    # A user's intro: 4 s of a quiet 220 Hz tone made by ffmpeg itself, as WAV.
    import subprocess

    from articast.ffmpeg import ffmpeg_exe

    intro = tmp_path / "my-intro.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=4",
                    str(intro)], check=True)
    episode = produce(short_article, Settings(out_dir=tmp_path / "show", intro=intro))
    samples = decode(episode.mp3_path, 1)[:, 0]
    import numpy as np

    head = samples[: 44100 * 2]
    spectrum = np.abs(np.fft.rfft(head))
    freqs = np.fft.rfftfreq(len(head), 1 / 44100)
    assert abs(freqs[np.argmax(spectrum)] - 220) < 3


@pytest.mark.parametrize("bad", ["missing.md", "empty.txt"])
def test_bad_input_writes_nothing(tmp_path, bad):
    from articast import InputError

    (tmp_path / "empty.txt").write_text("  \n\n ")
    out = tmp_path / "show"
    with pytest.raises(InputError):
        produce(tmp_path / bad, Settings(out_dir=out))
    assert not out.exists()


def test_a_failure_while_encoding_leaves_no_partial_or_orphan_file(tmp_path, short_article, monkeypatch):
    from articast import AudioError
    from articast.audio import chunked

    class BrokenEncoder(chunked.ChunkedMp3):
        def write(self, frames):
            super().write(frames[: len(frames) // 2])  # half an MP3, then the encoder dies
            raise AudioError("encoder died")

    monkeypatch.setattr(chunked, "ChunkedMp3", BrokenEncoder)
    out = tmp_path / "show"
    with pytest.raises(AudioError):
        produce(short_article, Settings(out_dir=out, music=False))
    assert not out.exists()  # the folder produce made is gone with the failure; nothing half-written


@pytest.mark.slow
def test_an_ffmpeg_that_fails_on_a_chunk_fails_the_produce_cleanly(tmp_path, short_article, monkeypatch):
    from articast import AudioError
    from articast.audio import chunked

    class BadBitrate(chunked.ChunkedMp3):
        def _lame_command(self):
            cmd = super()._lame_command()
            cmd[cmd.index("-c:a") + 1] = "no_such_encoder"  # ffmpeg stops at once
            return cmd

    monkeypatch.setattr(chunked, "ChunkedMp3", BadBitrate)
    out = tmp_path / "show"
    with pytest.raises(AudioError, match="MP3 encoding failed"):
        produce(short_article, Settings(out_dir=out, music=False, pace_wpm=171))  # not in the cache: encoded
    assert not out.exists()


@pytest.mark.slow
def test_a_streamed_episode_longer_than_the_head_is_whole_and_at_target(tmp_path, monkeypatch, caplog):
    """Real Piper in two workers, more than the 90 s head: mixed and encoded while it is spoken."""
    import logging


    monkeypatch.setattr("articast.speech.schedule.MIN_PARALLEL_CHARS", 0)
    source = Path(__file__).parent / "data" / "streamed-article.md"
    with caplog.at_level(logging.DEBUG, logger="articast"):
        episode = produce(source, Settings(out_dir=tmp_path, jobs=2))
    messages = [r.getMessage() for r in caplog.records]
    assert any("in 2 worker processes" in m for m in messages)
    head = next(m for m in messages if m.startswith("mix head ready"))
    assert "whole episode" not in head  # the rest streamed through after the head
    samples = decode(episode.mp3_path, 2)
    assert abs(len(samples) / 44.1 - episode.duration_ms) < 2
    assert episode.duration_ms > 120_000
    assert -16.5 <= integrated_lufs(samples) <= -15.5
    _, true_peak = ffmpeg_loudness(episode.mp3_path)
    assert true_peak <= -1.0
    # Every cue's speech is where the transcript says, the last ones included (nothing dropped or shifted).
    import numpy as np

    vtt = episode.vtt_path.read_text()
    cues = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})", vtt)
    level = np.abs(samples[:, 0])
    for cue in cues[-3:]:
        start = ((int(cue[0]) * 60 + int(cue[1])) * 60 + int(cue[2])) * 1000 + int(cue[3])
        end = ((int(cue[4]) * 60 + int(cue[5])) * 60 + int(cue[6])) * 1000 + int(cue[7])
        inside = level[int(start * 44.1):int(end * 44.1)]
        assert float(np.sqrt(np.mean(inside ** 2))) > 0.02
    heard = recognise(episode.mp3_path)
    reference = re.findall(r"[a-z']+", source.read_text().lower())
    assert words_matched_in_order(reference, heard) >= 0.55


@pytest.mark.slow
def test_an_edited_sentence_is_spoken_and_encoded_alone_and_every_cue_lands_on_its_speech(
        tmp_path, monkeypatch, caplog):
    """Produce, add words to one sentence in the middle, produce again: one segment is spoken, the
    chunks the edit did not touch are reused as encoded, and the transcript still matches the audio."""
    import logging
    import shutil


    monkeypatch.setattr("articast.speech.schedule.MIN_PARALLEL_CHARS", 0)
    article = tmp_path / "streamed-article.md"
    shutil.copy(Path(__file__).parent / "data" / "streamed-article.md", article)
    settings = Settings(out_dir=tmp_path / "show", jobs=2)
    first = produce(article, settings)
    before = decode(first.mp3_path, 1)[:, 0]
    before_cues = cues_ms(first.vtt_path.read_text())
    text = article.read_text()
    cut = text.index(". ", len(text) // 2)
    article.write_text(text[:cut] + " in the end" + text[cut:])
    with caplog.at_level(logging.DEBUG, logger="articast"):
        episode = produce(article, settings)
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("speaking 1 of ") for m in messages)
    total, reused = map(int, re.search(r"encoded (\d+) chunks, (\d+) of them remembered",
                                       "\n".join(messages)).groups())
    assert total >= 3 and reused == total - 1  # the outro's chunk too: its length moves in whole seconds
    vtt = episode.vtt_path.read_text()
    assert "in the end" in vtt
    samples = decode(episode.mp3_path, 2)
    assert abs(len(samples) / 44.1 - episode.duration_ms) < 2
    assert -16.5 <= integrated_lufs(samples) <= -15.5
    # Every unedited sentence is heard exactly where its cue says, before the edit and after it, though
    # the chunks were joined at other places: its audio matches the first episode's at its cue's start.
    after = samples.mean(axis=1)
    after_cues = cues_ms(vtt)
    assert len(after_cues) == len(before_cues)
    compared = 0
    for (start_a, _, text_a), (start_b, _, text_b) in zip(before_cues[1:], after_cues[1:]):
        if text_a == text_b:
            # Each cue is rounded once to the millisecond: two episodes' cues differ by at most 1 ms.
            assert abs(lag_ms(before, start_a, after, start_b)) <= 1.1, text_a
            compared += 1
    assert compared >= len(before_cues) - 3


def test_cues_are_rounded_once_from_the_frame_where_the_speech_is_heard():
    """A cue is the nearest millisecond to where its speech is heard: the mix's exact frame is moved by
    the encoder's cuts, then rounded (rounding the mix's milliseconds first put cues up to 1 ms off)."""
    from articast.models import Cue, Mix
    from articast.pipeline import _as_heard

    class Spliced:  # a cut at frame 40 lengthens the pause by 21 frames
        frames_out = 44100 + 21

        def output_frame(self, frame):
            return frame + (21 if frame >= 40 else 0)

    frames = ((66, 150), (1000, 1100), (30, 39))
    mix = Mix(sample_rate_hz=44100, channels=1, frames=44100, chapters=(), cue_frames=frames,
              cues=tuple(Cue(round(a / 44.1), round(b / 44.1), "x") for a, b in frames))
    heard = _as_heard(mix, Spliced())
    assert [(c.start_ms, c.end_ms) for c in heard.cues] == [(2, 4), (23, 25), (1, 1)]
    assert heard.cue_frames == ((87, 171), (1021, 1121), (30, 39))  # the frames move with the cues
    for cue, (start, _end) in zip(heard.cues, frames):
        assert abs(cue.start_ms - Spliced().output_frame(start) / 44.1) <= 0.5


@pytest.mark.slow
def test_an_edit_in_the_first_half_minute_keeps_the_gain_and_the_chunks_after_it(tmp_path, monkeypatch, caplog):
    """The gain and the music level are set from the head: a word added there keeps both, so every
    chunk but the edited one (the intro's and the outro's included) is reused."""
    import logging


    voice = ToneVoice("tone", 0.4, pitch=lambda text: 150 + 10 * (sum(map(ord, text)) % 17))
    monkeypatch.setattr("articast.speech.schedule.get_engine", lambda name, options: voice)
    article = tmp_path / "a.txt"
    paragraphs = [f"Paragraph {n} says something, and it goes on with a good many more words so it is long."
                  for n in range(1, 30)]
    article.write_text("Tones\n\n" + "\n\n".join(paragraphs))
    settings = Settings(out_dir=tmp_path / "show")
    produce(article, settings)
    paragraphs[1] = paragraphs[1].replace("says", "really says")  # inside the first half minute
    article.write_text("Tones\n\n" + "\n\n".join(paragraphs))
    with caplog.at_level(logging.DEBUG, logger="articast"):
        episode = produce(article, settings)
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "(kept: the head is as loud as when it was planned)" in messages
    assert "limiter trials" not in messages
    total, reused = map(int, re.search(r"encoded (\d+) chunks, (\d+) of them remembered", messages).groups())
    assert total >= 4 and reused == total - 1
    assert -16.5 <= integrated_lufs(decode(episode.mp3_path, 2)) <= -15.5


def test_an_edited_episode_keeps_its_outro_length_while_its_share_is_close(tmp_path, monkeypatch):
    """8% of the speech, in whole seconds: 99.6 s gives 7 s. After an edit to 100.0 s (8 s by that
    rule) the outro keeps its 7 s, since 8.0 s of share is within 1.5 s of it; at 120 s (9.6 s of
    share) it follows the speech again. Another episode, or other settings, start afresh."""
    from articast.audio import memory
    from articast.audio.mix import MixSettings

    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    settings = MixSettings()
    assert memory.outro_reference("episode", settings)(99_600) == 7000
    again = memory.outro_reference("episode", settings)
    assert again(95_000) == 7000  # the head's estimate, then the whole speech: both keep it
    assert again(100_000) == 7000
    assert memory.outro_reference("other episode", settings)(100_000) == 8000
    assert memory.outro_reference("episode", MixSettings(outro_share=0.09))(100_000) == 9000
    assert memory.outro_reference("episode", settings)(120_000) == 9000
    assert memory.outro_reference("episode", settings)(119_000) == 9000  # and keeps that in turn


@pytest.mark.slow
def test_an_edit_across_the_outros_whole_second_reuses_the_outro_chunk(tmp_path, monkeypatch, caplog):
    """The example article's speech sits near 100 s, where Piper's noise alone moved its outro from
    7 to 8 s, so a one-word edit encoded the outro's chunk again. Here an edit after the head takes
    the speech from about 94 s (7 s of outro) past 100 s (8 s by the rule): the outro stays 7 s,
    and only the edited paragraph's chunk is encoded."""
    import logging

    from articast.script import build_script

    voice = ToneVoice("tone", 0.4, pitch=lambda text: 150 + 10 * (sum(map(ord, text)) % 17))
    monkeypatch.setattr("articast.speech.schedule.get_engine", lambda name, options: voice)
    article = tmp_path / "a.txt"
    paragraphs = [f"Paragraph {n} says something, and it goes on with a good many more words so it is long."
                  for n in range(1, 14)]

    def speech_s() -> float:  # what the tone voice says: 0.4 s a word
        article.write_text("Tones\n\n" + "\n\n".join(paragraphs))
        return sum(0.4 * len(s.spoken.split()) for s in build_script(read_article(article)).segments)

    before = speech_s()
    assert 87.5 <= before < 100  # 7 s of outro
    settings = Settings(out_dir=tmp_path / "show")
    produce(article, settings)
    paragraphs[9] += " More" * (int((100 - before) / 0.4) + 2)
    after = speech_s()
    assert 100 <= after < 106  # 8 s of outro by the rule; within 1.5 s of the 7 s kept
    with caplog.at_level(logging.DEBUG, logger="articast"):
        produce(article, settings)
    messages = "\n".join(r.getMessage() for r in caplog.records)
    total, reused = map(int, re.search(r"encoded (\d+) chunks, (\d+) of them remembered", messages).groups())
    assert total >= 4 and reused == total - 1  # only the edited paragraph's chunk: the outro's is found again


@pytest.mark.slow
def test_a_head_that_mispredicts_the_loudness_is_encoded_again(tmp_path, monkeypatch, caplog):
    """Loud speech for the head, then much quieter: the whole is re-encoded from the cache at the right gain."""
    import logging


    # 133 words a minute; 9 dB quieter after the head (the leveller takes back 6.7 of it)
    voice = ToneVoice("fading", 0.45, amplitude=lambda text: 0.177 if "soft" in text else 0.5)
    monkeypatch.setattr("articast.speech.schedule.get_engine", lambda name, options: voice)
    article = tmp_path / "a.txt"
    article.write_text("Fading\n\n" + "\n\n".join(
        f"Paragraph {n} is {'loud' if n <= 12 else 'soft'}, and it goes on with a good many more words so it is long."
        for n in range(1, 40)))
    with caplog.at_level(logging.DEBUG, logger="articast"):
        episode = produce(article, Settings(out_dir=tmp_path / "show", music=False))
    assert any("encoding again" in r.getMessage() for r in caplog.records)
    lufs = integrated_lufs(decode(episode.mp3_path, 2))
    assert -16.5 <= lufs <= -15.5
    # Made again, the episode keeps the corrected gain: right the first time, nothing encoded twice.
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="articast"):
        again = produce(article, Settings(out_dir=tmp_path / "show", music=False))
    assert not any("encoding again" in r.getMessage() for r in caplog.records)
    assert abs(integrated_lufs(decode(again.mp3_path, 2)) - lufs) < 0.05


def test_the_gain_is_kept_for_a_head_two_meter_steps_away_and_drift_does_not_add_up(monkeypatch):
    """ffmpeg's meter reads in 0.1 LU steps: a head up to two steps away keeps the gain unplanned; three
    plan again, a plan within 0.3 dB is kept and does not move the reference head, and one further
    off replaces the gain."""
    import numpy as np

    from articast import audio
    from articast.audio import MixSettings, loudness, memory

    heads = iter([-17.29, -17.49, -17.59, -17.49, -17.79])
    plans = []

    def plan(head, sr, goal):
        plans.append(goal)
        return 3.0 + 0.2 * len(plans)  # 3.2 first, then 3.4 (close to it), then 3.6 (not)

    monkeypatch.setattr(loudness, "head_lufs", lambda samples, sr: next(heads))
    monkeypatch.setattr(audio, "plan_gain", plan)
    head, settings = np.zeros((10, 2), np.float32), MixSettings()

    def gain():
        return memory.episode_gain(head, 44100, -16.0, "/show/episode.mp3", settings, None)

    assert gain() == (3.2, "planned")
    assert gain() == (3.2, "kept: the head is as loud as when it was planned") and len(plans) == 1  # two steps
    assert gain() == (3.2, "kept: within 0.3 dB of the plan") and len(plans) == 2  # three steps: planned, close
    assert gain() == (3.2, "kept: the head is as loud as when it was planned")  # still against -17.29
    assert gain() == (3.6, "planned") and len(plans) == 3  # five steps from the reference, 0.4 dB away


def test_the_music_level_stays_for_a_head_within_half_a_lu_and_drift_does_not_add_up():
    """An edited episode's head moves by hundredths of a LU: its music stays where it was (the intro's
    and outro's chunks are then found encoded), until the head has moved half a LU from the reference."""
    from articast.audio import MixSettings, memory

    reference = memory.music_reference("/show/episode.mp3", MixSettings())
    assert reference(-18.0) == -18.0
    assert reference(-18.3) == -18.0
    assert reference(-18.45) == -18.0  # measured against the first, not the last
    assert reference(-18.6) == -18.6  # more than half a LU away: moves
    assert reference(-18.2) == -18.6
    other = memory.music_reference("/show/another.mp3", MixSettings())
    assert other(-18.3) == -18.3  # each episode has its own
