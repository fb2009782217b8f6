"""The timeline: speech clips with pauses that follow the text, intro and outro music mixed under it.

The mix streams: clips are placed one after another as they arrive and finished audio is handed to
a sink (the MP3 encoder) a few seconds behind the newest clip, so memory does not grow with the
episode. Only the head (the first half minute of speech) is held back, because the music
level, the intro's timing and the loudness gain are all decided from it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import AudioError
from ..ffmpeg import decode_to_pcm, ffmpeg_exe, pydub_audio_segment
from ..models import ChapterMark, Clip, Cue, Mix, Pause, Script
from ..pcm import fade_edges
from . import memo
from .loudness import measure_lufs, speech_level_db

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 44100

HEAD_SPEECH_MS = 30_000
"""Speech held back before anything is written: it sets the music level and the loudness gain.

Every clip is levelled, so half a minute of speech predicts the loudness of the rest; the smaller
the head, the sooner the encoder starts beside the voice."""

FLUSH_BEHIND_MS = 1000
"""Audio this far before the newest clip is final (the outro starts at most 400 ms before the end)."""

MIN_WRITE_MS = 5000
"""Finished audio is handed to the sink in pieces of at least this length."""


@dataclass(frozen=True)
class MixSettings:
    """How speech and music are laid out; times in milliseconds."""

    channels: int = 2
    """2 for stereo, 1 for mono."""

    sample_rate_hz: int = SAMPLE_RATE_HZ
    """Sample rate of the episode."""

    sentence_pause_ms: int = 300
    """Silence after a sentence."""

    paragraph_pause_ms: int = 700
    """Silence after a paragraph or a heading."""

    chapter_pause_ms: int = 1200
    """Silence after a chapter's last words."""

    intro_lead_ms: int = 2500
    """Music heard alone before the first words."""

    short_episode_ms: int = 90_000
    """Speech shorter than this gets a shorter musical frame, so music does not swamp a short piece."""

    short_intro_lead_ms: int = 1800
    """Music alone before the first words of a short episode."""

    outro_share: float = 0.08
    """The outro plays for at most this share of the speech's length..."""

    min_outro_ms: int = 3500
    """...but never less than this (and never more than the music itself or max_music_ms)."""

    music_under_speech_lu: float = 5.0
    """Music at full level sits this far below the speech."""

    duck_db: float = -16.0
    """Music gain while the voice talks over it."""

    max_music_ms: int = 15000
    """User music longer than this is cut with a fade."""

    speech_level_db: float | None = -20.0
    """Every clip is levelled to this gated level (dBFS) before mixing; None keeps the engine's levels.

    Piper scales each sentence to full-scale peaks, so its sentences differ in loudness by a decibel
    or two; levelling evens that out and makes the loudness of the head predict the whole episode."""

    max_level_change_db: float = 6.0
    """The leveller never moves a clip by more than this."""


@dataclass(frozen=True)
class Music:
    """Intro and outro as float32 (frames, 2) at the episode's rate; either may be absent."""

    intro: np.ndarray | None = None
    outro: np.ndarray | None = None


def _data_file(name: str) -> Path:
    return Path(str(resources.files("articast") / "data" / name))


def load_music(intro: Path | None = None, outro: Path | None = None, *, enabled: bool = True,
               sample_rate_hz: int = SAMPLE_RATE_HZ) -> Music:
    """Decode the intro and outro (ours when not given) with the bundled ffmpeg, or recall them decoded."""
    if not enabled:
        return Music()
    intro_path = Path(intro) if intro else _data_file("intro.mp3")
    outro_path = Path(outro) if outro else _data_file("outro.mp3")
    return Music(intro=_decoded(intro_path, sample_rate_hz), outro=_decoded(outro_path, sample_rate_hz))


def _decoded(path: Path, sample_rate_hz: int) -> np.ndarray:
    """A music file as float32 (frames, 2), remembered by the file's path, size and time."""
    try:
        stat = path.stat()
    except OSError:
        return decode_to_pcm(path, sample_rate_hz, 2)  # says what is wrong with the file
    key = memo.digest("decode", str(path.resolve()), stat.st_size, stat.st_mtime_ns, sample_rate_hz, 2, ffmpeg_exe())
    return memo.array(key, lambda: decode_to_pcm(path, sample_rate_hz, 2))


