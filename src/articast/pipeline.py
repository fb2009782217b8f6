"""produce(): article -> script -> speech -> audio -> tags and sidecars, reporting progress."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
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


def synthesize(script: Script, settings: Settings, progress: ProgressCallback | None = None,
               cache: SegmentCache | None = None) -> list[Clip]:
    """Speak every segment, from the cache where the same words were said in the same voice before.

    Each voice is loaded once, and only when a segment misses the cache. Every new clip passes the
    quality gate (retried once) before it is cached or used.
    """
    cache = cache if cache is not None else SegmentCache()
    engines: dict[str | None, SpeechEngine] = {}

    def engine_for(role: str) -> SpeechEngine:
        voice = settings.role_voices.get(role, settings.voice)
        if voice not in engines:
            engines[voice] = get_engine(settings.engine, EngineOptions(
                voice=voice, speaker=settings.speaker, pace_wpm=settings.pace_wpm,
                lang=settings.lang, tld=settings.tld))
        return engines[voice]

    segments = script.segments
    clips: list[Clip] = []
    if progress:
        progress(Progress("speech", 0, len(segments)))
    for number, segment in enumerate(segments, start=1):
        engine = engine_for(_role(segment.role))
        key = segment_key(engine.cache_key(), segment.spoken)
        clip = cache.get(key)
        if clip is None:
            clip = _synthesize_checked(engine, segment.spoken, number)
            cache.put(key, clip)
        clips.append(clip)
        if progress:
            progress(Progress("speech", number, len(segments)))
    return clips


def _synthesize_checked(engine: SpeechEngine, spoken: str, number: int) -> Clip:
    problem = None
    for _attempt in range(2):
        clip = engine.synthesize(spoken)
        problem = check_clip(clip, spoken)
        if problem is None:
            return clip
        log.warning("segment %d %s; trying once more", number, problem)
    excerpt = spoken if len(spoken) <= 60 else spoken[:57] + "..."
    raise SpeechError(f"segment {number} (\"{excerpt}\") {problem} from {engine.NAME}, twice; "
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

    clips = synthesize(script, settings, progress)

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
    return Episode(
        title=script.title, slug=slug, mp3_path=mp3_path, vtt_path=vtt_path, chapters_path=chapters_path,
        duration_ms=mix.duration_ms, chapters=mix.chapters,
        word_count=sum(len(s.text.split()) for s in script.segments),
    )
