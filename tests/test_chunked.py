"""Chunked MP3 encoding with the real ffmpeg: cuts in pauses, exact splicing, reuse by content, loudness."""

from __future__ import annotations

import numpy as np
import pytest
from mutagen.mp3 import MP3

from articast.audio import memo
from articast.audio.chunked import (
    FRAME_SAMPLES,
    LEAD_MS,
    STREAM_DELAY,
    ChunkedMp3,
    count_frames,
    lame_frames,
)
from articast.audio.loudness import LAME_GAIN_DB
from articast.ffmpeg import ffmpeg_exe

from .helpers import decode, integrated_lufs

SR = 44100


@pytest.fixture(autouse=True)
def _own_memo(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))


def programme(seconds: float, seed: int, extra: dict[int, float] | None = None,
              channels: int = 2) -> tuple[np.ndarray, list[int]]:
    """Speech-like bursts of smooth noise (3-6 s) between digital-silence pauses of 0.3 s or 0.8 s.

    ``extra`` lengthens burst number N by that many seconds (an edit). Returns the samples and
    where each burst starts.
    """
    rng = np.random.default_rng(seed)
    pieces, starts, at, number = [np.zeros((int(0.5 * SR), channels), np.float32)], [], int(0.5 * SR), 0
    while at < seconds * SR:
        length = int(rng.uniform(3, 6) * SR)
        noise = rng.standard_normal(length)  # drawn before any edit, so an edit changes only this burst
        if extra and number in extra:
            noise = np.concatenate([noise, np.random.default_rng(99).standard_normal(int(extra[number] * SR))])
        smooth = np.convolve(noise, np.ones(8) / 8, mode="same") * 0.25
        burst = (smooth * np.hanning(len(smooth)) ** 0.1).astype(np.float32)
        starts.append(at)
        pieces.append(np.repeat(burst[:, None], channels, axis=1))
        at += len(burst)
        pause = int((0.8 if rng.random() < 0.4 else 0.3) * SR)
        pieces.append(np.zeros((pause, channels), np.float32))
        at += pause
        number += 1
    return np.concatenate(pieces), starts


def encode(samples: np.ndarray, path, streaming: bool = False, block_s: float = 5.0) -> ChunkedMp3:
    sink = ChunkedMp3(path, SR, samples.shape[1], gain_db=0.0, jobs=2, streaming=streaming)
    step = int(block_s * SR)
    try:
        for start in range(0, len(samples), step):
            sink.write(samples[start:start + step])
        sink.lufs = sink.close()
    except BaseException:
        sink.abort()
        raise
    return sink


def lag(reference: np.ndarray, heard: np.ndarray, at: int, search: int = 300) -> int:
    """How many samples late ``reference`` appears in ``heard`` around ``at`` (cross-correlation)."""
    window = reference[: SR // 2]
    best, best_lag = -np.inf, 0
    for shift in range(-search, search + 1):
        piece = heard[at + shift: at + shift + len(window)]
        if len(piece) < len(window):
            continue
        score = float(np.dot(piece, window))
        if score > best:
            best, best_lag = score, shift
    return best_lag


@pytest.mark.parametrize("channels", [2, 1])
def test_lame_writes_the_frames_we_predict(channels):
    """One frame more than the samples fill, at every remainder around a frame boundary."""
    import subprocess

    rng = np.random.default_rng(channels)
    for n in (1, 1151, 1152, 1153, 100 * FRAME_SAMPLES - STREAM_DELAY + 47, 100 * FRAME_SAMPLES - 40, 44100):
        pcm = (rng.standard_normal((n, channels)) * 0.1).astype(np.float32)
        out = subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", "44100", "-ac", str(channels),
                              "-i", "-", "-c:a", "libmp3lame", "-b:a", "128k" if channels == 2 else "64k",
                              "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "-"],
                             input=pcm.tobytes(), capture_output=True, check=True).stdout
        assert count_frames(out) == lame_frames(n), n