def _to_segment(samples: np.ndarray, sample_rate_hz: int):
    AudioSegment = pydub_audio_segment()
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    return AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=sample_rate_hz, channels=samples.shape[1])


def _shaped(name: str, track: np.ndarray, sr: int, at_ms: int, s: MixSettings, gain_db: float,
            shape: Callable[[Any], Any]) -> np.ndarray:
    """``track`` shaped by ``shape`` (pydub's gain automation on an AudioSegment), then set ``gain_db``.

    The shape is remembered at full level, so every article with this music and these settings
    shares it; only the gain, a multiplication, is the article's own. pydub fades a millisecond at a
    time: the intro and outro took 0.05 s of the command's time on every run, after the first half
    minute of speech, where a warm run waits on it (remembered: 5 ms). Warm example, interleaved:
    medians 1.109 s against 1.137 and 1.127 against 1.151 (16 runs each). The gain applied after
    the fades instead of before them moves no sample by more than 6e-5 (two int16 steps).
    """
    # The shape's own code and numbers are part of the key: a changed fade is never served from an old one.
    code = shape.__code__
    key = memo.digest(f"shaped-{name}", track, sr, at_ms, s.duck_db, code.co_code, code.co_consts)
    pcm = memo.array(key, lambda: np.frombuffer(shape(_to_segment(track, sr)).raw_data, dtype="<i2")
                     .reshape(-1, track.shape[1]))
    return pcm.astype(np.float32) * np.float32(10 ** (gain_db / 20) / 32767.0)


def _shape_intro(intro: np.ndarray, sr: int, speech_start_ms: int, s: MixSettings, gain_db: float) -> np.ndarray:
    """Full level, then duck under the first words and fade away (pydub's gain automation)."""

    def shape(seg):
        total_ms = len(seg)
        duck_start = max(0, speech_start_ms - 500)
        duck_end = min(total_ms, speech_start_ms + 100)
        if duck_end > duck_start:
            seg = seg.fade(to_gain=s.duck_db, start=duck_start, end=duck_end)
        end_ms = min(total_ms, speech_start_ms + 3500)
        seg = seg[:end_ms]
        fade_ms = max(10, end_ms - duck_end)
        return seg.fade_out(min(fade_ms, len(seg)))

    return _shaped("intro", intro, sr, speech_start_ms, s, gain_db, shape)


def _shape_outro(outro: np.ndarray, sr: int, rise_ms: int, s: MixSettings, gain_db: float) -> np.ndarray:
    """Rise from under the last words to full level, play out, fade at the end."""

    def shape(seg):
        seg = seg.fade(from_gain=s.duck_db, to_gain=0, start=0, end=min(rise_ms, len(seg)))
        return seg.fade_out(min(2500, len(seg) - rise_ms))

    return _shaped("outro", outro, sr, rise_ms, s, gain_db, shape)


class Sink(Protocol):
    """Where finished audio goes, in order: float32 frames shaped (frames, channels)."""

    def write(self, frames: np.ndarray) -> None:
        """Take the next frames of the episode."""


StartSink = Callable[[np.ndarray, float], Sink]
"""Called once with audio to plan the gain on and a loudness offset (dB); returns the sink.

For an episode that fits in the head the audio is the whole mix and the offset 0. Otherwise it is
the head's speech alone, and the offset is how much the music at both ends is expected to lower
the whole episode's integrated loudness (it is quieter than the voice): the speech is aimed that
much higher."""


def _prepared(clip: Clip, s: MixSettings) -> np.ndarray:
    """A clip levelled, resampled to the episode's rate and faded at its edges."""
    samples = np.asarray(clip.samples, dtype=np.float32)
    if s.speech_level_db is not None:
        level = speech_level_db(samples, clip.sample_rate_hz)
        if np.isfinite(level):
            change = min(s.max_level_change_db, max(-s.max_level_change_db, s.speech_level_db - level))
            samples = samples * np.float32(10 ** (change / 20))
    return _resampled(samples, clip.sample_rate_hz, s.sample_rate_hz)


