"""Generate articast's default intro and outro music and cover art (our own work, GPL like the code).

Usage: pip install -e . && python scripts/make_assets.py
Writes src/articast/data/intro.mp3, outro.mp3 (96 kbps stereo) and cover.jpg (600 x 600, for ID3).
Everything is synthesised from numbers here: no samples, fonts or images from elsewhere.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from articast.ffmpeg import ffmpeg_exe

SR = 44100
DATA = Path(__file__).resolve().parent.parent / "src" / "articast" / "data"
rng = np.random.default_rng(20261125)


def note_hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def envelope(n: int, attack_s: float, release_s: float) -> np.ndarray:
    t = np.arange(n) / SR
    env = np.minimum(1.0, t / attack_s)
    tail = np.clip((n / SR - t) / release_s, 0.0, 1.0)
    return env * tail


def pad(midis: list[int], seconds: float) -> np.ndarray:
    """A soft, slightly detuned chord: a few harmonics per voice, slow attack and release."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    out = np.zeros((n, 2))
    for k, midi in enumerate(midis):
        f = note_hz(midi)
        for side, detune in ((0, -0.15), (1, 0.15)):
            voice = np.zeros(n)
            for h, amp in ((1, 1.0), (2, 0.35), (3, 0.12)):
                phase = rng.uniform(0, 2 * np.pi)
                voice += amp * np.sin(2 * np.pi * f * h * (1 + detune / 100) * t + phase)
            pan = 0.5 + 0.3 * ((k % 2) - 0.5) * (1 if side else -1)
            out[:, side] += voice * pan
    return out * envelope(n, 0.6, 1.2)[:, None] / len(midis)


def pluck(midi: int, seconds: float, pan: float) -> np.ndarray:
    """A bell-like pluck: decaying partials."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    f = note_hz(midi)
    tone = sum(a * np.sin(2 * np.pi * f * r * t) * np.exp(-t * d)
               for r, a, d in ((1, 1.0, 3.0), (2.01, 0.4, 5.0), (3.98, 0.15, 8.0)))
    tone *= envelope(n, 0.004, 0.05)
    return np.stack([tone * (1 - pan), tone * pan], axis=1)


def place(track: np.ndarray, clip: np.ndarray, at_s: float) -> None:
    i = int(at_s * SR)
    j = min(len(track), i + len(clip))
    track[i:j] += clip[: j - i]


def compose(chords: list[list[int]], bar_s: float, tail_s: float, arp_octave: int) -> np.ndarray:
    total = len(chords) * bar_s + tail_s
    track = np.zeros((int(total * SR), 2))
    for b, chord in enumerate(chords):
        place(track, pad(chord, bar_s + tail_s if b == len(chords) - 1 else bar_s + 0.8), b * bar_s)
        arp = [chord[0] + arp_octave, chord[1] + arp_octave, chord[2] + arp_octave, chord[1] + arp_octave + 12]
        for i, midi in enumerate(arp):
            place(track, 0.35 * pluck(midi, 1.6, 0.3 + 0.4 * (i % 2)), b * bar_s + i * bar_s / 4)
    bass = np.zeros_like(track)
    for b, chord in enumerate(chords):
        n = int(bar_s * SR)
        t = np.arange(n) / SR
        tone = np.sin(2 * np.pi * note_hz(chord[0] - 12) * t) * envelope(n, 0.05, 0.4)
        place(bass, np.stack([tone, tone], axis=1) * 0.25, b * bar_s)
    track += bass
    track *= envelope(len(track), 0.05, 1.5)[:, None]
    return track / np.max(np.abs(track)) * 0.7


def write_mp3(samples: np.ndarray, path: Path) -> None:
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", str(SR), "-ac", "2", "-i", "-",
           "-c:a", "libmp3lame", "-b:a", "96k", "-map_metadata", "-1", "-id3v2_version", "0", str(path)]
    subprocess.run(cmd, input=samples.astype(np.float32).tobytes(), check=True)


def make_cover(path: Path) -> None:
    from articast.publish.cover import cover_bytes

    path.write_bytes(cover_bytes(600))


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    # Intro: I - vi - IV - V in D major, bright and short; outro: IV - V - I, resolving.
    intro = compose([[62, 66, 69], [59, 62, 66], [55, 59, 62], [57, 61, 64]], 1.9, 1.6, 12)
    outro = compose([[55, 59, 62], [57, 61, 64], [62, 66, 69]], 1.9, 2.4, 12)
    write_mp3(intro, DATA / "intro.mp3")
    write_mp3(outro, DATA / "outro.mp3")
    make_cover(DATA / "cover.jpg")
    for name in ("intro.mp3", "outro.mp3", "cover.jpg"):
        print(f"{DATA / name}: {(DATA / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
