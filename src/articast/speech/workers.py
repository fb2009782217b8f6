"""Synthesis in worker processes: each loads its voice once, with onnxruntime at one thread.

Workers are plain subprocesses (``python -m articast.speech.workers ENGINE``) that read jobs and
write clips as length-prefixed pickles over their pipes. Unlike a multiprocessing pool they never
re-import the caller's ``__main__``, so produce() works from any script, notebook or stdin.
Segments are handed out one at a time, so the work balances itself sentence by sentence (a long
segment keeps one worker busy while the others take the next ones), and clips are returned in
order. Workers ignore Ctrl-C; the parent stops them at once.
"""

from __future__ import annotations

import gc
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from typing import IO, Any, BinaryIO

from ..errors import SpeechError

_LENGTH = struct.Struct("<Q")


def _write_frame(stream: BinaryIO, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _read_exact(stream: IO[bytes], size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream: IO[bytes] | None) -> Any:
    if stream is None:  # (a worker is always started with a pipe)
        raise EOFError
    header = _read_exact(stream, _LENGTH.size)
    if header is None:
        raise EOFError
    body = _read_exact(stream, _LENGTH.unpack(header)[0])
    if body is None:
        raise EOFError
    return pickle.loads(body)


class _Worker:
    def __init__(self, engine_name: str) -> None:
        # Two malloc arenas, not one per thread: onnxruntime's allocations fragment less (measured over
        # 120 segments of a long article: peak 407 MiB against 425, at the same speed). One OpenBLAS
        # thread: a worker does no linear algebra in numpy (see articast._startup).
        env = {"MALLOC_ARENA_MAX": "2", "OPENBLAS_NUM_THREADS": "1", **os.environ}
        self.engine_name = engine_name
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "articast.speech.workers", engine_name],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.busy_with: int | None = None


_EARLY: list[_Worker] = []
"""Workers started before the article was read (``start_early``), waiting for a SynthesisPool."""


def start_early(engine_name: str, jobs: int, options: Any, prepare_apart: bool) -> None:
    """Start ``jobs`` workers now and have each load the voice for ``options`` at once, before any
    segment is known; the next SynthesisPool for ``engine_name`` takes them over.

    The command calls this when it can tell that a produce will need workers (see speech.early):
    they then start Python and load their voice while this process reads the article, lays out
    its script and prepares the mix, instead of after all that. ``prepare_apart`` is passed on
    to the engine (see PiperEngine), since the first segment that would say so comes later.
    """
    for _ in range(jobs):
        worker = _Worker(engine_name)
        try:
            _write_frame(worker.proc.stdin, (options, None, prepare_apart))  # type: ignore[arg-type]
        except OSError:  # it stopped already: the pool starts its own
            worker.proc.kill()
            continue
        _EARLY.append(worker)


def early_workers(engine_name: str) -> int:
    """How many workers started early for ``engine_name`` are waiting."""
    return sum(worker.engine_name == engine_name for worker in _EARLY)


def discard_early() -> None:
    """Stop the workers started early that no pool took over (nothing to say, or an error)."""
    stopped = [_EARLY.pop() for _ in range(len(_EARLY))]
    if stopped:
        _stop([worker.proc for worker in stopped])