def _resampled(samples: np.ndarray, rate_hz: int, sample_rate_hz: int) -> np.ndarray:
    if rate_hz != sample_rate_hz and len(samples):
        import soxr

        samples = soxr.resample(samples, rate_hz, sample_rate_hz).astype(np.float32, copy=False)
    return fade_edges(samples, sample_rate_hz, fade_ms=3)


def _pause_ms(pause: Pause, s: MixSettings) -> int:
    return {Pause.SENTENCE: s.sentence_pause_ms, Pause.PARAGRAPH: s.paragraph_pause_ms,
            Pause.CHAPTER: s.chapter_pause_ms, Pause.END: 0}[pause]


def outro_max_ms(speech_ms: float, s: MixSettings) -> int:
    """How long the outro may play after this much speech, in whole seconds of its share.

    Whole seconds, so an edit that lengthens the speech by a few seconds leaves the outro (and its
    encoded chunk) as it was: a continuous share moved it by milliseconds with every edit."""
    share_ms = int(s.outro_share * speech_ms) // 1000 * 1000
    return min(s.max_music_ms, max(s.min_outro_ms, share_ms))


def _music_gain_db(music: np.ndarray, sr: int, speech_lufs_out: float, s: MixSettings, channels: int) -> float:
    probe = music if channels == 2 else music.mean(axis=1, keepdims=True)
    lufs = measure_lufs(probe, sr)
    if not np.isfinite(lufs):
        return 0.0
    return (speech_lufs_out - s.music_under_speech_lu) - lufs


class _Window:
    """The part of the episode not yet written: frames [base, end), added into in place."""

    def __init__(self, channels: int) -> None:
        self.base = 0
        self.end = 0
        self._buf = np.zeros((1 << 16, channels), dtype=np.float32)

    def add(self, at: int, samples: np.ndarray) -> None:
        """Mix mono (n,) or (n, channels) samples in at absolute frame ``at``."""
        if at < self.base:
            raise AudioError(f"internal: audio placed at frame {at}, before the written part ({self.base})")
        self.extend(at + len(samples))
        view = self._buf[at - self.base: at - self.base + len(samples)]
        view += samples[:, None] if samples.ndim == 1 else samples

    def extend(self, end: int) -> None:
        """Make the window reach ``end`` (new frames are silence)."""
        if end - self.base > len(self._buf):
            grown = np.zeros((max(end - self.base, 2 * len(self._buf)), self._buf.shape[1]), dtype=np.float32)
            grown[: self.end - self.base] = self._buf[: self.end - self.base]
            self._buf = grown
        self.end = max(self.end, end)

    def view(self, start: int, stop: int) -> np.ndarray:
        """Frames [start, stop) still held (not a copy)."""
        return self._buf[max(0, start - self.base): max(0, min(stop, self.end) - self.base)]

    def take(self, upto: int) -> np.ndarray:
        """Remove and return frames [base, upto)."""
        n = max(0, min(upto, self.end) - self.base)
        held = self.end - self.base
        out = self._buf[:n].copy()
        self._buf[: held - n] = self._buf[n:held]
        self._buf[held - n: held] = 0.0
        self.base += n
        return out


SpeechReference = Callable[[float], float]
"""Given the head's speech loudness (LUFS, as mixed), the loudness the music level is set against."""

OutroLength = Callable[[float], int]
"""Given the episode's speech (ms), how long the outro may play (ms); by default ``outro_max_ms``."""


