"""The memo of slow audio steps: remembered by content, recomputed when missing or damaged."""

from __future__ import annotations

import numpy as np

from articast.audio import memo
from articast.audio.loudness import measure_lufs, plan_gain


def test_a_number_is_computed_once_and_recalled(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    calls = []
    key = memo.digest("test", np.arange(10, dtype=np.float32), 44100)
    assert memo.number(key, lambda: calls.append(1) or 1.5) == 1.5
    assert memo.number(key, lambda: calls.append(1) or 2.5) == 1.5
    assert calls == [1]
    assert memo.digest("test", np.arange(10, dtype=np.float32), 44100) == key
    assert memo.digest("test", np.arange(10, dtype=np.float64), 44100) != key  # the dtype is part of the key
    assert memo.digest("test", np.arange(10, dtype=np.float32), 48000) != key


def test_a_damaged_entry_is_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    key = memo.digest("damaged")
    memo.remember(key, 3.0)
    next(tmp_path.glob("audio/*/*.json")).write_text("{not json")
    assert memo.number(key, lambda: 4.0) == 4.0
    assert memo.recall(key) == 4.0


def test_an_unwritable_cache_only_costs_the_computation(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(blocker))  # a file where the folder should be
    assert memo.number(memo.digest("x"), lambda: 7.0) == 7.0
    assert memo.array(memo.digest("y"), lambda: np.ones(3)).tolist() == [1.0, 1.0, 1.0]


def test_loudness_readings_are_remembered_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((44100 * 5, 2)) * 0.1).astype(np.float32)
    first = measure_lufs(x, 44100)
    gain = plan_gain(x, 44100, -16.0)
    entries = len(list(tmp_path.glob("audio/*/*.json")))
    assert measure_lufs(x.copy(), 44100) == first and plan_gain(x.copy(), 44100, -16.0) == gain
    assert len(list(tmp_path.glob("audio/*/*.json"))) == entries  # nothing new was measured
    assert measure_lufs(x * 0.5, 44100) < first - 5  # other samples are measured afresh
