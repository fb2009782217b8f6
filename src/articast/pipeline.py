"""produce(): article -> script -> speech -> audio -> tags and sidecars, reporting progress."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings
from .errors import AudioError, InputError
from .fsutil import remove_stale_temps, staged_files
from .ingest import read_article
from .languages import iso_639_2
from .models import ATTRIBUTION, Article, Cue, Episode, Mix, Progress, ProgressCallback, Script
from .naming import MAX_TITLE_CHARS, cut_on_word, free_slug, move_episode_in, slugify, source_identity
from .script import build_script
from .speech import engine_class
from .speech.cache import SegmentCache
from .speech.choice import choose_voices
from .speech.schedule import SpeechStream, Voices, plan, synthesize
from .speech.workers import SynthesisPool

if TYPE_CHECKING:
    import numpy as np

    from .audio import MixSettings, Music
    from .audio.chunked import ChunkedMp3

__all__ = ["DryRun", "Progress", "ProgressCallback", "dry_run", "load_script", "produce"]

# The audio, tag and transcript stages are imported where they are used: that is after the speech
# workers have started, so the 50 ms those imports take passes while the workers load the voice.

log = logging.getLogger(__name__)


SUMMARY_CHARS = 1000
"""The episode's description is cut to this (on a word) before the original's address is added."""


def _summary(script: Script) -> str:
    """The episode's description: the article's own, or its first sentences; ending with its link."""
    if script.summary:
        text = script.summary.strip()
        if len(text) > SUMMARY_CHARS:
            text = text[:SUMMARY_CHARS - 1].rsplit(" ", 1)[0].rstrip() + "…"
    else:
        text = ""
        for sentence in (s.text for s in script.segments if s.role == "body"):
            if len(text) + len(sentence) > 300 and text:
                break
            text = f"{text} {sentence}".strip()
        text = text or script.title
    if script.date and not script.dates_episode:  # (the feed dates it by when it was added)
        text = f"{script.date}\n\n{text}"  # an ISO date reads the same in every language
    if script.link:
        text = f"{text}\n\n{ATTRIBUTION}{script.link}"
    return text


def load_script(source: str | Path | Article, title: str | None = None,
                lexicon: dict[str, str] | None = None, *, language: str | None = None,
                fallback_language: str | None = None) -> Script:
    """Read the article (unless given one already read) and lay out what will be spoken (no synthesis).

    ``language`` is the article's language whatever it says; ``fallback_language`` (the show's) is
    taken when neither the article's marks nor its text tell it."""
    article = source if isinstance(source, Article) else read_article(source)
    article = dataclasses.replace(article, title=cut_on_word(title or article.title, MAX_TITLE_CHARS))
    if language or not article.language:
        article = dataclasses.replace(article, language=language or fallback_language)
    return build_script(article, lexicon=lexicon)


@dataclasses.dataclass(frozen=True)
class DryRun:
    """What producing an article would do, found without speaking or writing anything."""

    title: str
    language: str | None
    segments: int
    """The script's segments."""

    new_segments: int
    """Segments the cache lacks: spoken (or sent to a speech server) by a real run."""

    characters: int
    """Characters of those segments' spoken text: what a paid speech service counts."""

    engine: str
    offline: bool
    speakers: tuple[str, ...]
    """Each voice that would speak, as its engine's settings (endpoint, model, voice...)."""


def dry_run(source: str | Path | Article, settings: Settings = Settings(), *, title: str | None = None) -> DryRun:
    """Read the article and lay out its script as produce would, and count what the cache lacks.

    Nothing is spoken, sent or written: no show folder, no cache entry, no remembered setting."""
    script = load_script(source, title, settings.lexicon, language=settings.article_language,
                         fallback_language=settings.language)
    settings = choose_voices(settings, script.language)
    voices = Voices(settings)
    _, misses = plan(script, voices, SegmentCache())
    engines = {id(engine): engine for engine, _ in map(voices.of, dict.fromkeys(s.role for s in script.segments))}
    speakers = tuple(", ".join(f"{key} {value}" for key, value in engine.cache_key().items()
                               if key != "engine" and value is not None) for engine in engines.values())
    return DryRun(title=script.title, language=script.language, segments=len(script.segments),
                  new_segments=len(misses), characters=sum(len(script.segments[m.place].spoken) for m in misses),
                  engine=settings.engine, offline=bool(engine_class(settings.engine).OFFLINE), speakers=speakers)


