"""MP3 encoding with the bundled ffmpeg and LAME: CBR, 44.1 kHz, Xing/LAME header for exact duration."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..ffmpeg import ffmpeg_exe

STEREO_BITRATE_KBPS = 128
MONO_BITRATE_KBPS = 64
_CHUNK_FRAMES = 1 << 16


def encode_mp3(samples: np.ndarray, sample_rate_hz: int, path: Path, bitrate_kbps: int | None = None) -> None:
    """Encode float32 (frames, channels) samples once, as constant-bitrate MP3, to ``path``."""
    channels = samples.shape[1]
    if bitrate_kbps is None:
        bitrate_kbps = STEREO_BITRATE_KBPS if channels >= 2 else MONO_BITRATE_KBPS
    cmd = [ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-f", "f32le", "-ar", str(sample_rate_hz),
           "-ac", str(channels), "-i", "-", "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
           "-ar", "44100", "-write_xing", "1", "-id3v2_version", "0", "-map_metadata", "-1",
           # ffmpeg labels its LAME tag "Lavc..."; readers such as mutagen only honour the encoder
           # delay and padding in a tag labelled LAME, which it is (libmp3lame 3.100).
           "-metadata:s:a:0", "encoder=LAME3.100",
           "-f", "mp3", str(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    data = np.ascontiguousarray(samples, dtype=np.float32)
    try:
        for start in range(0, len(data), _CHUNK_FRAMES):
            proc.stdin.write(data[start:start + _CHUNK_FRAMES].tobytes())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    stderr = proc.stderr.read() if proc.stderr else b""
    if proc.wait() != 0:
        raise AudioError(f"MP3 encoding failed: {stderr.decode('utf-8', 'replace').strip()[-300:]}")