@pytest.mark.slow
@pytest.mark.parametrize("streaming", [False, True])
def test_chunks_splice_into_one_file_heard_exactly_where_the_mix_put_it(tmp_path, streaming):
    samples, starts = programme(100, seed=1)
    sink = encode(samples, tmp_path / "a.mp3", streaming=streaming)
    assert len(sink._starts) >= 3  # it was cut
    for start in sink._starts[1:]:  # every cut is in a pause: the chunk starts with LEAD_MS of silence
        assert not np.any(samples[start: start + int(LEAD_MS * SR / 1000)])
    assert not list(tmp_path.glob(".*.tmp"))  # the spool of encoded chunks is gone
    heard = decode(tmp_path / "a.mp3", 2)
    assert len(heard) == sink.frames_out
    assert abs(MP3(tmp_path / "a.mp3").info.length * SR - sink.frames_out) <= 1
    # Every burst is heard at the place output_frame gives, to the sample; pauses grew by < 28 ms in all.
    for start in starts[:-1]:
        assert lag(samples[start:, 0], heard[:, 0], sink.output_frame(start)) == 0
    assert 0 < sink.frames_out - len(samples) < len(sink._starts) * 0.028 * SR
    # Loudness over the chunks' meters agrees with an independent meter on the decoded file.
    assert abs(sink.lufs - integrated_lufs(heard)) <= 0.1


@pytest.mark.slow
def test_a_second_encode_reuses_every_chunk_and_an_edit_only_its_own(tmp_path):
    samples, bursts = programme(120, seed=2)
    first = encode(samples, tmp_path / "a.mp3", streaming=True)  # spoken for the first time
    chunks = len(first._starts)
    again = encode(samples, tmp_path / "b.mp3")  # from the cache
    assert again.reused == chunks
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()

    edited, starts = programme(120, seed=2, extra={len(bursts) // 2: 0.6})  # one burst in the middle grows
    after = encode(edited, tmp_path / "c.mp3")
    assert after.reused == len(after._starts) - 1  # cuts follow the paragraphs, not the chunks' lengths
    heard = decode(tmp_path / "c.mp3", 2)
    for start in starts[:-1]:
        assert lag(edited[start:, 0], heard[:, 0], after.output_frame(start)) == 0


@pytest.mark.slow
def test_mono_chunks_splice_too(tmp_path):
    samples, starts = programme(60, seed=3, channels=1)
    sink = encode(samples, tmp_path / "m.mp3")
    heard = decode(tmp_path / "m.mp3", 1)
    assert len(heard) == sink.frames_out
    for start in starts[:-1]:
        assert lag(samples[start:, 0], heard[:, 0], sink.output_frame(start)) == 0


@pytest.mark.slow
def test_a_damaged_remembered_chunk_is_encoded_again(tmp_path):
    samples, _ = programme(60, seed=4)
    encode(samples, tmp_path / "a.mp3")
    stored = sorted(memo._root().glob("*/*.mp3c"))
    assert stored
    for path in stored:
        data = bytearray(path.read_bytes())
        data[-100:] = b"\x00" * 100  # a torn write
        path.write_bytes(bytes(data))
    again = encode(samples, tmp_path / "b.mp3")
    assert again.reused == 0
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()


@pytest.mark.slow
def test_the_limiter_and_gain_apply_in_every_chunk(tmp_path):
    samples, _ = programme(60, seed=5)
    sink = ChunkedMp3(tmp_path / "g.mp3", SR, 2, gain_db=18.0, jobs=2)
    sink.write(samples)
    lufs = sink.close()
    heard = decode(tmp_path / "g.mp3", 2)
    over = 10 ** (-1.0 / 20)  # the limiter's ceiling is -1.5 dBFS; the codec overshoots a little on noise
    assert np.mean(np.abs(samples * 10 ** (18 / 20)) > over) > 0.01  # unlimited, this much would be over
    assert np.mean(np.abs(heard) > over) < 0.0005  # (real episodes' true peak is tested in test_pipeline)
    assert abs(lufs - integrated_lufs(heard)) <= 0.15
    assert lufs > integrated_lufs(samples) + LAME_GAIN_DB + 6  # and it is louder


@pytest.mark.slow
@pytest.mark.parametrize("streaming", [False, True])
def test_an_aborted_encode_leaves_nothing_running_or_behind(tmp_path, streaming):
    samples, _ = programme(60, seed=6)
    sink = ChunkedMp3(tmp_path / "x.mp3", SR, 2, gain_db=0.0, jobs=2, streaming=streaming)
    sink.write(samples[: len(samples) // 2])
    procs = list(sink._procs)
    sink.abort()
    assert all(proc.poll() is not None for proc in procs)
    assert not list(tmp_path.glob(".*.tmp"))
