"""produce(): article -> script -> speech -> audio -> tags and sidecars, reporting progress."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import time
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .config import Settings
from .errors import AudioError, InputError, SpeechError
from .fsutil import atomic_path, remove_stale_temps, staged_files
from .ingest import read_article
from .models import ATTRIBUTION, Article, Clip, Cue, Episode, Mix, Script
from .naming import free_slug, move_episode_in, slugify, source_identity
from .script import build_script
from .speech import EngineOptions, SpeechEngine, get_engine
from .speech.cache import SegmentCache, segment_key
from .speech.workers import SynthesisPool, discard_early, early_workers
from .speech.quality import check_clip

if TYPE_CHECKING:
    from .audio import MixSettings, Music
    from .audio.chunked import ChunkedMp3

# The audio, tag and transcript stages are imported where they are used: that is after the speech
# workers have started, so the 50 ms those imports take passes while the workers load the voice.

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """A progress report: ``done`` of ``total`` steps of ``stage`` are finished."""

    stage: str
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


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
                lexicon: dict[str, str] | None = None) -> Script:
    """Read the article (unless given one already read) and lay out what will be spoken (no synthesis)."""
    article = source if isinstance(source, Article) else read_article(source)
    if title:
        article = dataclasses.replace(article, title=title)
    return build_script(article, lexicon=lexicon)


def _role(segment_role: str) -> str:
    return "question" if segment_role in ("title", "heading") else "answer"


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
        self._engines: dict[str | None, tuple[SpeechEngine, EngineOptions]] = {}
        self._settings = settings
        segments = script.segments
        self._keys: list[str] = []
        self._misses: list[tuple[int, str, SpeechEngine, EngineOptions]] = []
        for index, segment in enumerate(segments):
            engine, options = self._engine_for(segment.role)
            self._keys.append(segment_key(engine.cache_key(), segment.spoken))
            if not cache.has(self._keys[-1]):
                self._misses.append((index, self._keys[-1], engine, options))
        self.new_segments = len(self._misses)
        """Segments not in the cache, spoken now."""
        self._started = time.perf_counter()
        jobs = self._jobs = settings.jobs or os.cpu_count() or 1
        # Workers the command started early (speech.early) have loaded their voices by now: they
        # speak whatever is missing, however little.
        enough = (early_workers(settings.engine) > 0
                  or sum(len(segments[i].spoken) for i, _, _, _ in self._misses) >= MIN_PARALLEL_CHARS)
        speaks_in_workers = all(getattr(engine, "PARALLEL", False) for _, _, engine, _ in self._misses)
        self._shared = shared is not None and shared.engine_name == settings.engine and speaks_in_workers
        parallel = jobs > 1 and bool(self._misses) and enough and speaks_in_workers
        if self._shared:  # a batch's workers have their voices loaded: they speak whatever is missing
            self._pool: SynthesisPool | None = shared if self._misses else None
            self._jobs = shared.size  # type: ignore[union-attr]
        else:
            self._pool = SynthesisPool(settings.engine, min(jobs, len(self._misses))) if parallel else None
            if self._pool is None:
                discard_early()
            else:  # the speech stage began when its workers started, early or now
                self._started = min(self._started, self._pool.started)
        log.debug("speaking %d of %d segments %s", len(self._misses), len(segments),
                  f"in {min(jobs, len(self._misses))} worker processes" if self._pool else "in this process")
        self._ready: queue.Queue = queue.Queue(maxsize=_READY_AHEAD)
        self._stop = threading.Event()
        self._speaker = threading.Thread(target=self._speak_misses, name="articast-speech", daemon=True)
        if self._misses:  # start speaking now: the caller prepares the mix meanwhile
            self._speaker.start()

    def _engine_for(self, segment_role: str) -> tuple[SpeechEngine, EngineOptions]:
        settings = self._settings
        voice = settings.role_voices.get(_role(segment_role), settings.voice)
        if voice not in self._engines:
            options = EngineOptions.chosen(settings, voice)
            self._engines[voice] = (get_engine(settings.engine, options), options)
        return self._engines[voice]

    def _hand_over(self, item: tuple[int | None, Any]) -> None:
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
                spoken = self._pool.speak((options, segments[index].spoken) for index, _, _, options in misses)
                results: Iterator[Clip] = (Clip(samples, rate) for samples, rate in spoken)
            else:
                results = self._speak_here()
            for (index, key, engine, _), clip in zip(misses, results):
                if self._stop.is_set():
                    return
                problem = check_clip(clip, segments[index].spoken)
                if problem is not None:
                    clip = _retry_once(engine, segments[index].spoken, index + 1, problem)
                self._cache.put(key, clip)
                self._hand_over((index, clip))
        except BaseException as exc:  # Ctrl-C inside an engine included: re-raised in the caller's thread
            self._hand_over((None, exc))
        finally:
            if spoken is not None:
                spoken.close()  # a shared pool's turn ends here if it had not (an error, a stop)

    def _speak_here(self) -> Iterator[Clip]:
        """The misses spoken in this process: side by side, one core each, when there are several.

        A session runs concurrently from threads, so two segments on one loaded voice with one
        onnxruntime thread each take about 40% less time than one after the other on two threads.
        """
        segments, misses = self._script.segments, self._misses
        engines = list({id(engine): engine for _, _, engine, _ in misses}.values())
        side_by_side = min(self._jobs, len(misses))
        if side_by_side < 2 or not all(getattr(e, "PARALLEL", False) and hasattr(e, "threads") for e in engines):
            yield from (engine.synthesize(segments[index].spoken) for index, _, engine, _ in misses)
            return
        from concurrent.futures import ThreadPoolExecutor

        for engine in engines:
            engine.threads = 1  # before the voice loads
        with ThreadPoolExecutor(side_by_side, thread_name_prefix="articast-voice") as voices:
            futures = [voices.submit(engine.synthesize, segments[index].spoken) for index, _, engine, _ in misses]
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
        missing = {index for index, _, _, _ in self._misses}
        try:
            for index, segment in enumerate(segments):
                if index in missing:
                    got, clip = self._ready.get()
                    if got is None:
                        raise clip
                    done += 1
                    if self._progress:
                        self._progress(Progress("speech", done, len(segments)))
                    if done == len(segments):
                        log.info("timing: speech %.3f s", time.perf_counter() - self._started)
                else:
                    clip = self._cache.get(self._keys[index])
                    if clip is None:  # removed or damaged since it was looked up: say it again here
                        clip = self._engine_for(segment.role)[0].synthesize(segment.spoken)
                        self._cache.put(self._keys[index], clip)
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


REDO_LU = 0.3
"""Encode again, from the cache, when the finished episode is further than this from the target."""

HEAD_DRIFT_LU = 0.2
"""An episode made again keeps its gain without planning when its head's loudness (before gain) is
within this of the head the gain was planned on, which spares the limiter's trials (0.15-0.3 s).
ffmpeg's meter reads in steps of 0.1 LU, so this is the same reading or up to two steps away.
Measured on the bench's one-word edit in the example's head, at one step (0.1) and 0.15 dB: 3 of 8
runs planned again (1.21-1.69 s against 0.99-1.08 s), and 2 of 14 others re-encoded every chunk
(1.67-1.70 s). At two steps and 0.3 dB: a median of 1.036 s against 1.117 (14 runs each,
interleaved), and six episodes measured -15.98 to -16.05 LUFS (of six at 0.1, one re-planned and
landed at -15.85)."""

GOAL_STEP_LU = 0.05
"""The head's loudness goal is rounded to this step, so an edit further on (which moves the expected
share of music by a hair) plans the head again with the same goal and finds the plan remembered."""

STICKY_GAIN_DB = 0.3
"""An episode made again keeps its last gain when the new plan is this close (a fraction of the
1 dB a listener can just hear, and of the 1 LU the target allows): an edit in the head moves the
plan by hundredths to tenths of a decibel, and with the gain unchanged every chunk the edit did not
touch is reused as it was encoded. An episode that still lands more than REDO_LU off target is
encoded again at the corrected gain."""


def _episode_gain(head: np.ndarray, sr: int, goal: float, identity: str, mix_settings: MixSettings,
                  corrected_db: float | None) -> tuple[float, str]:
    """The gain for this episode's head to meet ``goal`` LUFS, and how it was found.

    The last gain of the same episode (``identity``) is kept when its head is as loud as when that
    gain was planned, or when the new plan is close to it: re-making an edited episode then leaves
    everything the edit did not touch bit for bit the same. A corrected gain (the whole landed off
    target at the first) is used as given and remembered, so the next run does not miss again.
    """
    from .audio import memo, plan_gain
    from .audio.loudness import head_lufs

    measured = head_lufs(head, sr)
    gain_key = memo.digest("episode-gain", identity, mix_settings)
    head_key = memo.digest("episode-head", identity, mix_settings, goal)
    kept, kept_head = memo.recall(gain_key), memo.recall(head_key)
    if corrected_db is not None:
        gain_db, how = corrected_db, "corrected"
        memo.remember(gain_key, gain_db)
        memo.remember(head_key, measured)
    # Readings are 0.1 LU steps held as floats: -17.29 - -17.39 is a hair over 0.1.
    elif kept is not None and kept_head is not None and abs(measured - kept_head) <= HEAD_DRIFT_LU + 1e-6:
        gain_db, how = kept, "kept: the head is as loud as when it was planned"
    else:
        gain_db, how = plan_gain(head, sr, goal), "planned"
        if kept is not None and abs(kept - gain_db) <= STICKY_GAIN_DB:
            gain_db, how = kept, f"kept: within {STICKY_GAIN_DB} dB of the plan"
            if kept_head is None:
                memo.remember(head_key, measured)
            # else the head the kept gain was planned on stays the reference, so drift cannot add up
        else:
            memo.remember(gain_key, gain_db)
            memo.remember(head_key, measured)
    return gain_db, how


MUSIC_STICKY_LU = 0.5
"""An episode made again keeps its music level when its head's speech is within this of the speech
the level was set against. An edit in the head moves that loudness by hundredths of a LU, and a new
music level changes the intro's and the outro's samples, so both chunks were encoded again (0.3 s
of the example's warm run); half a LU under the voice is not heard."""


def _music_reference(identity: str, mix_settings: MixSettings) -> Callable[[float], float]:
    """The head's speech loudness the music is set against: the last one for this episode, if close."""
    from .audio import memo

    key = memo.digest("music-reference", identity, mix_settings)

    def reference(measured: float) -> float:
        kept = memo.recall(key)
        if kept is not None and abs(kept - measured) <= MUSIC_STICKY_LU:
            return kept  # the reference stays put, so small moves cannot add up over many edits
        memo.remember(key, measured)
        return measured

    return reference


OUTRO_STICKY_MS = 1500
"""An episode made again keeps its outro's length while its share of the new speech is within this
of it. The length follows the speech in whole seconds of its share, and an edit that moved the
speech across a whole second (Piper's noise alone moves the example's 100 s by half a second)
made the outro a second longer or shorter, and its chunk was encoded again."""


def _outro_reference(identity: str, mix_settings: MixSettings) -> Callable[[float], int]:
    """How long the outro plays after this much speech: as long as last time for this episode, if close."""
    from .audio import memo
    from .audio.mix import outro_max_ms

    key = memo.digest("outro-length", identity, mix_settings)
    kept = memo.recall(key)
    written = [kept]

    def length(speech_ms: float) -> int:
        exact = mix_settings.outro_share * speech_ms
        chosen = outro_max_ms(speech_ms, mix_settings)
        if kept is not None and chosen != kept and abs(kept - exact) <= OUTRO_STICKY_MS:
            chosen = int(kept)
        if chosen != written[0]:  # the last call, for the whole speech, is the one that stays
            memo.remember(key, chosen)
            written[0] = chosen
        return chosen

    return length


def _mix_and_encode(script: Script, clips: SpeechStream, music: Music, mix_settings: MixSettings,
                    path: Path, target: float, progress: ProgressCallback | None, jobs: int,
                    identity: str, corrected_db: float | None = None) -> tuple[Mix, float, float]:
    """Mix the clips as they come and encode in the same stream; the mix's layout (as heard) and its loudness.

    The gain is planned on the head of the mix (the first half minute of speech, or all of a
    short episode) and applied, with the limiter, as the rest streams through; the encoder meters
    everything it encodes, so the caller can check the whole against the target. ``identity`` names
    the episode (its MP3), whose last gain is kept if the new plan is close to it.
    """
    from .audio import mix_episode
    from .audio.chunked import ChunkedMp3

    streams: list[ChunkedMp3] = []
    gains: list[float] = []

    def start(head: np.ndarray, shift_db: float) -> ChunkedMp3:
        goal = round((target - shift_db) / GOAL_STEP_LU) * GOAL_STEP_LU
        sr = mix_settings.sample_rate_hz
        gain_db, how = _episode_gain(head, sr, goal, identity, mix_settings, corrected_db)
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
        mix = mix_episode(script, clips, music, mix_settings, start, _music_reference(identity, mix_settings),
                          _outro_reference(identity, mix_settings))
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
    article = source if isinstance(source, Article) else read_article(source)
    script = load_script(article, title, settings.lexicon)
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


T = TypeVar("T")

AHEAD = 1
"""Articles a batch reads and speaks while the one before is still mixed and encoded: the workers
go on to the next article's segments as soon as the last clip of one is in."""


class ArticleRunner:
    """Runs a command's articles a few at a time and hands back their outcomes in order (see Batch)."""

    threads = 1
    """Articles in hand at once."""

    wait_on_stop = True
    """Whether Ctrl-C waits for the articles in hand to fail (their speech stopped) before it goes on."""

    def run(self, tasks: list[Callable[[], T]]) -> Iterator[tuple[int, T | Exception]]:
        """Run ``tasks`` (each usually calls ``produce``), ``threads`` at a time; yield each one's index
        and result, or the Exception it raised, in order. Ctrl-C stops what runs (see close)."""
        from concurrent.futures import ThreadPoolExecutor

        executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="articast-article")
        futures = [executor.submit(_outcome, task) for task in tasks]
        try:
            for index, future in enumerate(futures):
                yield index, future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            self.close()  # the articles in hand fail at once
            executor.shutdown(wait=self.wait_on_stop)
            raise
        executor.shutdown(wait=True)

    def close(self) -> None:
        """Stop whatever speaks for the articles."""

    def __enter__(self) -> ArticleRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Batch(ArticleRunner):
    """Many articles produced with one set of speech workers, each with its voice loaded once.

    Each article is made by :func:`produce`, exactly as it would be alone (the same loudness, tags,
    chapters, sidecars and cache entries); only the workers are shared. While one article is mixed
    and encoded, the next is read and spoken, so no core waits between articles; at most
    ``1 + AHEAD`` articles are in hand at once, so memory does not grow with the batch.
    """

    def __init__(self, settings: Settings, articles: int) -> None:
        self.settings = settings
        self.pool: SynthesisPool | None = None
        jobs = settings.jobs or os.cpu_count() or 1
        from .speech.early import ENGINES

        if articles > 1 and jobs > 1 and settings.engine in ENGINES:
            from .speech.workers import start_early

            # The workers load the voice the bodies are spoken in while the first article is read.
            options = EngineOptions.chosen(settings, settings.role_voices.get("answer", settings.voice))
            start_early(settings.engine, jobs, options, prepare_apart=True)
            self.pool = SynthesisPool(settings.engine, jobs)
        self.ahead = AHEAD if self.pool is not None else 0
        self.threads = 1 + self.ahead

    def produce(self, source: str | Path | Article, settings: Settings | None = None, **kwargs: Any) -> Episode:
        """One article's episode, spoken by the batch's workers (thread-safe)."""
        return produce(source, settings or self.settings, pool=self.pool, **kwargs)

    def close(self) -> None:
        """Stop the workers."""
        if self.pool is not None:
            self.pool.close()


