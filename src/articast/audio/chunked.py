"""MP3 encoding in chunks cut at pauses: encoded side by side, remembered by content, spliced into one file.

The mix streams into :class:`ChunkedMp3`, which cuts the episode in the silence after each
paragraph (or, in a long paragraph, between sentences). Each chunk passes the loudness chain and
LAME in its own ffmpeg, up to ``jobs`` at a time, and is remembered under a hash of its samples
and the encoder settings. After a one-sentence edit the chunks before
and after the edit have the same samples as last time (only their place in the episode moved), so
only the chunk holding the edit is encoded again.

Splicing. A LAME stream starts with 1,105 samples of encoder and decoder delay and ends padded to a
whole frame of 1,152. Players skip the first stream's delay and the last one's padding (the LAME
tag says how much), but not what lies between. So each cut drops exactly 1,105 samples of the
pause, and the chunk before it is padded by 47 to 1,198 samples of silence: a pause at a cut grows
by 1-27 ms. :meth:`ChunkedMp3.output_frame` maps the mix's timeline to the file's, so cues
and chapters land where they are heard. The chunks hold no header of their own; ffmpeg's mp3
muxer joins them behind one Xing/LAME header, whose delay and padding are then set here.

Loudness. Each chunk's ebur128 meter logs the momentary loudness of every 400 ms block (every
100 ms); the episode's integrated loudness is gated over all of them, as ITU-R BS.1770 does.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import hashlib
import json
import logging
import os
import queue
import re
import struct
import subprocess
import tempfile
import threading
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import AudioError
from ..ffmpeg import ffmpeg_exe
from . import memo
from .encode import LAME_QUALITY, MONO_BITRATE_KBPS, STEREO_BITRATE_KBPS
from .loudness import LAME_GAIN_DB, NOISE_FLOOR_DBFS, NoiseFloor, gated_loudness, loudness_chain

log = logging.getLogger(__name__)

FRAME_SAMPLES = 1152
"""Samples in one MPEG-1 Layer III frame."""

ENCODER_DELAY = 576
"""LAME's own delay, as its tag records it."""

STREAM_DELAY = ENCODER_DELAY + 529
"""Samples a decoder outputs before a LAME stream's first input sample (529: the decoder's delay)."""

MIN_PARAGRAPH_S = 3.0
"""A chunk ends at the pause after every paragraph at least this long (not after a heading).

No minimum length for the chunk itself: that would pair paragraphs, and an edit that changed one
paragraph's length would re-pair (and re-encode) every paragraph after it. Measured: an ffmpeg
per chunk costs 24 ms of CPU, about 1% on an article of 20 s paragraphs."""

LONG_CHUNK_S = 10.0
"""A chunk that reaches this length without such a pause (a long paragraph) ends at any pause.

A warm run encodes again the chunk that holds the edit, so the shorter the chunks the less it
encodes; each chunk costs an ffmpeg (24 ms of CPU). Measured on the example, whose paragraphs run
15-25 s: at 10 s against 20, warm medians 1.062 s against 1.099 and 1.107 against 1.181 (16 and 10
interleaved runs). Cold runs pay for the extra chunks (the example's 5 became 9: about 0.1 CPU-s),
about 1%, within this machine's noise: 5.23 s against 5.17 on the example, 8.85 against 8.81 on
seed-article (medians of 12 and 10)."""

PARAGRAPH_GAP_MS = 600
"""Digital silence at least this long is a paragraph's (or a chapter's) pause."""

MIN_GAP_MS = 250
"""Digital silence at least this long is a sentence's pause: the shortest a cut is made in."""

LEAD_MS = 200
"""Silence a chunk keeps before its first sound."""

_MAGIC = b"ACMC"
_M_VALUE = re.compile(r"\bM:\s*(-inf|-?\d+(?:\.\d+)?)")


