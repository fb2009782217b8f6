"""The synthesis cache, counted in engine calls, and the quality gate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from articast import Settings, SpeechError, pipeline
from articast.models import Clip
from articast.speech.cache import SegmentCache, segment_key

ARTICLE = """A Small Article

The first paragraph has two sentences. It is short.

The second paragraph is here. It ends now.

The third paragraph closes the piece.
"""


class CountingEngine:
    """A stand-in voice: a tone as long as the words need, and a count of every call."""

    NAME = "counting"
    OFFLINE = True
    PARALLEL = False
    CONCURRENT = False
    OPTIONS: dict = {}
    threads = None

    def __init__(self, pace: float = 160.0, fail_on: set[int] | None = None, bad: dict[str, int] | None = None):
        self.calls: list[str] = []
        self.pace = pace
        self.fail_on = fail_on or set()
        self.bad = bad or {}

    def cache_key(self) -> dict:
        return {"engine": self.NAME, "pace": self.pace}

    def synthesize(self, text: str) -> Clip:
        self.calls.append(text)
        if len(self.calls) in self.fail_on:
            raise KeyboardInterrupt
        n = int(len(text.split()) * 60 / self.pace * 22050)
        samples = (0.3 * np.sin(2 * np.pi * 180 * np.arange(n) / 22050)).astype(np.float32)
        remaining = self.bad.get(text, 0)
        if remaining:
            self.bad[text] = remaining - 1
            samples = np.zeros(n, dtype=np.float32)  # silence, as a broken engine may return
        return Clip(samples, 22050)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    return path


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> CountingEngine:
    fake = CountingEngine()
    monkeypatch.setattr("articast.speech.schedule.get_engine", lambda name, options: fake)
    return fake


def settings(tmp_path: Path) -> Settings:
    return Settings(out_dir=tmp_path / "show", music=False)


@pytest.mark.slow
def test_second_run_calls_the_engine_not_once(tmp_path, article, engine, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    pipeline.produce(article, settings(tmp_path))
    first = len(engine.calls)
    assert first == len(pipeline.load_script(article).segments) == 6  # title and five sentences
    pipeline.produce(article, settings(tmp_path))
    assert len(engine.calls) == first


@pytest.mark.slow
def test_editing_one_sentence_resynthesises_only_that_sentence(tmp_path, article, engine, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    pipeline.produce(article, settings(tmp_path))
    engine.calls.clear()
    article.write_text(ARTICLE.replace("It ends now.", "It ends here instead."))
    pipeline.produce(article, settings(tmp_path))
    assert engine.calls == ["It ends here instead."]
    # A sentence that grows long moves no other sentence into a new segment (grouping sentences up
    # to a length would have pushed "It ends now." into a segment of its own, spoken again).
    engine.calls.clear()
    longer = ("The second paragraph is here, and now it goes on and on, clause after clause, for long "
              "enough that no other sentence would fit beside it in a segment of a couple of hundred letters.")
    article.write_text(ARTICLE.replace("The second paragraph is here.", longer))
    pipeline.produce(article, settings(tmp_path))
    assert engine.calls == [longer]


@pytest.mark.slow
def test_an_interrupted_run_continues_where_it_stopped(tmp_path, article, engine, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    engine.fail_on = {5}  # Ctrl-C while the fifth segment is being spoken
    with pytest.raises(KeyboardInterrupt):
        pipeline.produce(article, settings(tmp_path))
    assert not (tmp_path / "show").exists()
    engine.fail_on = set()
    engine.calls.clear()
    pipeline.produce(article, settings(tmp_path))
    assert len(engine.calls) == 2  # segments 5 and 6; the first four came from the cache


def test_every_sound_setting_is_part_of_the_key():
    base = {"engine": "piper", "voice": "joe", "speaker": None, "length_scale": 1.29}
    keys = {segment_key(base, "Hello."), segment_key(base, "Hello!"),
            segment_key({**base, "length_scale": 1.2}, "Hello."), segment_key({**base, "voice": "x"}, "Hello."),
            segment_key({**base, "speaker": 1}, "Hello.")}
    assert len(keys) == 5


@pytest.mark.slow
def test_a_corrupt_entry_is_detected_and_redone(tmp_path, article, engine, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(cache_dir))
    pipeline.produce(article, settings(tmp_path))
    entries = sorted(cache_dir.glob("*/*.seg"))
    assert len(entries) == 6
    damaged = entries[0]
    data = bytearray(damaged.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte in the samples
    damaged.write_bytes(bytes(data))
    entries[1].write_bytes(entries[1].read_bytes()[:30])  # a torn write
    engine.calls.clear()
    pipeline.produce(article, settings(tmp_path))
    assert len(engine.calls) == 2
    assert SegmentCache(cache_dir).get(damaged.stem) is not None


def test_cache_entries_are_written_atomically(tmp_path):
    cache = SegmentCache(tmp_path)
    cache.put("ab" * 32, Clip(np.ones(10, dtype=np.float32) * 0.5, 22050))
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{'ab' * 32}.seg"]
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.slow
def test_quality_gate_reports_a_segment_that_stays_broken(tmp_path, article, engine, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    broken = "The third paragraph closes the piece."
    engine.bad = {broken: 2}
    with pytest.raises(SpeechError, match=r'segment 6 \("The third paragraph closes the piece."\) came back silent'):
        pipeline.produce(article, settings(tmp_path))
    assert engine.calls.count(broken) == 2
    assert not (tmp_path / "show").exists()
    # The good segments were cached; the broken one was not.
    engine.calls.clear()
    engine.bad = {}
    pipeline.produce(article, settings(tmp_path))
    assert engine.calls == [broken]


def test_quality_gate_passes_a_clip_that_recovers(tmp_path, article, engine, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    engine.bad = {"The third paragraph closes the piece.": 1}
    pipeline.produce(article, settings(tmp_path))
    assert engine.calls.count("The third paragraph closes the piece.") == 2


@pytest.mark.parametrize("samples, problem", [
    (np.zeros(0, dtype=np.float32), "empty"),
    (np.zeros(22050, dtype=np.float32), "silent"),
    (np.ones(22050, dtype=np.float32), "clipped"),
    (np.full(22050 * 30, 0.2, dtype=np.float32), "too long"),
])
def test_check_clip_names_the_problem(samples, problem):
    from articast.speech.quality import check_clip

    text = "A sentence of about eight words, said aloud."
    assert problem in check_clip(Clip(samples, 22050), text)


@pytest.mark.slow
def test_real_piper_warm_run_loads_no_voice_and_speaks_nothing(tmp_path, short_article, monkeypatch):
    from articast.speech.piper import PiperEngine

    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    spoken: list[str] = []
    real = PiperEngine.synthesize

    def counted(self, text):
        spoken.append(text)
        return real(self, text)

    monkeypatch.setattr(PiperEngine, "synthesize", counted)
    pipeline.produce(short_article, Settings(out_dir=tmp_path / "a", music=False))
    cold = len(spoken)
    loads: list[int] = []
    monkeypatch.setattr(PiperEngine, "_load", lambda self: loads.append(1))
    pipeline.produce(short_article, Settings(out_dir=tmp_path / "b", music=False))
    assert cold == len(pipeline.load_script(short_article).segments) and len(spoken) == cold
    assert loads == []


def test_cache_command_shows_and_clears(tmp_path, monkeypatch):
    cache = SegmentCache(tmp_path / "c")
    cache.put("cd" * 32, Clip(np.ones(1000, dtype=np.float32) * 0.1, 22050))
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "c"))
    from articast.audio import memo

    memo.save_bytes(memo.digest("chunk"), ".mp3c", b"x" * 200_000)  # encoded audio kept beside the segments
    voices = tmp_path / "c" / "models"
    voices.mkdir()
    (voices / "abc.onnx").write_bytes(b"g" * 300_000)  # a prepared voice: its graph and its weights
    (voices / "abc.onnx.weights").write_bytes(b"w" * 2_000_000)
    (voices / ".abc.onnx.1234.tmp").write_bytes(b"t" * 5_000_000)  # one being written: not counted
    env = {**__import__("os").environ, "ARTICAST_CACHE_DIR": str(tmp_path / "c")}
    shown = subprocess.run([sys.executable, "-m", "articast", "cache"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and ": 1 segments" in shown.stdout
    assert "voices prepared for this machine 2.3 MB" in shown.stdout
    cleared = subprocess.run([sys.executable, "-m", "articast", "cache", "--clear"], capture_output=True, text=True,
                             env=env)
    assert cleared.returncode == 0 and "cleared 1 segments" in cleared.stdout
    assert "0.0 MB of encoded audio" not in cleared.stdout
    assert "kept the voices prepared for this machine (2.3 MB)" in cleared.stdout
    assert cache.stats().entries == 0 and cache.stats().audio_bytes == 0
    assert cache.stats().voices_bytes == 2_300_000  # made once per machine: clearing keeps them


@pytest.mark.slow
def test_worker_processes_speak_what_one_process_would(tmp_path, monkeypatch):
    """jobs=2: real Piper in two spawned workers; every segment comes back, in order, and is cached."""
    from articast.speech import workers

    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("articast.speech.schedule.MIN_PARALLEL_CHARS", 0)
    pools: list[int] = []

    class CountingPool(workers.SynthesisPool):
        def __init__(self, engine_name, jobs):
            pools.append(jobs)
            super().__init__(engine_name, jobs)

    monkeypatch.setattr("articast.speech.schedule.SynthesisPool", CountingPool)
    article = tmp_path / "a.txt"
    article.write_text("Workers Speak\n\n" + " ".join(f"This is sentence number {n} of the test." for n in range(1, 9)))
    script = pipeline.load_script(article)
    clips = list(pipeline.synthesize(script, Settings(jobs=2)))
    assert pools == [2]
    assert len(clips) == len(script.segments)
    for clip, segment in zip(clips, script.segments):
        words = len(segment.spoken.split())
        assert 100 < words / (clip.duration_ms / 60000) < 230
    assert SegmentCache().stats().entries == len(script.segments)


@pytest.mark.slow
def test_closing_the_speech_stream_waits_once_for_a_segment_spoken_here(tmp_path, article, monkeypatch):
    """Ctrl-C while a segment is spoken in this process: produce, the mix and the stream each close the
    stream, and only the first waits (at most 2 s) for the segment, which cannot be interrupted.
    Each waited before, so the command took 6 s to stop."""
    import threading
    import time

    speaking, release = threading.Event(), threading.Event()

    class SlowEngine(CountingEngine):
        def synthesize(self, text: str) -> Clip:
            speaking.set()
            release.wait(30)
            return super().synthesize(text)

    monkeypatch.setattr("articast.speech.schedule.get_engine", lambda name, options: SlowEngine())
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    script = pipeline.load_script(article)
    stream = pipeline.synthesize(script, Settings(out_dir=tmp_path / "show", music=False, jobs=1))
    try:
        assert speaking.wait(30)
        started = time.monotonic()
        for _ in range(3):
            stream.close()
        assert 1.9 < time.monotonic() - started < 3.5
    finally:
        release.set()