REDO_LU = 0.3
"""Encode again, from the cache, when the finished episode is further than this from the target."""


def _mix_and_encode(script: Script, clips: SpeechStream, music: Music, mix_settings: MixSettings,
                    path: Path, target: float, progress: ProgressCallback | None, jobs: int,
                    identity: str, corrected_db: float | None = None) -> tuple[Mix, float, float]:
    """Mix the clips as they come and encode in the same stream; the mix's layout (as heard) and its loudness.

    The gain is planned on the head of the mix (the first half minute of speech, or all of a
    short episode) and applied, with the limiter, as the rest streams through; the encoder meters
    everything it encodes, so the caller can check the whole against the target. ``identity`` names
    the episode (its MP3), whose last gain is kept if the new plan is close to it.
    """
    from .audio import memory, mix_episode
    from .audio.chunked import ChunkedMp3

    streams: list[ChunkedMp3] = []
    gains: list[float] = []

    def start(head: np.ndarray, shift_db: float) -> ChunkedMp3:
        goal = round((target - shift_db) / memory.GOAL_STEP_LU) * memory.GOAL_STEP_LU
        sr = mix_settings.sample_rate_hz
        gain_db, how = memory.episode_gain(head, sr, goal, identity, mix_settings, corrected_db)
        gains.append(gain_db)
        log.debug("gain %.2f dB (%s) for a %.1f s head (music expected to move the whole %.2f LU)",
                  gain_db, how, len(head) / sr, shift_db)
        # Mostly new speech paces the mix: encode each chunk as it comes. Mostly cached speech mixes
        # in moments: look each chunk up when complete and encode the new ones side by side.
        streaming = clips.new_segments * 2 >= len(script.segments)
        streams.append(ChunkedMp3(path, mix_settings.sample_rate_hz, mix_settings.channels, gain_db, jobs,
                                  streaming=streaming))
        return streams[0]

    try:
        mix = mix_episode(script, clips, music, mix_settings, start, memory.music_reference(identity, mix_settings),
                          memory.outro_reference(identity, mix_settings))
        if not streams:
            raise AudioError("nothing was mixed")
        if progress:
            progress(Progress("encode", 0, 1))
        started = time.perf_counter()
        lufs = streams[0].close()
        log.info("timing: encoder finished %.3f s after the mix (%d chunks remembered)",
                 time.perf_counter() - started, streams[0].reused)
    except BaseException:
        for stream in streams:
            stream.abort()
        raise
    finally:
        clips.close()
    return _as_heard(mix, streams[0]), lufs, gains[0]


def _as_heard(mix: Mix, stream: ChunkedMp3) -> Mix:
    """The mix's cues and chapters moved to where they are heard in the encoded file."""
    sr = mix.sample_rate_hz

    def heard(ms: int) -> int:
        return round(stream.output_frame(round(ms * sr / 1000)) * 1000 / sr)

    total_ms = round(stream.frames_out * 1000 / sr)
    # From the exact frames, rounded once: a cue is then within half a millisecond of its speech.
    cue_frames = tuple((stream.output_frame(start), stream.output_frame(end)) for start, end in mix.cue_frames)
    cues = tuple(Cue(start_ms=round(start * 1000 / sr), end_ms=round(end * 1000 / sr), text=c.text)
                 for c, (start, end) in zip(mix.cues, cue_frames, strict=True))
    chapters = tuple(dataclasses.replace(ch, start_ms=heard(ch.start_ms),
                                         end_ms=total_ms if ch.end_ms >= mix.duration_ms else heard(ch.end_ms))
                     for ch in mix.chapters)
    return dataclasses.replace(mix, frames=stream.frames_out, cues=cues, chapters=chapters, cue_frames=cue_frames)


