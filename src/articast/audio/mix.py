"""The timeline: speech clips with pauses that follow the text, intro and outro music mixed under it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from ..errors import AudioError, InputError
from ..models import ChapterMark, Clip, Cue, Mix, Pause, Script
from ..speech.trim import fade_edges
from ..ffmpeg import decode_to_pcm, pydub_audio_segment
from .loudness import measure_lufs

SAMPLE_RATE_HZ = 44100


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


@dataclass(frozen=True)
class Music:
    """Intro and outro as float32 (frames, 2) at the episode's rate; either may be absent."""

    intro: np.ndarray | None = None
    outro: np.ndarray | None = None


def _data_file(name: str) -> Path:
    return Path(str(resources.files("articast").joinpath("data", name)))


def load_music(intro: Path | None = None, outro: Path | None = None, *, enabled: bool = True,
               sample_rate_hz: int = SAMPLE_RATE_HZ) -> Music:
    """Decode the intro and outro (ours when not given) with the bundled ffmpeg."""
    if not enabled:
        return Music()
    intro_path = Path(intro) if intro else _data_file("intro.mp3")
    outro_path = Path(outro) if outro else _data_file("outro.mp3")
    return Music(
        intro=decode_to_pcm(intro_path, sample_rate_hz, 2),
        outro=decode_to_pcm(outro_path, sample_rate_hz, 2),
    )


def _to_segment(samples: np.ndarray, sample_rate_hz: int):
    AudioSegment = pydub_audio_segment()
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    return AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=sample_rate_hz, channels=samples.shape[1])


def _from_segment(segment) -> np.ndarray:
    data = np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float32) / 32767.0
    return data.reshape(-1, segment.channels)


def _shape_intro(intro: np.ndarray, sr: int, speech_start_ms: int, s: MixSettings, gain_db: float) -> np.ndarray:
    """Full level, then duck under the first words and fade away (pydub's gain automation)."""
    seg = _to_segment(intro, sr).apply_gain(gain_db)
    total_ms = len(seg)
    duck_start = max(0, speech_start_ms - 500)
    duck_end = min(total_ms, speech_start_ms + 100)
    if duck_end > duck_start:
        seg = seg.fade(to_gain=s.duck_db, start=duck_start, end=duck_end)
    end_ms = min(total_ms, speech_start_ms + 3500)
    seg = seg[:end_ms]
    fade_ms = max(10, end_ms - duck_end)
    return _from_segment(seg.fade_out(min(fade_ms, len(seg))))


def _shape_outro(outro: np.ndarray, sr: int, rise_ms: int, s: MixSettings, gain_db: float) -> np.ndarray:
    """Rise from under the last words to full level, play out, fade at the end."""
    seg = _to_segment(outro, sr).apply_gain(gain_db)
    seg = seg.fade(from_gain=s.duck_db, to_gain=0, start=0, end=min(rise_ms, len(seg)))
    return _from_segment(seg.fade_out(min(2500, len(seg) - rise_ms)))


