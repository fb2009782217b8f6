"""The bundled ffmpeg (imageio-ffmpeg): located once, given to pydub once, used to decode and encode."""

from __future__ import annotations

import functools
import subprocess
import warnings
from pathlib import Path

import numpy as np

from .errors import AudioError, InputError


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:  # pragma: no cover - a broken install
        raise AudioError(f"the bundled ffmpeg is missing ({exc}); reinstall imageio-ffmpeg") from None


@functools.cache
def pydub_audio_segment() -> type:
    """pydub's AudioSegment, pointed at the bundled ffmpeg. The only place pydub is configured."""
    with warnings.catch_warnings():
        # pydub warns at import when no ffmpeg is on PATH (ours is set just below)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # its audioop import, on 3.11-3.12
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment


def decode_to_pcm(path: Path, sample_rate_hz: int, channels: int) -> np.ndarray:
    """Decode any audio file ffmpeg reads to float32 samples shaped (frames, channels)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such audio file")
    cmd = [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-vn", "-f", "f32le",
           "-ac", str(channels), "-ar", str(sample_rate_hz), "-"]
    result = subprocess.run(cmd, capture_output=True)
    if result.returncode != 0 or not result.stdout:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"{path}: not an audio file ffmpeg can read ({detail[-1] if detail else 'no audio'})")
    return np.frombuffer(result.stdout, dtype=np.float32).reshape(-1, channels).copy()


def run_filter(samples: np.ndarray, sample_rate_hz: int, audio_filter: str, *,
               keep_output: bool = True) -> tuple[np.ndarray | None, str]:
    """Run float32 (frames, channels) samples through an ffmpeg filter chain; returns (samples, ffmpeg's log).

    With ``keep_output`` False the audio is discarded (for measuring filters such as ebur128).
    """
    channels = samples.shape[1]
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-v", "info", "-nostdin", "-f", "f32le",
           "-ar", str(sample_rate_hz), "-ac", str(channels), "-i", "-", "-af", audio_filter]
    cmd += ["-f", "f32le", "-"] if keep_output else ["-f", "null", "-"]
    result = subprocess.run(cmd, input=np.ascontiguousarray(samples, dtype=np.float32).tobytes(),
                            capture_output=True)
    log = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise AudioError(f"ffmpeg filter failed: {log.strip()[-300:]}")
    if not keep_output:
        return None, log
    out = np.frombuffer(result.stdout, dtype=np.float32).reshape(-1, channels)
    return out[: len(samples)], log


def run_meters(samples: np.ndarray, sample_rate_hz: int, chains: list[str]) -> str:
    """Run float32 (frames, channels) samples through several filter chains side by side, in one ffmpeg,
    discarding the audio; returns ffmpeg's log (for chains that end in a meter)."""
    channels = samples.shape[1]
    labels = [f"[s{i}]" for i in range(len(chains))]
    graph = f"asplit={len(chains)}{''.join(labels)};" + ";".join(
        f"{label}{chain}[o{i}]" for i, (label, chain) in enumerate(zip(labels, chains)))
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-v", "info", "-nostdin", "-f", "f32le",
           "-ar", str(sample_rate_hz), "-ac", str(channels), "-i", "-", "-filter_complex", graph]
    for i in range(len(chains)):
        cmd += ["-map", f"[o{i}]", "-f", "null", "-"]
    result = subprocess.run(cmd, input=np.ascontiguousarray(samples, dtype=np.float32).tobytes(),
                            capture_output=True)
    log = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise AudioError(f"ffmpeg filter failed: {log.strip()[-300:]}")
    return log


def decode_bytes(data: bytes, sample_rate_hz: int, channels: int = 1, audio_filter: str | None = None) -> np.ndarray:
    """Decode compressed audio held in memory (an MP3 from a web engine) to float32 (frames, channels)."""
    cmd = [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", "pipe:0", "-vn"]
    if audio_filter:
        cmd += ["-af", audio_filter]
    cmd += ["-f", "f32le", "-ac", str(channels), "-ar", str(sample_rate_hz), "pipe:1"]
    result = subprocess.run(cmd, input=data, capture_output=True)
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AudioError(f"cannot decode audio ({detail[-1] if detail else 'no audio'})")
    return np.frombuffer(result.stdout, dtype=np.float32).reshape(-1, channels).copy()
