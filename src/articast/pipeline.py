"""produce(): article -> script -> speech -> audio -> tags and sidecars, reporting progress."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import re
import time
import unicodedata
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .audio import MixSettings, Mp3Stream, Music, load_music, mix_episode, plan_gain, target_lufs
from .audio.mix import validate_music_file
from .config import Settings
from .errors import AudioError, InputError, SpeechError
from .fsutil import atomic_path, remove_stale_temps
from .ingest import read_article
from .models import Clip, Episode, Mix, Script
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

_READY_AHEAD = 64
"""Spoken clips waiting for the mix: bounds memory if the mix ever falls behind."""


def synthesize(script: Script, settings: Settings, progress: ProgressCallback | None = None,
               cache: SegmentCache | None = None) -> Iterator[Clip]:
    """Every segment's clip, in order, as soon as it is ready: from the cache or freshly spoken.

    Cached clips are read one at a time as they are needed, never all at once. Segments missing
    from the cache are spoken in a background thread, by ``settings.jobs`` worker processes (or in
    this process for jobs=1 or little text), while the caller mixes and encodes what came before.
    Each voice is loaded once per process and only when something needs saying. Every new clip
    passes the quality gate (retried once) before it is cached or used.
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
    keys: list[str] = []
    misses: list[tuple[int, str, SpeechEngine, EngineOptions]] = []
    for index, segment in enumerate(segments):
        engine, options = engine_for(_role(segment.role))
        keys.append(segment_key(engine.cache_key(), segment.spoken))
        if not cache.has(keys[-1]):
            misses.append((index, keys[-1], engine, options))
    return _speak(script, settings, cache, keys, misses, engine_for, progress)


def _speak(script: Script, settings: Settings, cache: SegmentCache, keys: list[str],
           misses: list[tuple[int, str, SpeechEngine, EngineOptions]],
           engine_for: Callable[[str], tuple[SpeechEngine, EngineOptions]],
           progress: ProgressCallback | None) -> Iterator[Clip]:
    segments = script.segments
    started = time.perf_counter()
    done = len(segments) - len(misses)
    if progress:
        progress(Progress("speech", done, len(segments)))
    jobs = settings.jobs or os.cpu_count() or 1
    parallel = (jobs > 1 and sum(len(segments[index].spoken) for index, _, _, _ in misses) >= MIN_PARALLEL_CHARS
                and all(getattr(engine, "PARALLEL", False) for _, _, engine, _ in misses))
    pool = SynthesisPool(settings.engine, min(jobs, len(misses))) if parallel else None
    log.debug("speaking %d of %d segments %s", len(misses), len(segments),
              f"in {min(jobs, len(misses))} worker processes" if pool else "in this process")
    ready: queue.Queue = queue.Queue(maxsize=_READY_AHEAD)
    stop = threading.Event()

    def hand_over(item: tuple[int | None, Any]) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def speak_misses() -> None:
        try:
            if pool is not None:
                spoken = pool.speak((options, segments[index].spoken) for index, _, _, options in misses)
                results: Iterator[Clip] = (Clip(samples, rate) for samples, rate in spoken)
            else:
                results = (engine.synthesize(segments[index].spoken) for index, _, engine, _ in misses)
            for (index, key, engine, _), clip in zip(misses, results):
                if stop.is_set():
                    return
                problem = check_clip(clip, segments[index].spoken)
                if problem is not None:
                    clip = _retry_once(engine, segments[index].spoken, index + 1, problem)
                cache.put(key, clip)
                hand_over((index, clip))
        except BaseException as exc:  # Ctrl-C inside an engine included: re-raised in the caller's thread
            hand_over((None, exc))

    speaker = threading.Thread(target=speak_misses, name="articast-speech", daemon=True)
    missing = {index for index, _, _, _ in misses}
    try:
        if misses:
            speaker.start()
        for index, segment in enumerate(segments):
            if index in missing:
                got, clip = ready.get()
                if got is None:
                    raise clip
                done += 1
                if progress:
                    progress(Progress("speech", done, len(segments)))
                if done == len(segments):
                    log.info("timing: speech %.3f s", time.perf_counter() - started)
            else:
                clip = cache.get(keys[index])
                if clip is None:  # removed or damaged since it was looked up: say it again here
                    engine, _ = engine_for(_role(segment.role))
                    clip = engine.synthesize(segment.spoken)
                    cache.put(keys[index], clip)
            yield clip
    finally:
        stop.set()
        if pool is not None:
            pool.close()
        if speaker.is_alive():
            speaker.join(timeout=2)


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