def lame_frames(samples: int) -> int:
    """How many frames LAME (through ffmpeg) writes for this many input samples.

    Measured (stereo and mono, every remainder around a frame boundary): one frame more than the
    samples fill, so a stream's 1,105 samples of delay plus its padding always come to 1,152-2,303.
    """
    return -(-samples // FRAME_SAMPLES) + 1


@dataclass(frozen=True)
class _Encoded:
    samples: int
    """Input samples (per channel) in the chunk."""
    mp3: bytes
    """Its MP3 frames, no header."""
    momentary_lufs: tuple[float, ...]
    """The meter's block loudness after gain and limiter, every 100 ms."""

    def pack(self) -> bytes:
        head = json.dumps({"samples": self.samples, "momentary": self.momentary_lufs,
                           "crc32": zlib.crc32(self.mp3)}).encode()
        return _MAGIC + struct.pack("<I", len(head)) + head + self.mp3

    @staticmethod
    def unpack(data: bytes) -> _Encoded:
        """A stored chunk; ValueError (or KeyError, TypeError) when it is not one or is damaged."""
        if data[:4] != _MAGIC:
            raise ValueError("not an encoded chunk")
        (size,) = struct.unpack_from("<I", data, 4)
        head = json.loads(data[8: 8 + size])
        mp3 = data[8 + size:]
        if zlib.crc32(mp3) != head["crc32"]:
            raise ValueError("checksum mismatch")
        return _Encoded(int(head["samples"]), mp3, tuple(float(v) for v in head["momentary"]))


def count_frames(mp3: bytes) -> int:
    """The number of MPEG-1 Layer III frames in headerless MP3 data; raises ValueError on anything else."""
    rates_kbps = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
    rates_hz = (44100, 48000, 32000)
    count = pos = 0
    while pos < len(mp3):
        if pos + 4 > len(mp3):
            raise ValueError("truncated frame header")
        b1, b2 = mp3[pos + 1], mp3[pos + 2]
        if mp3[pos] != 0xFF or (b1 & 0xFE) != 0xFA:
            raise ValueError(f"no MPEG-1 Layer III frame at byte {pos}")
        index, rate = b2 >> 4, (b2 >> 2) & 3
        if not 0 < index < 15 or rate == 3:
            raise ValueError(f"bad frame header at byte {pos}")
        pos += 144_000 * rates_kbps[index] // rates_hz[rate] + ((b2 >> 1) & 1)
        count += 1
    if pos != len(mp3):
        raise ValueError("truncated last frame")
    return count


def _silent(block: np.ndarray) -> np.ndarray:
    """Which frames are digital silence (every channel +0.0): compared as integers, one word per frame."""
    if block.shape[1] in (1, 2):
        words = np.ascontiguousarray(block).view("<i4" if block.shape[1] == 1 else "<i8").reshape(-1)
        return words == 0
    return np.all(block == 0.0, axis=1)


class _Gathered:
    """A chunk whose samples are held until it is complete, then looked up and, if new, encoded."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.samples = 0
        self._parts: list[np.ndarray] = []

    def add(self, pcm: np.ndarray) -> None:
        self._parts.append(pcm)
        self.samples += len(pcm)

    def pcm(self) -> np.ndarray:
        return np.ascontiguousarray(np.concatenate(self._parts)) if self._parts else np.zeros((0, 1), np.float32)


class _Streamed:
    """A chunk encoded as its samples arrive, for speech being spoken for the first time (which no
    remembered chunk can hold); it is hashed on the way, and remembered once encoded.

    Samples go to ffmpeg from a thread of its own, so the mix never waits on an encoder: when the
    last segments arrive together, the last chunks are encoded side by side, not one after another
    (measured on seed-article: the work left after the last segment went from 0.55 s to 0.3 s).
    """

    def __init__(self, start: int, cmd: list[str], register: Callable[[subprocess.Popen], None],
                 floor: NoiseFloor) -> None:
        self.start = start
        self.samples = 0
        self.hash = hashlib.sha256()
        self._floor = floor
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        register(self.proc)
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=_drain, args=(self.proc.stdout, self._out), daemon=True),
                         threading.Thread(target=_drain, args=(self.proc.stderr, self._err), daemon=True),
                         threading.Thread(target=self._feed, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _feed(self) -> None:
        stdin = self.proc.stdin
        try:
            while (data := self._queue.get()) is not None:
                stdin.write(data)  # type: ignore[union-attr]
        except (OSError, ValueError):
            pass  # ffmpeg stopped (or was stopped): its exit status and log say why, in finish()
        finally:
            with contextlib.suppress(OSError, ValueError):
                stdin.close()  # type: ignore[union-attr]

    def add(self, pcm: np.ndarray) -> None:
        self.hash.update(np.ascontiguousarray(pcm, dtype=np.float32).data)  # the chunk is known by the mix
        self.samples += len(pcm)
        self._queue.put(self._floor.under(pcm).tobytes())  # a new array: the mix reuses its buffers

    def end_input(self) -> None:
        """No more samples: ffmpeg's input is closed once what was added is written."""
        self._queue.put(None)

    def finish(self) -> tuple[int, bytes, str]:
        """Wait for ffmpeg; its exit status, the MP3 frames and its log."""
        self.end_input()
        for thread in self._threads:
            thread.join()
        code = self.proc.wait()
        return code, b"".join(self._out), b"".join(self._err).decode("utf-8", "replace")


def _drain(stream: BinaryIO, into: list[bytes]) -> None:
    for block in iter(lambda: stream.read(1 << 16), b""):
        into.append(block)


class ChunkedMp3:
    """A sink for the mix: encodes it in chunks cut at pauses and splices them into one MP3 at ``path``.

    With ``streaming`` (the clips are being spoken, so the mix is paced by the voice) each chunk is
    encoded as it arrives, as one long encode would be, and the file is finished moments after the
    last clip. Otherwise (the clips come from the cache) each chunk is held until complete, looked
    up, and encoded only if it is new, up to ``jobs`` at a time.
    """

    def __init__(self, path: Path, sample_rate_hz: int, channels: int, gain_db: float, jobs: int = 2,
                 streaming: bool = False, bitrate_kbps: int | None = None) -> None:
        if sample_rate_hz != 44100:
            raise AudioError(f"internal: chunked MP3 encoding works at 44100 Hz, not {sample_rate_hz}")
        self.path = Path(path)
        self._sr, self._channels, self._streaming = sample_rate_hz, channels, streaming
        self._bitrate = bitrate_kbps or (STEREO_BITRATE_KBPS if channels >= 2 else MONO_BITRATE_KBPS)
        self._chain = loudness_chain(gain_db, framelog="info")
        self._gain_db = gain_db
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="articast-mp3")
        # Streamed chunks are fed from threads, so each pending one is an ffmpeg still encoding
        # (about 33 MB each): at most ``jobs`` of them finish while the next is fed.
        self._max_pending = max(1, jobs) - 1 if streaming else 2 * max(1, jobs)
        self._procs: set[subprocess.Popen] = set()
        self._streamed: set[_Streamed] = set()
        """Chunks whose encoder is being fed: told to stop on abort."""
        self._lock = threading.Lock()
        self._aborted = False
        self._pending: deque[Future[_Encoded]] = deque()
        """Chunks submitted and not yet written to the spool, in order."""
        self._starts: list[int] = []
        """The mix frame each chunk starts at."""
        self._samples: list[int] = []
        self._momentary: list[tuple[float, ...]] = []
        fd, spool = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self._spool_path = Path(spool)
        self._spool = os.fdopen(fd, "wb")
        """Encoded chunks in order, written as they finish: MP3 data is never all held in memory."""
        self._chunk: _Gathered | _Streamed = self._new_chunk(0)
        self._held = np.zeros((0, channels), dtype=np.float32)
        """Frames [_held_start, _end): not yet given to the chunk, since a cut may fall in them."""
        self._held_start = 0
        self._end = 0
        self._silent_since: int | None = None
        self._was_silent = False
        self._paragraph_start = 0
        """Where the paragraph being spoken began (the end of the last paragraph's pause)."""
        self.reused = 0
        """Chunks found already encoded."""

    # -- cutting ---------------------------------------------------------------------------------

    def _frames(self, ms: float) -> int:
        return round(ms * self._sr / 1000)

    def write(self, frames: np.ndarray) -> None:
        """Take the next frames of the mix (float32, shaped (frames, channels))."""
        block = np.asarray(frames, dtype=np.float32).reshape(-1, self._channels)
        if not len(block):
            return
        at = self._end
        self._held = np.concatenate((self._held, block)) if len(self._held) else block
        self._end += len(block)
        silent = _silent(block)
        states = np.concatenate(([self._was_silent], silent))
        for k in np.flatnonzero(states[1:] != states[:-1]):
            if silent[k]:
                self._silent_since = at + int(k)
            elif self._silent_since is not None:
                self._consider_cut(self._silent_since, at + int(k))
                self._silent_since = None
        self._was_silent = bool(silent[-1])
        # Everything before the pause under way is certainly in this chunk.
        self._give(self._silent_since if self._silent_since is not None else self._end)

    def _give(self, upto: int) -> None:
        """Hand held frames before ``upto`` to the current chunk."""
        n = upto - self._held_start
        if n > 0:
            self._chunk.add(self._held[:n])
            self._held = self._held[n:]
            self._held_start = upto

    def _consider_cut(self, run_start: int, run_end: int) -> None:
        """A pause [run_start, run_end) is over: cut there if it ends a paragraph (or the chunk is long).

        The rule looks only at the paragraph just spoken, not at where the chunk began: after an
        edit, every cut beyond it falls where it fell before, and those chunks are found again.
        """
        gap = run_end - run_start
        paragraph = gap >= self._frames(PARAGRAPH_GAP_MS)
        paragraph_frames = run_start - self._paragraph_start
        if paragraph:
            self._paragraph_start = run_end
        next_start = run_end - self._frames(LEAD_MS)
        end = next_start - STREAM_DELAY
        if gap < self._frames(MIN_GAP_MS) or end <= run_start:
            return
        length = end - self._chunk.start
        ends_paragraph = paragraph and paragraph_frames >= self._frames(MIN_PARAGRAPH_S * 1000)
        if not ends_paragraph and length < self._frames(LONG_CHUNK_S * 1000):
            return
        self._give(end)
        self._finish_chunk()
        # The pause's last STREAM_DELAY frames before the next chunk are dropped: the next stream's delay stands in.
        self._held = self._held[next_start - self._held_start:]
        self._held_start = next_start
        self._chunk = self._new_chunk(next_start)

    def _new_chunk(self, start: int) -> _Gathered | _Streamed:
        if not self._streaming:
            return _Gathered(start)
        with self._lock:
            if self._aborted:
                raise AudioError("MP3 encoding was stopped")
            floor = NoiseFloor(self._gain_db, self._channels)
            chunk = _Streamed(start, self._lame_command(), self._procs.add, floor)
            self._streamed.add(chunk)
            return chunk

    def _finish_chunk(self) -> None:
        chunk = self._chunk
        self._starts.append(chunk.start)
        if isinstance(chunk, _Streamed):
            future = self._pool.submit(self._collect, chunk)
        else:
            future = self._pool.submit(self._encode, chunk.pcm())
        self._pending.append(future)
        self._spool_done(wait=len(self._pending) > self._max_pending)  # the mix never runs far ahead

    def _spool_done(self, wait: bool) -> None:
        """Write finished chunks, in order, to the spool (with ``wait``, at least the oldest)."""
        while self._pending and (wait or self._pending[0].done()):
            chunk = self._pending.popleft().result()
            self._spool.write(chunk.mp3)
            self._samples.append(chunk.samples)
            self._momentary.append(chunk.momentary_lufs)
            wait = False

    # -- encoding --------------------------------------------------------------------------------

    def _key(self, content_hash: str, samples: int) -> str:
        return memo.digest("mp3-chunk", content_hash, samples, self._sr, self._channels, self._chain,
                           NOISE_FLOOR_DBFS, self._bitrate, LAME_QUALITY, ffmpeg_exe())

    def _lame_command(self) -> list[str]:
        return [ffmpeg_exe(), "-hide_banner", "-nostats", "-v", "info", "-nostdin",
                "-f", "f32le", "-ar", str(self._sr), "-ac", str(self._channels), "-i", "-", "-af", self._chain,
                "-c:a", "libmp3lame", "-b:a", f"{self._bitrate}k", "-compression_level", str(LAME_QUALITY),
                "-write_xing", "0", "-id3v2_version", "0", "-map_metadata", "-1", "-f", "mp3", "-"]

    def _encode(self, pcm: np.ndarray) -> _Encoded:
        """A complete chunk: remembered, or encoded now (and remembered)."""
        key = self._key(hashlib.sha256(pcm.data.cast("B")).hexdigest(), len(pcm))
        stored = memo.load_bytes(key, ".mp3c")
        if stored is not None:
            try:
                chunk = _Encoded.unpack(stored)
                if chunk.samples == len(pcm) and count_frames(chunk.mp3) == lame_frames(len(pcm)):
                    with self._lock:
                        self.reused += 1
                    return chunk
            except (ValueError, KeyError, TypeError, struct.error):
                pass
            log.debug("encoded chunk %s is damaged; encoding it again", key[:12])
        with self._lock:
            if self._aborted:
                raise AudioError("MP3 encoding was stopped")
            proc = subprocess.Popen(self._lame_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            self._procs.add(proc)
        floored = NoiseFloor(self._gain_db, self._channels).under(pcm)
        out, err = proc.communicate(floored.data.cast("B"))  # type: ignore[arg-type]  # (takes any bytes-like)
        return self._checked(key, proc.returncode, out, err.decode("utf-8", "replace"), len(pcm))

    def _collect(self, chunk: _Streamed) -> _Encoded:
        """A chunk that was encoded as it came: wait for ffmpeg, then remember it."""
        code, out, log_text = chunk.finish()
        with self._lock:
            self._streamed.discard(chunk)
        return self._checked(self._key(chunk.hash.hexdigest(), chunk.samples), code, out, log_text, chunk.samples)

    def _checked(self, key: str, code: int, mp3: bytes, log_text: str, samples: int) -> _Encoded:
        if code != 0:
            raise AudioError(f"MP3 encoding failed: {log_text.strip()[-300:] or 'ffmpeg stopped'}")
        try:
            frames = count_frames(mp3)
        except ValueError as exc:
            raise AudioError(f"MP3 encoding gave unreadable frames ({exc})") from None
        if frames != lame_frames(samples):
            raise AudioError(f"internal: LAME wrote {frames} frames for {samples} samples, "
                             f"expected {lame_frames(samples)}")
        chunk = _Encoded(samples, mp3, tuple(float(v) for v in _M_VALUE.findall(log_text)))
        memo.save_bytes(key, ".mp3c", chunk.pack())
        return chunk

    # -- finishing -------------------------------------------------------------------------------

    def close(self) -> float:
        """Encode what is left, splice the file together; the integrated loudness as heard (LUFS)."""
        self._give(self._end)
        if not self._end:
            raise AudioError("nothing was mixed")
        self._finish_chunk()
        try:
            while self._pending:
                self._spool_done(wait=True)
            self._spool.close()
            self._pool.shutdown()
            samples = self._samples
            self._offsets = [0]
            for number in range(1, len(samples)):
                # chunk n is heard right after every frame of the chunk before it
                heard = self._starts[number - 1] + self._offsets[-1] + lame_frames(samples[number - 1]) * FRAME_SAMPLES
                self._offsets.append(heard - self._starts[number])
            self.frames_out = self._starts[-1] + self._offsets[-1] + samples[-1]
            last_padding = lame_frames(samples[-1]) * FRAME_SAMPLES - ENCODER_DELAY - samples[-1]
            _splice(self._spool_path, self.path, last_padding)
        finally:
            self._remove_spool()
        log.debug("encoded %d chunks, %d of them remembered", len(samples), self.reused)
        return gated_loudness(np.concatenate(self._momentary)) + LAME_GAIN_DB

    def _remove_spool(self) -> None:
        with contextlib.suppress(OSError):  # a full disk fails the close's last flush: remove it all the same
            self._spool.close()
        with contextlib.suppress(FileNotFoundError):
            self._spool_path.unlink()

    def output_frame(self, mix_frame: int) -> int:
        """Where a frame of the mix is heard in the file (cuts lengthen pauses slightly); after close()."""
        index = max(0, bisect.bisect_right(self._starts, mix_frame) - 1)
        return mix_frame + self._offsets[index]

    def abort(self) -> None:
        """Stop now (after an error or Ctrl-C); the half-written file is the caller's to remove."""
        with self._lock:
            self._aborted = True
            procs = list(self._procs)
            streamed = list(self._streamed)
        for chunk in streamed:
            chunk.end_input()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for proc in procs:
            proc.wait()
        self._remove_spool()


def _splice(chunks: Path, path: Path, padding: int) -> None:
    """Join headerless MP3 chunks (one file) behind one Xing/LAME header (ffmpeg's muxer), then set
    the header's delay and padding."""
    cmd = [ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-f", "mp3", "-i", str(chunks), "-c:a", "copy",
           "-write_xing", "1", "-id3v2_version", "0", "-map_metadata", "-1",
           # readers such as mutagen only honour the delay and padding in a tag labelled LAME
           "-metadata:s:a:0", "encoder=LAME3.100", "-f", "mp3", str(path)]
    result = subprocess.run(cmd, capture_output=True)
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace")
        if "No space left on device" in said:  # said as every other full disk is (see errors.os_error_message)
            raise OSError(errno.ENOSPC, "No space left on device", str(path.parent))
        raise AudioError(f"joining the MP3 failed: {' '.join(said.split())[-300:]}")
    set_lame_delay(path, ENCODER_DELAY, padding)


def _crc16(data: bytes) -> int:
    """CRC-16 (polynomial 0x8005, reflected), the LAME tag's checksum."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def set_lame_delay(path: Path, delay: int, padding: int) -> None:
    """Write the encoder delay and padding into the LAME tag of the MP3's first frame, with its checksum."""
    with open(path, "r+b") as fh:
        frame = bytearray(fh.read(512))
        for side_info in (32, 17):  # stereo, mono (MPEG-1)
            tag = 4 + side_info
            if frame[tag: tag + 4] in (b"Info", b"Xing") and frame[tag + 120: tag + 124] == b"LAME":
                break
        else:
            raise AudioError("internal: the joined MP3 has no LAME tag")
        if not (0 <= delay < 4096 and 0 <= padding < 4096):
            raise AudioError(f"internal: delay {delay} or padding {padding} does not fit the LAME tag")
        field = tag + 120 + 21
        frame[field: field + 3] = ((delay << 12) | padding).to_bytes(3, "big")
        frame[190:192] = _crc16(bytes(frame[:190])).to_bytes(2, "big")
        fh.seek(0)
        fh.write(frame[:192])
