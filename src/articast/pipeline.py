"""produce(): article -> script -> speech -> audio -> tags and sidecars, reporting progress."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .audio import MixSettings, encode_mp3, load_music, mix_episode, normalise
from .audio.mix import validate_music_file
from .config import Settings
from .errors import InputError, SpeechError
from .fsutil import atomic_path, remove_stale_temps
from .ingest import read_article
from .models import Clip, Episode, Script
from .script import build_script
from .speech import EngineOptions, SpeechEngine, get_engine
from .speech.cache import SegmentCache, segment_key
from .speech.workers import SynthesisPool
from .speech.quality import check_clip
from .tags import TagInfo, default_cover, write_tags
from .transcript import render_chapters_json, render_srt, render_transcript_text, render_vtt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """A progress report: ``done`` of ``total`` steps of ``stage`` are finished."""

    stage: str
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


def slugify(title: str, max_length: int = 60) -> str:
    """An ASCII file stem from a title: lower case, hyphens, no path pieces."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or "episode"


def _summary(script: Script) -> str:
    if script.summary:
        return script.summary
    body = [s.text for s in script.segments if s.role == "body"]
    text = ""
    for sentence in body:
        if len(text) + len(sentence) > 300 and text:
            break
        text = f"{text} {sentence}".strip()
    return text or script.title


def load_script(source: str | Path, title: str | None = None, lexicon: dict[str, str] | None = None) -> Script:
    """Read the article and lay out what will be spoken (no synthesis)."""
    article = read_article(source)
    if title:
        article = dataclasses.replace(article, title=title)
    return build_script(article, lexicon=lexicon)


def _role(segment_role: str) -> str:
    return "question" if segment_role in ("title", "heading") else "answer"


MIN_PARALLEL_CHARS = 4000
"""Less text than this (about 3 minutes of speech) is spoken faster in-process than by starting workers.

Measured: starting two spawned workers costs about 1.5 s; two workers speak about 17% faster than one
process (2,000 words: 54.0 s against 64.9 s for the whole produce)."""


def synthesize(script: Script, settings: Settings, progress: ProgressCallback | None = None,
               cache: SegmentCache | None = None) -> list[Clip]:
    """Speak every segment, from the cache where the same words were said in the same voice before.

    Segments missing from the cache are spoken by ``settings.jobs`` worker processes (one process,
    in-process, for jobs=1 or few segments). Each voice is loaded once per process and only when
    something needs saying. Every new clip passes the quality gate (retried once) before it is
    cached or used.
    """
    cache = cache if cache is not None else SegmentCache()
    engines: dict[str | None, SpeechEngine] = {}
    options_by_voice: dict[str | None, EngineOptions] = {}

    def engine_for(role: str) -> tuple[SpeechEngine, EngineOptions]:
        voice = settings.role_voices.get(role, settings.voice)
        if voice not in engines:
            options_by_voice[voice] = EngineOptions(
                voice=voice, speaker=settings.speaker, pace_wpm=settings.pace_wpm, lang=settings.lang,
                tld=settings.tld)
            engines[voice] = get_engine(settings.engine, options_by_voice[voice])
        return engines[voice], options_by_voice[voice]

    segments = script.segments
    clips: list[Clip | None] = []
    misses: list[tuple[int, str, SpeechEngine, EngineOptions]] = []
    for index, segment in enumerate(segments):
        engine, options = engine_for(_role(segment.role))
        key = segment_key(engine.cache_key(), segment.spoken)
        clip = cache.get(key)
        clips.append(clip)
        if clip is None:
            misses.append((index, key, engine, options))
    done = len(segments) - len(misses)
    if progress:
        progress(Progress("speech", done, len(segments)))

    jobs = settings.jobs or os.cpu_count() or 1
    parallel = (jobs > 1 and sum(len(segments[index].spoken) for index, _, _, _ in misses) >= MIN_PARALLEL_CHARS
                and all(getattr(engine, "PARALLEL", False) for _, _, engine, _ in misses))
    pool = SynthesisPool(settings.engine, min(jobs, len(misses))) if parallel else None
    try:
        if pool is not None:
            spoken = pool.speak((options, segments[index].spoken) for index, _, _, options in misses)
            results = (Clip(samples, rate) for samples, rate in spoken)
        else:
            results = (engine.synthesize(segments[index].spoken) for index, _, engine, _ in misses)
        for (index, key, engine, _), clip in zip(misses, results):
            problem = check_clip(clip, segments[index].spoken)
            if problem is not None:
                clip = _retry_once(engine, segments[index].spoken, index + 1, problem)
            cache.put(key, clip)
            clips[index] = clip
            done += 1
            if progress:
                progress(Progress("speech", done, len(segments)))
    finally:
        if pool is not None:
            pool.close()
    return [clip for clip in clips if clip is not None]