class SynthesisPool:
    """``jobs`` worker processes for one engine: those started early for it first (``start_early``).

    A pool may speak for one article after another (a batch shares one, and each worker keeps its
    voice loaded): ``speak`` calls take turns, and a turn ends as soon as the workers have handed
    back their last clip, so the next article's speech starts while the caller still works on the
    last clips of the one before."""

    def __init__(self, engine_name: str, jobs: int) -> None:
        jobs = max(1, jobs)
        self.engine_name = engine_name
        self._workers = [worker for worker in _EARLY if worker.engine_name == engine_name
                         and worker.proc.poll() is None][:jobs]
        for worker in self._workers:
            _EARLY.remove(worker)
        discard_early()
        self._workers += [_Worker(engine_name) for _ in range(jobs - len(self._workers))]
        self.started = min(worker.started for worker in self._workers)
        """When its first worker started (time.perf_counter): speech began then."""
        self._closed = False
        self._turn = threading.Lock()
        self._segments = 0  # handed out over all turns
        self.spawned = len(self._workers)
        """How many worker processes this pool has started or taken over, replacements included."""

    @property
    def size(self) -> int:
        """How many workers speak at once."""
        return len(self._workers)

    def _replace_dead(self) -> None:
        """A worker that died during an earlier turn (killed, out of memory) is replaced by a new one."""
        for index, worker in enumerate(self._workers):
            if worker.proc.poll() is not None:
                _stop([worker.proc])
                self._workers[index] = _Worker(self.engine_name)
                self.spawned += 1

    def _drain(self) -> None:
        """Read and drop the clips still being spoken for an abandoned turn, so the next turn does not
        take them for its own. A worker that does not answer is stopped, and replaced next turn."""
        for worker in self._workers:
            if worker.busy_with is None:
                continue
            worker.busy_with = None
            if self._closed:
                continue
            try:
                _read_frame(worker.proc.stdout)
            except (EOFError, OSError, ValueError):
                _stop([worker.proc])

    def speak(self, jobs: Iterable[tuple[Any, str]]) -> Generator[tuple[Any, int], None, None]:
        """Samples and rate for each (engine options, text), in the order given; one turn of the pool."""
        queue = list(jobs)
        while not self._turn.acquire(timeout=_CLOSED_CHECK_S):
            if self._closed:
                raise _stopped(True)
        holding = True
        try:
            if self._closed:
                raise _stopped(True)
            self._replace_dead()
            for result in self._speak(queue):
                if result is None:  # every clip is in: the next turn may start
                    self._turn.release()
                    holding = False
                    continue
                yield result
        finally:
            if holding:
                self._drain()
                self._turn.release()

    def _speak(self, queue: list[tuple[Any, str]]) -> Iterator[tuple[Any, int] | None]:
        """The turn's clips in order, and None once the workers have handed back the last of them."""
        # Jobs go out in order, so the mix can follow close behind, except the last few: longest
        # first there, so the workers finish together instead of one waiting on a long last segment.
        order = list(range(len(queue)))
        tail = order[-2 * len(self._workers):]
        order[len(order) - len(tail):] = sorted(tail, key=lambda i: -len(str(queue[i][1])))
        results: dict[int, tuple[Any, int]] = {}
        next_job = next_out = 0
        # A worker may hand back its memory (reload its voice) only on a long article, or deep into a
        # batch: over a short article alone a reload costs more time than its memory is worth.
        self._segments += len(queue)
        may_release = self._segments >= RELEASE_MIN_SEGMENTS * len(self._workers)

        def hand_out(worker: _Worker) -> None:
            nonlocal next_job
            if next_job < len(queue):
                options, text = queue[order[next_job]]
                try:
                    _write_frame(worker.proc.stdin, (options, text, may_release))  # type: ignore[arg-type]
                except (OSError, ValueError):  # it died since its last clip (or close() closed its pipe)
                    raise _stopped(self._closed) from None
                worker.busy_with = order[next_job]
                next_job += 1

        selector = selectors.DefaultSelector()
        for worker in self._workers:
            selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)  # type: ignore[arg-type]
            hand_out(worker)
        received = 0
        try:
            while received < len(queue):
                # Checked between waits: once close() has reaped the workers it closes their pipes,
                # and a select on pipes that are gone would wait for ever (epoll forgets them).
                if self._closed:
                    raise _stopped(True)
                for key, _ in selector.select(timeout=_CLOSED_CHECK_S):
                    worker = key.data
                    try:
                        kind, value = _read_frame(worker.proc.stdout)
                    except (EOFError, OSError, ValueError):  # ValueError: a pipe close() has closed
                        raise _stopped(self._closed) from None
                    if kind == "error":
                        worker.busy_with = None  # it has answered: nothing of this turn is left in it
                        raise value
                    results[worker.busy_with] = value
                    worker.busy_with = None
                    received += 1
                    # The next segment goes out before this one is handed on: the caller checks,
                    # caches and mixes each clip, and the worker would wait for all of that.
                    hand_out(worker)
                while next_out in results and received < len(queue):
                    yield results.pop(next_out)
                    next_out += 1
        finally:
            selector.close()
        yield None
        while next_out < len(queue):
            yield results.pop(next_out)
            next_out += 1

    def close(self) -> None:
        """Stop the workers now (after an error or Ctrl-C) or when done.

        They are killed here and reaped by a thread: the system takes about 50 ms to tear down two
        workers' memory, which the end of a produce need not wait for. Their pipes are closed only
        once they are gone: a thread still waiting in ``speak`` wakes on the end of their output, and
        one that comes back to wait later finds the pool closed.
        """
        self._closed = True
        _stop([worker.proc for worker in self._workers])


