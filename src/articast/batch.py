"""Batches: many articles produced one after another with one set of speech workers (see Batch)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from .config import Settings
from .models import Article, Episode
from .speech import EngineOptions
from .speech.workers import SynthesisPool

T = TypeVar("T")

AHEAD = 1
"""Articles a batch reads and speaks while the one before is still mixed and encoded: the workers
go on to the next article's segments as soon as the last clip of one is in."""


class ArticleRunner:
    """Runs a command's articles a few at a time and hands back their outcomes in order (see Batch)."""

    threads = 1
    """Articles in hand at once."""

    wait_on_stop = True
    """Whether Ctrl-C waits for the articles in hand to fail (their speech stopped) before it goes on."""

    def run(self, tasks: list[Callable[[], T]]) -> Iterator[tuple[int, T | Exception]]:
        """Run ``tasks`` (each usually calls ``produce``), ``threads`` at a time; yield each one's index
        and result, or the Exception it raised, in order. Ctrl-C stops what runs (see close)."""
        from concurrent.futures import ThreadPoolExecutor

        executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="articast-article")
        futures = [executor.submit(_outcome, task) for task in tasks]
        try:
            for index, future in enumerate(futures):
                yield index, future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            self.close()  # the articles in hand fail at once
            executor.shutdown(wait=self.wait_on_stop)
            raise
        executor.shutdown(wait=True)

    def close(self) -> None:
        """Stop whatever speaks for the articles."""

    def __enter__(self) -> ArticleRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Batch(ArticleRunner):
    """Many articles produced with one set of speech workers, each with its voice loaded once.

    Each article is made by :func:`produce`, exactly as it would be alone (the same loudness, tags,
    chapters, sidecars and cache entries); only the workers are shared. While one article is mixed
    and encoded, the next is read and spoken, so no core waits between articles; at most
    ``1 + AHEAD`` articles are in hand at once, so memory does not grow with the batch.
    """

    def __init__(self, settings: Settings, articles: int) -> None:
        self.settings = settings
        self.pool: SynthesisPool | None = None
        jobs = settings.jobs or os.cpu_count() or 1
        from .speech.early import ENGINES

        if articles > 1 and jobs > 1 and settings.engine in ENGINES:
            from .speech.workers import start_early

            # The workers load the voice the bodies are spoken in while the first article is read.
            options = EngineOptions.chosen(settings, settings.role_voices.get("answer", settings.voice))
            start_early(settings.engine, jobs, options, prepare_apart=True)
            self.pool = SynthesisPool(settings.engine, jobs)
        self.ahead = AHEAD if self.pool is not None else 0
        self.threads = 1 + self.ahead

    def produce(self, source: str | Path | Article, settings: Settings | None = None, **kwargs: Any) -> Episode:
        """One article's episode, spoken by the batch's workers (thread-safe)."""
        from .pipeline import produce

        return produce(source, settings or self.settings, pool=self.pool, **kwargs)

    def close(self) -> None:
        """Stop the workers."""
        if self.pool is not None:
            self.pool.close()


def _outcome(task: Callable[[], T]) -> T | Exception:
    try:
        return task()
    except Exception as exc:  # reported by the caller, in order; Ctrl-C is not an Exception
        return exc


