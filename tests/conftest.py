"""Shared fixtures: isolated settings, fixture articles, and real episodes produced once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from articast import Settings, produce

DATA = Path(__file__).parent / "data"


SLOW_FIXTURES = {"stereo_episode", "mono_episode", "show", "published_show", "episodes"}
"""Fixtures that produce real episodes with the real voice: a test that takes one is slow."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of a real episode carries the slow marker, whichever file it is in."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synthesis cache for the whole run, never the developer's own."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["ARTICAST_CACHE_DIR"] = str(cache)
    return cache


@pytest.fixture(autouse=True)
def _isolate_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _session_cache: Path) -> None:
    """No test sees the developer's ARTICAST_* variables or writes into the repo's output/."""
    for name in list(os.environ):
        if name.startswith("ARTICAST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(_session_cache))
    monkeypatch.setenv("ARTICAST_VOICES_DIR", str(tmp_path / "voices"))
    # A catalogue no test reaches by accident: the tests that want one start a mirror.
    monkeypatch.setenv("ARTICAST_VOICES_URL", "http://127.0.0.1:9/voices.json")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def short_article() -> Path:
    return DATA / "short-article.md"


@pytest.fixture(scope="session")
def stereo_episode(tmp_path_factory: pytest.TempPathFactory, short_article: Path):
    """The short article produced for real: Piper, music, loudness, MP3, tags (stereo default)."""
    out = tmp_path_factory.mktemp("stereo")
    return produce(short_article, Settings(out_dir=out))


@pytest.fixture(scope="session")
def mono_episode(tmp_path_factory: pytest.TempPathFactory, short_article: Path):
    """The same article as a mono 64 kbps episode."""
    out = tmp_path_factory.mktemp("mono")
    return produce(short_article, Settings(out_dir=out, mono=True))