def produce(source: str | Path | Article, settings: Settings = Settings(), *, title: str | None = None,
            progress: ProgressCallback | None = None, slug: str | None = None,
            pool: SynthesisPool | None = None) -> Episode:
    """Make a tagged, loudness-normalised MP3 with VTT and JSON chapters in ``settings.out_dir``.

    ``source`` is a path, a URL, "-", or an Article already read; ``slug`` names the files (default:
    from the title); ``pool`` is a batch's speech workers (see :class:`Batch`)."""
    article = source if isinstance(source, Article) else read_article(source, progress=progress)
    script = load_script(article, title, settings.lexicon, language=settings.article_language,
                         fallback_language=settings.language)
    settings = choose_voices(settings, script.language)  # refused here, before anything is made
    if settings.music:  # fail before any speech is made
        for music_file in (settings.intro, settings.outro):
            if music_file is not None and not Path(music_file).is_file():
                raise InputError(f"{music_file}: no such audio file")
    out_dir = Path(settings.out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")

    identity = source_identity(article)
    named = slug  # a caller that names the files (update, a cluster's node) has made sure the name is free
    slug = slug or free_slug(out_dir, slugify(script.title), identity)  # checked again when the files move in
    cache = SegmentCache()
    created = not out_dir.exists()
    speech = synthesize(script, settings, progress, cache, pool)  # workers start loading their voices now
    try:
        from .audio import MixSettings, load_music, target_lufs
        from .tags import TagInfo, default_cover, write_tags
        from .transcript import render_chapters_json, render_srt, render_transcript_text, render_vtt

        mix_settings = MixSettings(channels=1 if settings.mono else 2)
        target = target_lufs(mix_settings.channels)
        music = load_music(settings.intro, settings.outro, enabled=settings.music,
                           sample_rate_hz=mix_settings.sample_rate_hz)
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(out_dir)
        # All four files are written under temporary names and moved into place together, the MP3
        # last: a failure or Ctrl-C at any point leaves neither a partial file nor an orphan sidecar.
        with staged_files(out_dir, (".chapters.json", ".vtt", ".srt", ".mp3")) as staged:
            chapters_tmp, vtt_tmp, srt_tmp, mp3_tmp = staged.values()
            jobs = settings.jobs or os.cpu_count() or 1
            # The gain and the music's length are remembered by where the episode's MP3 lives.
            place = str((out_dir / f"{slug}.mp3").resolve())
            mix, lufs, gain_db = _mix_and_encode(script, speech, music, mix_settings, mp3_tmp, target, progress,
                                                 jobs, place)
            if abs(lufs - target) > REDO_LU:
                # The head did not predict the whole: say it all again from the cache at the corrected gain.
                log.info("loudness %.2f LUFS is off target; encoding again", lufs)
                mix, lufs, _ = _mix_and_encode(script, synthesize(script, settings, None, cache, pool), music,
                                               mix_settings, mp3_tmp, target, progress, jobs, place,
                                               corrected_db=gain_db + target - lufs)
            log.info("loudness %.2f LUFS over %d ms", lufs, mix.duration_ms)
            started = time.perf_counter()
            vtt_tmp.write_text(render_vtt(mix.cues), encoding="utf-8")
            srt_tmp.write_text(render_srt(mix.cues), encoding="utf-8")
            chapters_tmp.write_text(render_chapters_json(mix.chapters, script.title), encoding="utf-8")
            write_tags(mp3_tmp, TagInfo(
                title=script.title,
                artist=script.author or settings.author or settings.show,
                album=settings.show,
                duration_ms=mix.duration_ms,
                date=script.date or dt.date.today().isoformat(),
                article_date=script.date if script.dates_episode else None,
                summary=_summary(script),
                transcript=render_transcript_text(mix.cues),
                chapters=mix.chapters,
                cover=default_cover(),
                link=script.link,
                source=identity,
                series=article.series,
                part=article.part,
                parts=article.parts,
                language=iso_639_2(script.language),
            ))
            log.info("timing: tags and sidecars %.3f s", time.perf_counter() - started)
            slug = move_episode_in(staged, out_dir, named, slugify(script.title), identity)
    except BaseException:
        speech.close()
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()  # only when empty: nothing of ours is left in a folder we made
        raise
    if progress:
        progress(Progress("encode", 1, 1))
    return Episode(
        title=script.title, slug=slug, mp3_path=out_dir / f"{slug}.mp3", vtt_path=out_dir / f"{slug}.vtt",
        chapters_path=out_dir / f"{slug}.chapters.json",
        duration_ms=mix.duration_ms, chapters=mix.chapters,
        word_count=sum(len(s.text.split()) for s in script.segments),
    )


