"""Many articles in one command: one set of speech workers for the batch, each episode as made alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from articast import Settings, produce
from articast.batch import Batch
from articast.speech import EngineOptions
from articast.speech.workers import SynthesisPool

from .feedserver import ARTICLES
from .helpers import ffmpeg_loudness

ARTICAST = [sys.executable, "-m", "articast"]


def write_articles(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for key, (title, *paragraphs) in ARTICLES.items():
        path = folder / f"{key}.md"
        path.write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n")
        paths.append(path)
    return paths


@pytest.mark.slow
def test_a_batch_shares_its_workers_and_makes_what_each_article_makes_alone(tmp_path: Path):
    articles = write_articles(tmp_path / "articles")
    bad = tmp_path / "articles" / "empty.md"
    bad.write_text("   \n")
    settings = Settings(out_dir=tmp_path / "batch", jobs=2)
    with Batch(settings, 5) as batch:
        assert batch.pool is not None and batch.ahead == 1
        outcomes = list(batch.run([lambda path=path: batch.produce(path) for path in [*articles[:2], bad,
                                                                                      *articles[2:]]]))
        assert batch.pool.spawned == 2  # the whole batch, one voice load a worker
    episodes = [outcome for _, outcome in outcomes if not isinstance(outcome, Exception)]
    errors = [outcome for _, outcome in outcomes if isinstance(outcome, Exception)]
    assert [index for index, _ in outcomes] == [0, 1, 2, 3, 4]
    assert len(episodes) == 4 and len(errors) == 1 and "is empty" in str(errors[0])
    for path, episode in zip(articles, episodes, strict=True):
        alone = produce(path, Settings(out_dir=tmp_path / "alone", jobs=2))
        for kind in ("vtt_path", "chapters_path"):
            assert getattr(episode, kind).read_text() == getattr(alone, kind).read_text()
        assert episode.mp3_path.with_suffix(".srt").read_text() == alone.mp3_path.with_suffix(".srt").read_text()
        assert episode.duration_ms == alone.duration_ms
        batch_lufs, batch_peak = ffmpeg_loudness(episode.mp3_path)
        alone_lufs, alone_peak = ffmpeg_loudness(alone.mp3_path)
        assert abs(batch_lufs - alone_lufs) <= 0.1 and abs(batch_peak - alone_peak) <= 0.1


@pytest.mark.slow
def test_a_turn_left_half_way_does_not_hand_its_clips_to_the_next():
    """An article that fails while its segments are being spoken leaves clips in the workers; the next
    article's turn must get its own clips, not those."""
    pool = SynthesisPool("piper", 2)
    try:
        long = "This sentence is long on purpose, so that a clip of it could never pass for a short one."
        turn = pool.speak([(EngineOptions(), f"{long} Number {n}.") for n in range(4)])
        next(turn)
        turn.close()  # the article failed: the clips its other segments were being spoken into are dropped
        after = ["Short.", "A sentence of middling length."]
        clips = list(pool.speak([(EngineOptions(), text) for text in after]))
        alone = [list(pool.speak([(EngineOptions(), text)]))[0] for text in after]
        for (got, _), (expected, _) in zip(clips, alone, strict=True):
            assert abs(len(got) - len(expected)) <= 0.25 * len(expected)  # Piper's noise varies a clip a little
    finally:
        pool.close()


@pytest.mark.slow
def test_produce_several_articles_in_one_command(tmp_path: Path):
    articles = write_articles(tmp_path / "articles")
    out = tmp_path / "show"
    result = subprocess.run([*ARTICAST, "produce", *map(str, articles), "--out", str(out), "--jobs", "2",
                             "--no-music", "--mono", "--publish"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    mp3s = [line for line in result.stdout.splitlines() if line.endswith(".mp3")]
    assert [Path(line).stem for line in mp3s] == ["the-ferry-comes-home", "bread-before-dawn",
                                                  "kites-over-the-dunes", "reading-the-tides"]
    assert result.stderr.strip().splitlines()[-1] == "4 produced, 0 failed"
    assert "published: 4 episodes" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1])
def test_a_batch_without_workers_makes_them_one_at_a_time(tmp_path: Path, jobs: int):
    articles = write_articles(tmp_path / "articles")[:2]
    with Batch(Settings(out_dir=tmp_path / "show", jobs=jobs), 2) as batch:
        assert batch.pool is None and batch.ahead == 0
        outcomes = [outcome for _, outcome in batch.run([lambda p=p: batch.produce(p) for p in articles])]
    assert [episode.mp3_path.name for episode in outcomes] == ["the-ferry-comes-home.mp3", "bread-before-dawn.mp3"]
