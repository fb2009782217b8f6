"""Speech scheduling: every segment's clip in order, from the cache or spoken now, in worker processes,
side by side in this one, or one after another, while the caller mixes what came before."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from typing import NamedTuple

from ..config import Settings, voice_role
from ..errors import SpeechError
from ..models import Clip, Progress, ProgressCallback, Script
from . import EngineOptions, SpeechEngine, get_engine
from .cache import SegmentCache, segment_key
from .quality import check_clip
from .workers import SynthesisPool, discard_early, early_workers

log = logging.getLogger(__name__)


class Miss(NamedTuple):
    """A segment the cache lacks, to be spoken now."""

    place: int
    """Its place among the script's segments."""

    key: str
    """Its cache key."""

    engine: SpeechEngine
    """The engine (with its voice) that speaks it."""

    options: EngineOptions
    """What a worker process loads that engine with."""


class Ready(NamedTuple):
    """What the speaking thread hands to the reader: a segment's clip, or the error that stopped it."""

    place: int | None
    """The segment's place; None when speaking failed."""

    clip: Clip | None
    """The clip, checked and cached."""

    error: BaseException | None = None
    """Why speaking stopped (re-raised in the reader's thread)."""


MIN_PARALLEL_CHARS = 1000
"""Less text than this (about a minute of speech) is spoken in this process rather than by workers.

Measured on 2 cores, with the optimised voice cached: two workers start in about 0.5 s and speak
about 9% faster than one process with two threads; from about 1,800 characters (the example
article) on, the whole produce is faster with workers. A one-sentence edit stays in-process."""

_READY_AHEAD = 64
"""Spoken clips waiting for the mix: bounds memory if the mix ever falls behind."""


def synthesize(script: Script, settings: Settings, progress: ProgressCallback | None = None,
               cache: SegmentCache | None = None, pool: SynthesisPool | None = None) -> SpeechStream:
    """Every segment's clip, in order, as soon as it is ready: from the cache or freshly spoken.

    Worker processes (if any are needed) start at once, so they load their voices while the caller
    prepares the mix; iterate the result for the clips and close it when done. A ``pool`` shared
    by a batch speaks whatever is missing, however little, and is left running.
    """
    return SpeechStream(script, settings, progress, cache if cache is not None else SegmentCache(), pool)


class Voices:
    """The engine that speaks each role's segments, each loaded once (a voice per role, see
    ``Settings.role_voices``)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._loaded: dict[str | None, tuple[SpeechEngine, EngineOptions]] = {}

    def of(self, segment_role: str) -> tuple[SpeechEngine, EngineOptions]:
        """The engine for a segment of this role, and the options it was made with."""
        settings = self._settings
        voice = settings.role_voices.get(voice_role(segment_role), settings.voice)
        if voice not in self._loaded:
            options = EngineOptions.chosen(settings, voice)
            self._loaded[voice] = (get_engine(settings.engine, options), options)
        return self._loaded[voice]


def plan(script: Script, voices: Voices, cache: SegmentCache) -> tuple[list[str], list[Miss]]:
    """Every segment's cache key, and the segments the cache lacks: what must be spoken now."""
    keys: list[str] = []
    misses: list[Miss] = []
    for index, segment in enumerate(script.segments):
        engine, options = voices.of(segment.role)
        keys.append(segment_key(engine.cache_key(), segment.spoken))
        if not cache.has(keys[-1]):
            misses.append(Miss(index, keys[-1], engine, options))
    return keys, misses