def _outcome(task: Callable[[], T]) -> T | Exception:
    try:
        return task()
    except Exception as exc:  # reported by the caller, in order; Ctrl-C is not an Exception
        return exc


SAMPLE_TEXT = ("Hello. This is how your articles will sound in this voice. Here is a longer sentence, with a "
               "pause or two, so you can hear its pace and its tone: would it suit your show?")
"""What ``articast voices --sample`` says: two sentences, and a question, as an article has."""


def voice_sample(voice: str, settings: Settings, path: Path) -> Path:
    """Speak SAMPLE_TEXT in ``voice`` into an MP3 at ``path``, at the episode's loudness; the path written."""
    from .audio.encode import encode_mp3
    from .audio.loudness import normalise, target_lufs

    path = Path(path)
    if path.is_dir():
        path = path / f"{Path(voice).stem if voice.endswith('.onnx') else voice}-sample.mp3"
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")
    engine = get_engine(settings.engine, EngineOptions.chosen(settings, voice))
    clip = engine.synthesize(SAMPLE_TEXT)
    problem = check_clip(clip, SAMPLE_TEXT)
    if problem:
        raise SpeechError(f"the sample in voice {voice!r} {problem}")
    stereo = np.repeat(np.asarray(clip.samples, dtype=np.float32).reshape(-1, 1), 2, axis=1)
    levelled, _ = normalise(stereo, clip.sample_rate_hz, target_lufs(2))
    with atomic_path(path) as tmp:
        encode_mp3(levelled, clip.sample_rate_hz, tmp)
    return path
