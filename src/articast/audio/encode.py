"""MP3 encoding with the bundled ffmpeg and LAME: CBR, 44.1 kHz, Xing/LAME header for exact duration."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..ffmpeg import ffmpeg_exe
from .loudness import NoiseFloor, integrated_lufs, loudness_chain

STEREO_BITRATE_KBPS = 128
MONO_BITRATE_KBPS = 64

LAME_QUALITY = 5
"""LAME's -q (0 slowest, 9 fastest). Measured on a 210 s episode: 5 encodes in 20% less CPU time than
ffmpeg's default (3) with the same signal-to-noise ratio in every band to 16 kHz (25.9 dB overall).
It was LAME's own default until 3.97."""
_CHUNK_FRAMES = 1 << 16


class Mp3Stream:
    """One ffmpeg process that takes float32 frames as they are mixed and writes a CBR MP3.

    With ``gain_db`` set, the audio passes the loudness chain on its way to LAME (gain, limiter,
    meter), and ``close`` returns the integrated loudness of what was encoded.
    """

    def __init__(self, path: Path, sample_rate_hz: int, channels: int, gain_db: float | None = None,
                 bitrate_kbps: int | None = None) -> None:
        if bitrate_kbps is None:
            bitrate_kbps = STEREO_BITRATE_KBPS if channels >= 2 else MONO_BITRATE_KBPS
        self.path = Path(path)
        self._measured = gain_db is not None
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-v", "info" if self._measured else "error", "-nostdin",
               "-y", "-f", "f32le", "-ar", str(sample_rate_hz), "-ac", str(channels), "-i", "-"]
        if gain_db is not None:
            cmd += ["-af", loudness_chain(gain_db)]
        cmd += ["-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-compression_level", str(LAME_QUALITY),
                "-ar", "44100", "-write_xing", "1", "-id3v2_version", "0", "-map_metadata", "-1",
                # ffmpeg labels its LAME tag "Lavc..."; readers such as mutagen only honour the encoder
                # delay and padding in a tag labelled LAME, which it is (libmp3lame 3.100).
                "-metadata:s:a:0", "encoder=LAME3.100",
                "-f", "mp3", str(self.path)]
        self._floor = NoiseFloor(gain_db, channels) if gain_db is not None else None
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self._log: list[bytes] = []
        # ffmpeg's log is read as it comes, so a chatty ffmpeg never blocks on a full pipe.
        self._reader = threading.Thread(target=lambda: self._log.extend(self._proc.stderr or ()), daemon=True)
        self._reader.start()
        self.frames_written = 0

    def write(self, frames: np.ndarray) -> None:
        """Encode the next frames (float32, shaped (frames, channels))."""
        data = np.ascontiguousarray(frames, dtype=np.float32)
        if self._floor is not None:  # the episode's floor, under its loudness chain
            data = self._floor.under(data)
        try:
            self._proc.stdin.write(data.data.cast("B"))  # type: ignore[union-attr]
        except BrokenPipeError:
            self._fail()
        self.frames_written += len(data)

    def close(self) -> float | None:
        """Finish the file; the integrated loudness of what was encoded (LUFS), when measured."""
        try:
            self._proc.stdin.close()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass
        if self._proc.wait() != 0:
            self._fail()
        self._reader.join()
        return integrated_lufs(self._text()) if self._measured else None

    def abort(self) -> None:
        """Stop now (after an error or Ctrl-C); the half-written file is the caller's to remove."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._reader.join(timeout=2)

    def _text(self) -> str:
        return b"".join(self._log).decode("utf-8", "replace")

    def _fail(self) -> None:
        self.abort()
        raise AudioError(f"MP3 encoding failed: {self._text().strip()[-300:] or 'ffmpeg stopped'}")


def encode_mp3(samples: np.ndarray, sample_rate_hz: int, path: Path, bitrate_kbps: int | None = None) -> None:
    """Encode float32 (frames, channels) samples as they are, as constant-bitrate MP3, to ``path``."""
    stream = Mp3Stream(path, sample_rate_hz, samples.shape[1], bitrate_kbps=bitrate_kbps)
    try:
        for start in range(0, len(samples), _CHUNK_FRAMES):
            stream.write(samples[start:start + _CHUNK_FRAMES])
        stream.close()
    except BaseException:
        stream.abort()
        raise