REDO_LU = 0.3
"""Encode again, from the cache, when the finished episode is further than this from the target."""


def _mix_and_encode(script: Script, clips: Iterator[Clip], music: Music, mix_settings: MixSettings,
                    path: Path, target: float, progress: ProgressCallback | None,
                    correction_db: float = 0.0) -> tuple[Mix, float]:
    """Mix the clips as they come and encode in the same stream; the mix's layout and its loudness.

    The gain is planned on the head of the mix (the first minute and a half of speech, or all of a
    short episode) and applied, with the limiter, as the rest streams through; the encoder meters
    everything it encodes, so the caller can check the whole against the target.
    """
    streams: list[Mp3Stream] = []

    def start(head: np.ndarray) -> Mp3Stream:
        gain_db = plan_gain(head, mix_settings.sample_rate_hz, target) + correction_db
        streams.append(Mp3Stream(path, mix_settings.sample_rate_hz, mix_settings.channels, gain_db))
        return streams[0]

    try:
        mix = mix_episode(script, clips, music, mix_settings, start)
        if not streams:
            raise AudioError("nothing was mixed")
        if progress:
            progress(Progress("encode", 0, 1))
        started = time.perf_counter()
        lufs = streams[0].close()
        log.info("timing: encoder finished %.3f s after the last clip", time.perf_counter() - started)
    except BaseException:
        for stream in streams:
            stream.abort()
        raise
    finally:
        close = getattr(clips, "close", None)
        if close is not None:
            close()
    assert lufs is not None
    return mix, lufs


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

    slug = slugify(script.title)
    mp3_path = out_dir / f"{slug}.mp3"
    vtt_path = out_dir / f"{slug}.vtt"
    chapters_path = out_dir / f"{slug}.chapters.json"
    srt_path = out_dir / f"{slug}.srt"
    mix_settings = MixSettings(channels=1 if settings.mono else 2)
    music = load_music(settings.intro, settings.outro, enabled=settings.music,
                       sample_rate_hz=mix_settings.sample_rate_hz)
    target = target_lufs(mix_settings.channels)
    cache = SegmentCache()
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(out_dir)
        # All four files are written under temporary names and moved into place together, the MP3
        # last: a failure or Ctrl-C at any point leaves neither a partial file nor an orphan sidecar.
        with atomic_path(mp3_path) as mp3_tmp, atomic_path(chapters_path) as chapters_tmp, \
                atomic_path(vtt_path) as vtt_tmp, atomic_path(srt_path) as srt_tmp:
            mix, lufs = _mix_and_encode(script, synthesize(script, settings, progress, cache), music,
                                        mix_settings, mp3_tmp, target, progress)
            if abs(lufs - target) > REDO_LU:
                # The head did not predict the whole: say it all again from the cache at the corrected gain.
                log.info("loudness %.2f LUFS is off target; encoding again", lufs)
                mix, lufs = _mix_and_encode(script, synthesize(script, settings, None, cache), music,
                                            mix_settings, mp3_tmp, target, progress, correction_db=target - lufs)
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
                summary=_summary(script),
                transcript=render_transcript_text(mix.cues),
                chapters=mix.chapters,
                cover=default_cover(),
            ))
            log.info("timing: tags and sidecars %.3f s", time.perf_counter() - started)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()  # only when empty: nothing of ours is left in a folder we made
        raise
    if progress:
        progress(Progress("encode", 1, 1))
    return Episode(
        title=script.title, slug=slug, mp3_path=mp3_path, vtt_path=vtt_path, chapters_path=chapters_path,
        duration_ms=mix.duration_ms, chapters=mix.chapters,
        word_count=sum(len(s.text.split()) for s in script.segments),
    )