def _retry_once(engine: SpeechEngine, spoken: str, number: int, problem: str) -> Clip:
    """A clip failed the quality gate: speak it once more here; fail, naming the segment, if it fails again."""
    log.warning("segment %d %s; trying once more", number, problem)
    clip = engine.synthesize(spoken)
    again = check_clip(clip, spoken)
    if again is None:
        return clip
    excerpt = spoken if len(spoken) <= 60 else spoken[:57] + "..."
    raise SpeechError(f"segment {number} (\"{excerpt}\") {again} from {engine.NAME}, twice; "
                      "no episode was written")


def produce(source: str | Path, settings: Settings = Settings(), *, title: str | None = None,
            progress: ProgressCallback | None = None) -> Episode:
    """Make a tagged, loudness-normalised MP3 with VTT and JSON chapters in ``settings.out_dir``."""
    script = load_script(source, title, settings.lexicon)
    if settings.music:
        validate_music_file(settings.intro)
        validate_music_file(settings.outro)
    out_dir = Path(settings.out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")

    started = time.perf_counter()
    clips = synthesize(script, settings, progress)
    log.info("timing: speech %.3f s", time.perf_counter() - started)
    started = time.perf_counter()

    if progress:
        progress(Progress("mix", 0, 1))
    mix_settings = MixSettings(channels=1 if settings.mono else 2)
    music = load_music(settings.intro, settings.outro, enabled=settings.music,
                       sample_rate_hz=mix_settings.sample_rate_hz)
    mix = mix_episode(script, clips, music, mix_settings)
    samples, lufs = normalise(mix.samples, mix.sample_rate_hz)
    log.info("loudness %.2f LUFS over %d ms", lufs, mix.duration_ms)

    slug = slugify(script.title)
    mp3_path = out_dir / f"{slug}.mp3"
    vtt_path = out_dir / f"{slug}.vtt"
    chapters_path = out_dir / f"{slug}.chapters.json"
    srt_path = out_dir / f"{slug}.srt"
    if progress:
        progress(Progress("encode", 0, 1))
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out_dir)
    # All four files are written under temporary names and moved into place together, the MP3
    # last: a failure or Ctrl-C at any point leaves neither a partial file nor an orphan sidecar.
    with atomic_path(mp3_path) as mp3_tmp, atomic_path(chapters_path) as chapters_tmp, \
            atomic_path(vtt_path) as vtt_tmp, atomic_path(srt_path) as srt_tmp:
        vtt_tmp.write_text(render_vtt(mix.cues), encoding="utf-8")
        srt_tmp.write_text(render_srt(mix.cues), encoding="utf-8")
        chapters_tmp.write_text(render_chapters_json(mix.chapters, script.title), encoding="utf-8")
        encode_mp3(samples, mix.sample_rate_hz, mp3_tmp)
        write_tags(mp3_tmp, TagInfo(
            title=script.title,
            artist=script.author or settings.author or settings.show,
            album=settings.show,
            duration_ms=mix.duration_ms,
            date=script.date or dt.date.today().isoformat(),
            summary=_summary(script),
            transcript=render_transcript_text(mix.cues),
            chapters=mix.chapters,
            cover=default_cover(),
        ))
    if progress:
        progress(Progress("encode", 1, 1))
    log.info("timing: mix, loudness, encode and tags %.3f s", time.perf_counter() - started)
    return Episode(
        title=script.title, slug=slug, mp3_path=mp3_path, vtt_path=vtt_path, chapters_path=chapters_path,
        duration_ms=mix.duration_ms, chapters=mix.chapters,
        word_count=sum(len(s.text.split()) for s in script.segments),
    )