def mix_episode(script: Script, clips: Iterable[Clip], music: Music, settings: MixSettings,
                start: StartSink, speech_reference: SpeechReference | None = None,
                outro_length: OutroLength | None = None) -> Mix:
    """Place every clip after the pause its text calls for, with music under the start and end.

    ``clips`` are consumed in order, one per segment, as they arrive; finished audio goes to the
    sink that ``start`` returns. Nothing but the head and the last few seconds is held in memory.
    The music sits ``music_under_speech_lu`` under the head's speech, or under what
    ``speech_reference`` makes of it (the pipeline keeps an edited episode's music where it was).
    The outro plays for what ``outro_length`` gives (the pipeline keeps an edited episode's).
    """
    segments = script.segments
    s, sr = settings, settings.sample_rate_hz
    if outro_length is None:
        def outro_length(speech_ms: float) -> int:
            return outro_max_ms(speech_ms, s)

    def frames(ms: float) -> int:
        return int(round(ms * sr / 1000))

    incoming = iter(clips)
    head: list[np.ndarray] = []
    head_frames = 0
    complete = False
    while head_frames < frames(HEAD_SPEECH_MS):
        clip = next(incoming, None)
        if clip is None:
            complete = True
            break
        if len(head) >= len(segments):
            raise AudioError(f"{len(segments)} segments but more clips than that")
        head.append(_prepared(clip, s))
        head_frames += len(head[-1])
    if complete and len(head) != len(segments):
        raise AudioError(f"{len(segments)} segments but {len(head)} clips")
    if complete and not head_frames:
        raise AudioError("the speech engine returned only silence")

    speech_frames = head_frames
    if complete:
        expected_speech_ms = speech_frames * 1000 / sr
    else:  # the rest of the text will take about as long per character as the head did
        head_chars = sum(len(segment.spoken) for segment in segments[: len(head)])
        total_chars = sum(len(segment.spoken) for segment in segments)
        expected_speech_ms = speech_frames * 1000 / sr * total_chars / max(1, head_chars)
    short = expected_speech_ms < s.short_episode_ms
    intro_ms = len(music.intro) * 1000 // sr if music.intro is not None else 0
    lead_ms = s.short_intro_lead_ms if short else s.intro_lead_ms
    start_ms = min(lead_ms, max(0, intro_ms - 1000)) if music.intro is not None else 400

    window = _Window(s.channels)
    cues: list[Cue] = []
    cue_frames: list[tuple[int, int]] = []
    cursor = frames(start_ms)
    last_at = last_len = 0

    def place(samples: np.ndarray, number: int) -> None:
        nonlocal cursor, last_at, last_len
        segment = segments[number]
        window.add(cursor, samples)
        cues.append(Cue(start_ms=round(cursor * 1000 / sr), end_ms=round((cursor + len(samples)) * 1000 / sr),
                        text=segment.text))
        cue_frames.append((cursor, cursor + len(samples)))
        last_at, last_len = cursor, len(samples)
        cursor += len(samples) + frames(_pause_ms(segment.pause_after, s))

    for number, samples in enumerate(head):
        place(samples, number)
    speech_lufs_out = 0.0
    if music.intro is not None or music.outro is not None:
        # Music plays only at the ends, so the head's speech sets its level: no pass over a long episode.
        # The same span the gain is planned on (whose channels are this one): measured once.
        voice = window.view(frames(start_ms), last_at + last_len)[:, 0]
        speech_lufs_out = measure_lufs(voice, sr) + (10 * math.log10(2) if s.channels == 2 else 0.0)
        if speech_reference is not None and np.isfinite(speech_lufs_out):
            speech_lufs_out = speech_reference(speech_lufs_out)
    outro_gain_db, shaped_outro = 0.0, None
    if music.outro is not None:  # measured and shaped now, so the end of the episode waits on nothing
        track = music.outro[: frames(s.max_music_ms)]
        outro_gain_db = _music_gain_db(track, sr, speech_lufs_out, s, s.channels)
        # At the length the expected speech gives it: finish() shapes it again only if the speech
        # turns out long or short enough to change that length (whole seconds of its share).
        expected_len = min(len(track), frames(outro_length(expected_speech_ms)))
        shaped_outro = _shape_outro(music.outro[:expected_len], sr, 700, s, outro_gain_db)
    sink: Sink | None = None
    if not complete:
        # Plan on the speech alone: the music is a small, known share of a longer episode.
        music_ms = 0.0
        if music.intro is not None:
            music_ms += start_ms
        if music.outro is not None:
            music_ms += min(len(music.outro) * 1000 / sr, outro_length(expected_speech_ms))
        music_power = 10 ** (-s.music_under_speech_lu / 10)
        shift_db = 10 * math.log10((expected_speech_ms + music_ms * music_power) / (expected_speech_ms + music_ms))
        sink = start(window.view(frames(start_ms), last_at + last_len), shift_db)
    if music.intro is not None:
        track = music.intro[: frames(s.max_music_ms)]
        shaped = _shape_intro(track, sr, start_ms, s, _music_gain_db(track, sr, speech_lufs_out, s, s.channels))
        window.add(0, shaped.mean(axis=1) if s.channels == 1 else shaped)
    head.clear()

    def finish() -> int:
        """Lay the outro under the last words and return the episode's length in frames."""
        speech_end = last_at + last_len
        speech_ms = speech_frames * 1000 / sr
        outro_ms = outro_length(speech_ms)
        if music.outro is not None:
            outro_start = max(0, speech_end - frames(400))
            outro_len = min(len(music.outro), frames(outro_ms))
            total = max(outro_start + outro_len, speech_end + frames(1000))
        else:
            total = speech_end + frames(900)
        if music.intro is not None:
            total = max(total, min(len(music.intro), frames(start_ms + 3500)))
        window.extend(total)
        if music.outro is not None:
            if shaped_outro is not None and outro_len == len(shaped_outro):
                shaped = shaped_outro
            else:  # the speech came out long or short enough to change the outro's length
                shaped = _shape_outro(music.outro[:outro_len], sr, 700, s, outro_gain_db)
            if s.channels == 1:
                shaped = shaped.mean(axis=1)
            window.add(outro_start, shaped[: total - outro_start])
        return total

    log.debug("mix head ready: %.1f s of speech%s", speech_frames / sr, ", the whole episode" if complete else "")
    if complete:
        total = finish()
        sink = start(window.view(0, total), 0.0)
    else:
        assert sink is not None
        count = len(cues)
        for clip in incoming:
            if count >= len(segments):
                raise AudioError(f"{len(segments)} segments but more clips than that")
            samples = _prepared(clip, s)
            speech_frames += len(samples)
            place(samples, count)
            count += 1
            final = last_at - frames(FLUSH_BEHIND_MS)
            if final - window.base >= frames(MIN_WRITE_MS):
                sink.write(window.take(final))
        if count != len(segments):
            raise AudioError(f"{len(segments)} segments but {count} clips")
        total = finish()
    sink.write(window.take(total))

    total_ms = round(total * 1000 / sr)
    starts: list[int] = []
    index = 0
    for number, chapter in enumerate(script.chapters):
        if number == 0:
            starts.append(0)
        else:
            starts.append(max(cues[index - 1].end_ms, cues[index].start_ms - 300))
        index += len(chapter.segments)
    marks = tuple(
        ChapterMark(title=ch.title, start_ms=start, end_ms=(starts[i + 1] if i + 1 < len(starts) else total_ms))
        for i, (ch, start) in enumerate(zip(script.chapters, starts))
    )
    return Mix(sample_rate_hz=sr, channels=s.channels, frames=total, cues=tuple(cues), chapters=marks,
               cue_frames=tuple(cue_frames))


class _Collect:
    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []

    def write(self, frames: np.ndarray) -> None:
        self.parts.append(np.array(frames, dtype=np.float32))


def mix_to_array(script: Script, clips: Iterable[Clip], music: Music,
                 settings: MixSettings = MixSettings()) -> tuple[np.ndarray, Mix]:
    """The whole mix in memory (for tests and short pieces): samples shaped (frames, channels) and its layout."""
    collected = _Collect()
    mix = mix_episode(script, clips, music, settings, lambda head, shift_db: collected)
    samples = np.concatenate(collected.parts) if collected.parts else np.zeros((0, settings.channels), np.float32)
    return samples, mix
