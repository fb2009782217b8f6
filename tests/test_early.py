"""Speech workers started before the article is read, for an article not produced before."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from articast.config import Settings
from articast.speech import EngineOptions, early, workers
from articast.speech.cache import SegmentCache

from .conftest import DATA

ARTICLE = "\n\n".join([
    "# Early Workers",
    "The first paragraph says something about bees and the way they find home.",
    "A second paragraph, longer than the first, talks about the sun, the hive and the dance.",
    "The third one closes the article with a few words of thanks to the reader.",
])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_an_article_is_new_until_produced_and_an_edited_one_is_not(tmp_path, cache, monkeypatch):
    article = tmp_path / "a.md"
    article.write_text(ARTICLE)
    assert early.looks_new(article.read_bytes())
    early.remember(str(article))
    assert (cache / "audio" / "produced" / "lines").stat().st_size == 8 * 4  # four lines, 8 bytes each
    assert not early.looks_new(article.read_bytes())
    # One sentence edited: most of the article (by characters) was produced before.
    edited = ARTICLE.replace("the hive and", "the hive, indeed, and")
    assert not early.looks_new(edited.encode())
    # Two of three paragraphs rewritten: new.
    rewritten = ARTICLE.replace("second paragraph", "new second part").replace("closes the", "ends the")
    assert early.looks_new(rewritten.encode())
    assert not early.looks_new(b"\n \n")  # nothing to say: nothing to start
    # Only the latest lines are kept; clearing the cache forgets them all.
    monkeypatch.setattr(early, "LINES_KEPT", 3)
    other = tmp_path / "b.txt"
    other.write_text("Another article.\nWith three lines.\nAll of them new.")
    early.remember(str(other))
    assert (cache / "audio" / "produced" / "lines").stat().st_size == 8 * 3
    assert not early.looks_new(other.read_bytes()) and early.looks_new(article.read_bytes())
    SegmentCache().clear()
    assert early.looks_new(other.read_bytes())
    early.remember("-")  # stdin and URLs are not read again: nothing is noted
    early.remember("https://example.com/a.html")
    assert not (cache / "audio" / "produced" / "lines").exists()


def test_workers_start_early_only_for_a_new_file_and_an_engine_that_uses_workers(tmp_path, cache, monkeypatch):
    started = []
    monkeypatch.setattr(early, "start_early", lambda *args, **kwargs: started.append((args, kwargs)))
    article = tmp_path / "a.md"
    article.write_text(ARTICLE)
    settings = Settings(jobs=2, pace_wpm=150, role_voices={"question": "en_US-joe-medium"})
    for source, chosen in (("-", settings), ("https://example.com/a", settings), (str(tmp_path / "gone.md"), settings),
                           (str(article), Settings(jobs=1)), (str(article), Settings(jobs=2, engine="gtts"))):
        assert early.start_for(source, chosen) == 0
    assert not started
    assert early.start_for(str(article), settings) == 2
    # The voice the body is spoken in, with the settings' pace; a small article's voice is prepared
    # in the worker itself.
    assert started == [(("piper", 2, EngineOptions.chosen(settings, None)), {"prepare_apart": False})]
    long = tmp_path / "long.md"
    long.write_text(ARTICLE + "\n\n" + "\n\n".join(f"Paragraph {n} of a long article." * 5 for n in range(40)))
    assert early.start_for(str(long), Settings(jobs=3)) == 3 and started[-1][1] == {"prepare_apart": True}
    # On many cores a short article starts few workers: a pool takes at most one a segment.
    assert early.start_for(str(article), Settings(jobs=16)) == 2
    assert early.start_for(str(long), Settings(jobs=16)) == len(long.read_bytes()) // 500 < 16
    early.remember(str(article))
    assert early.start_for(str(article), settings) == 0 and len(started) == 4


def test_the_engines_started_early_are_those_that_speak_in_workers():
    from articast.speech import engine_classes

    assert set(early.ENGINES) == {name for name, cls in engine_classes().items() if getattr(cls, "PARALLEL", False)}


def _wait_for(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.slow
def test_workers_started_early_load_the_voice_before_any_segment_and_a_pool_takes_them_over(cache):
    """Real Piper: with a fresh cache, a worker started early prepares the voice with nothing to say yet."""
    workers.start_early("piper", 2, EngineOptions(), prepare_apart=False)
    procs = [worker.proc for worker in workers._EARLY]
    first_started = workers._EARLY[0].started
    try:
        assert workers.early_workers("piper") == 2 and workers.early_workers("gtts") == 0
        assert _wait_for(lambda: list((cache / "models").glob("*.voice.json")))
        pool = workers.SynthesisPool("piper", 1)
        try:
            assert [worker.proc for worker in pool._workers] == procs[:1]  # taken over, not started anew
            assert pool.started == first_started  # the speech stage began when the worker started
            assert workers._EARLY == []
            assert _wait_for(lambda: procs[1].returncode is not None, 30) and procs[1].returncode == -9
            (samples, rate), = pool.speak([(EngineOptions(), "Spoken by a worker that started early.")])
            assert rate == 22050 and len(samples) / rate > 1.0
        finally:
            pool.close()
    finally:
        workers.discard_early()


@pytest.mark.slow
def test_the_command_starts_workers_early_for_a_new_article_only(tmp_path, cache):
    article = tmp_path / "bees.txt"
    article.write_text((DATA / "qa-article.txt").read_text())

    def produce() -> str:
        result = subprocess.run([sys.executable, "-m", "articast", "-v", "produce", str(article), "--out",
                                 str(tmp_path / "show"), "--no-music", "--jobs", "2"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert Path(result.stdout.strip().splitlines()[-1]).stat().st_size > 10_000
        return result.stderr

    assert "started 2 speech workers before reading the article" in produce()
    article.write_text(article.read_text().replace("?", ", do you think?", 1))
    assert "speech workers before reading" not in produce()  # an edit: said in this process