def _resampled(clip: Clip, sample_rate_hz: int) -> np.ndarray:
    samples = np.asarray(clip.samples, dtype=np.float32)
    if clip.sample_rate_hz != sample_rate_hz:
        g = math.gcd(clip.sample_rate_hz, sample_rate_hz)
        samples = resample_poly(samples, sample_rate_hz // g, clip.sample_rate_hz // g).astype(np.float32)
    return fade_edges(samples, sample_rate_hz, fade_ms=3)


def _pause_ms(pause: Pause, s: MixSettings) -> int:
    return {Pause.SENTENCE: s.sentence_pause_ms, Pause.PARAGRAPH: s.paragraph_pause_ms,
            Pause.CHAPTER: s.chapter_pause_ms, Pause.END: 0}[pause]


def _music_gain_db(music: np.ndarray, sr: int, speech_lufs_out: float, s: MixSettings, channels: int) -> float:
    probe = music if channels == 2 else music.mean(axis=1, keepdims=True)
    lufs = measure_lufs(probe, sr)
    if not np.isfinite(lufs):
        return 0.0
    return (speech_lufs_out - s.music_under_speech_lu) - lufs


def mix_episode(script: Script, clips: list[Clip], music: Music, settings: MixSettings = MixSettings()) -> Mix:
    """Place every clip after the pause its text calls for, with music under the start and end."""
    segments = script.segments
    if len(segments) != len(clips):
        raise AudioError(f"{len(segments)} segments but {len(clips)} clips")
    s, sr = settings, settings.sample_rate_hz
    speech = [_resampled(c, sr) for c in clips]
    if not any(len(x) for x in speech):
        raise AudioError("the speech engine returned only silence")

    def frames(ms: float) -> int:
        return int(round(ms * sr / 1000))

    speech_ms = sum(len(x) for x in speech) * 1000 / sr
    short = speech_ms < s.short_episode_ms
    intro_ms = len(music.intro) * 1000 // sr if music.intro is not None else 0
    lead_ms = s.short_intro_lead_ms if short else s.intro_lead_ms
    start_ms = min(lead_ms, max(0, intro_ms - 1000)) if music.intro is not None else 400
    positions: list[int] = []
    cursor = frames(start_ms)
    for segment, samples in zip(segments, speech):
        positions.append(cursor)
        cursor += len(samples) + frames(_pause_ms(segment.pause_after, s))
    speech_end = positions[-1] + len(speech[-1])

    outro_start = speech_end + frames(300)
    outro_rise_ms = 700
    outro_max_ms = min(s.max_music_ms, max(s.min_outro_ms, int(s.outro_share * speech_ms)))
    if music.outro is not None:
        outro_start = max(0, speech_end - frames(400))
        outro_len = min(len(music.outro), frames(outro_max_ms))
        total = max(outro_start + outro_len, speech_end + frames(1000))
    else:
        total = speech_end + frames(900)
    if music.intro is not None:
        total = max(total, min(len(music.intro), frames(start_ms + 3500)))

    voice = np.zeros(total, dtype=np.float32)
    for pos, samples in zip(positions, speech):
        voice[pos:pos + len(samples)] += samples

    out = np.repeat(voice[:, None], s.channels, axis=1)
    if music.intro is not None or music.outro is not None:
        # Music plays only at the ends, so the first minute and a half of speech sets its level:
        # no extra pass over a long episode.
        speech_lufs = measure_lufs(voice[frames(start_ms):min(speech_end, frames(start_ms + 90_000))], sr)
        speech_lufs_out = speech_lufs + (10 * math.log10(2) if s.channels == 2 else 0.0)
        for kind in ("intro", "outro"):
            track = getattr(music, kind)
            if track is None:
                continue
            track = track[: frames(s.max_music_ms)]
            gain = _music_gain_db(track, sr, speech_lufs_out, s, s.channels)
            if kind == "intro":
                shaped, at = _shape_intro(track, sr, start_ms, s, gain), 0
            else:
                track = track[: frames(outro_max_ms)]
                shaped, at = _shape_outro(track, sr, outro_rise_ms, s, gain), outro_start
            if s.channels == 1:
                shaped = shaped.mean(axis=1, keepdims=True)
            n = min(len(shaped), total - at)
            out[at:at + n] += shaped[:n]

    cues = tuple(
        Cue(start_ms=round(pos * 1000 / sr), end_ms=round((pos + len(x)) * 1000 / sr), text=seg.text)
        for pos, x, seg in zip(positions, speech, segments)
    )
    total_ms = round(total * 1000 / sr)
    starts: list[int] = []
    index = 0
    for number, chapter in enumerate(script.chapters):
        first_cue = cues[index]
        if number == 0:
            starts.append(0)
        else:
            previous_end = cues[index - 1].end_ms
            starts.append(max(previous_end, first_cue.start_ms - 300))
        index += len(chapter.segments)
    marks = tuple(
        ChapterMark(title=ch.title, start_ms=start, end_ms=(starts[i + 1] if i + 1 < len(starts) else total_ms))
        for i, (ch, start) in enumerate(zip(script.chapters, starts))
    )
    return Mix(samples=out, sample_rate_hz=sr, cues=cues, chapters=marks)


def validate_music_file(path: Path | None) -> None:
    """Fail early, before synthesis, when a user's music file is missing."""
    if path is not None and not Path(path).is_file():
        raise InputError(f"{path}: no such audio file")