class SpeechStream:
    """The clips of a script in segment order; speaks what the cache lacks in the background.

    Cached clips are read one at a time as they are needed, never all at once. Segments missing
    from the cache are spoken in a background thread, by ``settings.jobs`` worker processes (or in
    this process for jobs=1 or little text), while the caller mixes and encodes what came before.
    Each voice is loaded once per process and only when something needs saying. Every new clip
    passes the quality gate (retried once) before it is cached or used.
    """

    def __init__(self, script: Script, settings: Settings, progress: ProgressCallback | None,
                 cache: SegmentCache, shared: SynthesisPool | None = None) -> None:
        self._script, self._progress, self._cache = script, progress, cache
        self._engines = Voices(settings)
        self._settings = settings
        segments = script.segments
        self._keys, self._misses = plan(script, self._engines, cache)
        self.new_segments = len(self._misses)
        """Segments not in the cache, spoken now."""
        self._started = time.perf_counter()
        jobs = self._jobs = settings.jobs or os.cpu_count() or 1
        # Workers the command started early (speech.early) have loaded their voices by now: they
        # speak whatever is missing, however little.
        enough = (early_workers(settings.engine) > 0
                  or sum(len(segments[miss.place].spoken) for miss in self._misses) >= MIN_PARALLEL_CHARS)
        speaks_in_workers = all(miss.engine.PARALLEL for miss in self._misses)
        self._shared = shared is not None and shared.engine_name == settings.engine and speaks_in_workers
        parallel = jobs > 1 and bool(self._misses) and enough and speaks_in_workers
        if self._shared:  # a batch's workers have their voices loaded: they speak whatever is missing
            self._pool: SynthesisPool | None = shared if self._misses else None
            self._jobs = shared.size if shared is not None else jobs
        else:
            self._pool = SynthesisPool(settings.engine, min(jobs, len(self._misses))) if parallel else None
            if self._pool is None:
                discard_early()
            else:  # the speech stage began when its workers started, early or now
                self._started = min(self._started, self._pool.started)
        log.debug("speaking %d of %d segments %s", len(self._misses), len(segments),
                  f"in {min(jobs, len(self._misses))} worker processes" if self._pool else "in this process")
        self._ready: queue.Queue[Ready] = queue.Queue(maxsize=_READY_AHEAD)
        self._stop = threading.Event()
        self._speaker = threading.Thread(target=self._speak_misses, name="articast-speech", daemon=True)
        if self._misses:  # start speaking now: the caller prepares the mix meanwhile
            self._speaker.start()

    def _hand_over(self, item: Ready) -> None:
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _speak_misses(self) -> None:
        segments, misses = self._script.segments, self._misses
        spoken = None
        try:
            if self._pool is not None:
                spoken = self._pool.speak((miss.options, segments[miss.place].spoken) for miss in misses)
                results: Iterator[Clip] = (Clip(samples, rate) for samples, rate in spoken)
            else:
                results = self._speak_here()
            for miss, clip in zip(misses, results):
                if self._stop.is_set():
                    return
                problem = check_clip(clip, segments[miss.place].spoken)
                if problem is not None:
                    clip = _retry_once(miss.engine, segments[miss.place].spoken, miss.place + 1, problem)
                self._cache.put(miss.key, clip)
                self._hand_over(Ready(miss.place, clip))
        except BaseException as exc:  # Ctrl-C inside an engine included: re-raised in the caller's thread
            self._hand_over(Ready(None, None, exc))
        finally:
            if spoken is not None:
                spoken.close()  # a shared pool's turn ends here if it had not (an error, a stop)

    def _speak_here(self) -> Iterator[Clip]:
        """The misses spoken in this process: side by side, one core each, when there are several.

        A session runs concurrently from threads, so two segments on one loaded voice with one
        onnxruntime thread each take about 40% less time than one after the other on two threads.
        An engine that waits on a server (CONCURRENT) has ``jobs`` requests in flight at once.
        """
        segments, misses = self._script.segments, self._misses
        engines = list({id(miss.engine): miss.engine for miss in misses}.values())
        side_by_side = min(self._jobs, len(misses))
        concurrent = all(engine.CONCURRENT for engine in engines)
        if side_by_side < 2 or not (concurrent or all(engine.PARALLEL for engine in engines)):
            yield from (miss.engine.synthesize(segments[miss.place].spoken) for miss in misses)
            return
        from concurrent.futures import ThreadPoolExecutor

        if not concurrent:
            for engine in engines:
                engine.threads = 1  # before the voice loads
        with ThreadPoolExecutor(side_by_side, thread_name_prefix="articast-voice") as voices:
            futures = [voices.submit(miss.engine.synthesize, segments[miss.place].spoken) for miss in misses]
            try:
                for future in futures:
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()

    def __iter__(self) -> Iterator[Clip]:
        segments = self._script.segments
        done = len(segments) - len(self._misses)
        if self._progress:
            self._progress(Progress("speech", done, len(segments)))
        missing = {miss.place for miss in self._misses}
        try:
            for index, segment in enumerate(segments):
                if index in missing:
                    ready = self._ready.get()
                    if ready.error is not None:
                        raise ready.error
                    assert ready.clip is not None
                    clip = ready.clip
                    done += 1
                    if self._progress:
                        self._progress(Progress("speech", done, len(segments)))
                    if done == len(segments):
                        log.info("timing: speech %.3f s", time.perf_counter() - self._started)
                else:
                    cached = self._cache.get(self._keys[index])
                    if cached is None:  # removed or damaged since it was looked up: say it again here
                        cached = self._engines.of(segment.role)[0].synthesize(segment.spoken)
                        self._cache.put(self._keys[index], cached)
                    clip = cached
                yield clip
        finally:
            self.close()

    def close(self) -> None:
        """Stop speaking (after an error or Ctrl-C, or when done) and stop the workers.

        Called by whoever finishes first (the iteration, the mix, produce itself); only the first call
        waits, at most 2 s, for a segment being spoken in this process, which cannot be interrupted.
        """
        if self._stop.is_set():
            return
        self._stop.set()
        if self._pool is not None and not self._shared:
            self._pool.close()
        if self._speaker.is_alive():
            self._speaker.join(timeout=2)


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


