"""The voice prepared for this machine: Piper's graph rewritten (speech.voicegraph) and optimised by
onnxruntime for this CPU, kept in the cache's models folder and loaded from there the next time.

Made once per voice and machine: in this process, or (``apart``) in a process of its own while this
one speaks with the voice as it is. Two processes never make the same voice at once (a claim file).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .workers import give_back_memory

log = logging.getLogger(__name__)


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
    """Where this machine keeps the voice rewritten and optimised for its CPU (see ``load_session``)."""
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


def load_session(model: Path, threads: int | None, apart: bool = False):
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
    """The command that makes the prepared voice in a process of its own (see ``load_session``)."""
    return [sys.executable, "-c", "import sys; from articast.speech.prepared import build_prepared_voice; "
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