def _stopped(closed: bool) -> SpeechError:
    """The error for a worker found gone: stopped by close(), or on its own (killed, crashed)."""
    if closed:
        return SpeechError("speech was stopped before every segment was spoken")
    return SpeechError("a speech worker stopped unexpectedly; run again to continue (what was spoken is cached)")


def _stop(procs: list[subprocess.Popen]) -> None:
    """Kill worker processes now; a thread reaps them and closes their pipes (see SynthesisPool.close)."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()

    def reap() -> None:
        for proc in procs:
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()  # type: ignore[union-attr]
                except OSError:
                    pass

    threading.Thread(target=reap, name="articast-reap", daemon=True).start()


_CLOSED_CHECK_S = 0.25
"""How long ``speak`` waits for a clip before it looks again whether the pool was closed meanwhile."""

RELEASE_MIN_SEGMENTS = 20
"""Segments per worker an article must have for a worker over WORKER_MEMORY_MB to reload its voice.

On a 3-minute article (12 segments a worker) reloads cost 4% of the time and saved no memory that
mattered. On a long article they are needed to the end: the last segments go out longest first,
and without reloads there the two workers peaked together at 897 MiB in the last seconds."""

WORKER_MEMORY_MB = 340
"""A worker using more than this reloads its voice before the next segment (see RELEASE_MIN_SEGMENTS).

onnxruntime's memory arena grows in doubling steps with the longest runs it has seen and never
shrinks: on a 3,000-word article a worker crept from 370 to 550 MB. Freeing the session gives it
all back (450 -> 155 MB) and reloading the cached, optimised voice takes 0.17 s. Measured on 90
segments: peak 395 MB with 9 reloads, against 478 MB without, at the same speed. Over 120
segments of a long article (MALLOC_ARENA_MAX=2): 360 MB peaked at 407 MiB, 330 at 382 MiB and 4%
slower; two workers, the main process and the encoder must stay under 1 GiB together."""


def give_back_memory() -> None:
    """Collect garbage and return freed heap memory to the system (glibc only; elsewhere only the first).

    After a reload, a worker that freed its voice without this still held 166-205 MB instead of
    75, and went back over WORKER_MEMORY_MB after a segment or two (3,000 words: 40 reloads
    against 32)."""
    import ctypes

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _resident_mb() -> float:
    """This process's resident memory in MB (Linux); 0 where /proc is not available."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def main(engine_name: str) -> None:
    """Worker loop: read (options, text, may_release), answer ("ok", (samples, rate)) or ("error", exception)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    frames_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the frames
    frames_in = sys.stdin.buffer
    from . import get_engine

    engines: dict[Any, Any] = {}

    def engine_for(options: Any, may_release: bool) -> Any:
        engine = engines.get(options)
        if engine is None:
            engine = get_engine(engine_name, options)
            if hasattr(engine, "threads"):
                engine.threads = 1
            if hasattr(engine, "prepare_apart"):
                # A worker that will reload its voice must not carry the memory of preparing it.
                engine.prepare_apart = may_release
            engines[options] = engine
        return engine

    while True:
        try:
            options, text, may_release = _read_frame(frames_in)
        except EOFError:
            return
        if text is None:  # started early (start_early): load the voice now; nothing to answer
            try:
                load = getattr(engine_for(options, may_release), "load", None)
                if load is not None:
                    load()
            except Exception:  # the first segment loads it again, and reports what goes wrong
                engines.pop(options, None)
            continue
        try:
            engine = engine_for(options, may_release)
            clip = engine.synthesize(text)
            _write_frame(frames_out, ("ok", (clip.samples, clip.sample_rate_hz)))
        except Exception as exc:  # sent to the parent, which raises it there
            _write_frame(frames_out, ("error", exc))
        if may_release and _resident_mb() > WORKER_MEMORY_MB:
            # onnxruntime's arena only grows: hand its memory back by loading the voice afresh.
            for engine in engines.values():
                release = getattr(engine, "release", None)
                if release is not None:
                    release()
            give_back_memory()


if __name__ == "__main__":
    main(sys.argv[1])
