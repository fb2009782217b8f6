"""Produce articles on a Ray cluster: each article is one Ray task; its files come back to the command.

The command reads each article itself (a file it names may not exist on the nodes) and sends the
Article to a task. The task runs :func:`articast.pipeline.produce` on its node, into a folder of its
own, with the node's own synthesis cache, and returns the episode's files as bytes; the command
writes them atomically into the show folder, so every episode is written once, by the command,
whatever the cluster retried. Ray is an optional extra (``pip install "articast[ray]"``): nothing
on the default path imports this module.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .batch import ArticleRunner
from .config import Settings
from .errors import ArticastError, InputError
from .fsutil import remove_stale_temps, staged_files
from .models import Article, ChapterMark, Episode

log = logging.getLogger(__name__)

RAY_HINT = 'pip install "articast[ray]"'

TASK_CPUS = 1
"""CPUs an article's task asks Ray for. The task speaks in its own process on one onnxruntime thread
and encodes beside it: a node with N cores voices N articles at once, each worker process keeping
its voice loaded from one article to the next (about 550 MB a task at most)."""

NODE_FAILURE_RETRIES = 3
"""How many times Ray runs an article again whose node or worker process was lost. An article that
fails by itself (no words, a speech error) is not retried: it is reported like any failed article."""

_SUFFIXES = (".srt", ".vtt", ".chapters.json", ".mp3")
"""An episode's files, in the order they are moved into place: the MP3 last."""

@dataclass(frozen=True)
class Made:
    """What a task sends back: the episode's facts and its files' bytes by suffix."""

    title: str
    duration_ms: int
    chapters: tuple[ChapterMark, ...]
    word_count: int
    files: dict[str, bytes]


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InputError(f"--ray needs Ray, which is not installed: {RAY_HINT}") from None
    return ray


@contextlib.contextmanager
def _core_messages() -> Iterator[Callable[[], str]]:
    """Hold what is written to file descriptor 2 (stderr) during the block, where Ray's C++ core
    writes a warning a second while it retries (twenty of them for a missing token); yields what
    reads it back. Shown afterwards only with -v."""
    sys.stderr.flush()
    saved = os.dup(2)
    held = tempfile.TemporaryFile()
    os.dup2(held.fileno(), 2)

    def said() -> str:
        held.seek(0)
        return held.read().decode("utf-8", "replace")

    try:
        yield said
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        if log.isEnabledFor(logging.INFO):
            sys.stderr.write(said())
        held.close()


ANSWER_S = 5.0
"""How long a cluster's head has to accept a connection before articast says nothing answers there."""


def _check_answers(address: str) -> None:
    """Fail in one line, at once, when nothing listens at the head's address: Ray itself retries a
    dead address for minutes."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit():
        return  # Ray says what is wrong with it
    try:
        socket.create_connection((host, int(port)), timeout=ANSWER_S).close()
    except OSError as exc:
        raise ArticastError(f"cannot join the Ray cluster at {address}: nothing answers at {host}:{port} "
                            f"({exc.strerror or exc}); is the head running ('ray start --head')?") from None


def connect(address: str) -> Callable[[], None]:
    """Join the cluster at ``address`` ('auto', 'ray://host:10001', a head's host:port, or 'local'
    for a one-node cluster of this machine's cores); returns what to call when done."""
    ray = _import_ray()
    address = address.strip()
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR,
                               "include_dashboard": False}
    try:
        if address == "local":
            ray.init(num_cpus=os.cpu_count() or 1, **options)
        elif address == "auto" or address.startswith("ray://") or ":" in address:
            options.pop("include_dashboard")
            if address != "auto":
                _check_answers(address)
            with _core_messages() as said:  # Ray's core writes its retries straight to file 2
                try:
                    ray.init(address=address, **options)
                except Exception:
                    if "InvalidAuthToken" in said() or "Unauthenticated" in said():
                        raise ArticastError(
                            f"cannot join the Ray cluster at {address}: it asks for its token (Ray's token "
                            "authentication): set RAY_AUTH_MODE=token, and RAY_AUTH_TOKEN to what 'ray "
                            "get-auth-token' prints on the head (or copy the head's ~/.ray/auth_token here); "
                            "see docs/cluster.md") from None
                    raise
        else:
            raise InputError(f"--ray: {address!r} is not a cluster address; give local, auto, "
                             "ray://HOST:10001 or the head's HOST:PORT")
    except ArticastError:
        raise
    except Exception as exc:  # ConnectionError, ValueError, RuntimeError...: Ray's many ways of saying no
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ArticastError(f"cannot join the Ray cluster at {address} ({first})") from None
    return ray.shutdown


def _produce_on_node(article: Article, settings: Settings, slug: str, music: dict[str, bytes]) -> Made:
    """A task: make the episode in a folder of this node's, and return its files."""
    import hashlib

    from .pipeline import produce
    from .speech import piper

    piper.DEFAULT_THREADS = TASK_CPUS  # the task's share of the node: no more threads than its CPUs

    # A folder of the node's that is the same for this episode every time: produce remembers an
    # episode's gain by where its MP3 is made, so an edited article keeps it, as it does here.
    place = hashlib.sha256(f"{Path(settings.out_dir).resolve()}\0{slug}".encode()).hexdigest()[:16]
    work = Path(tempfile.gettempdir()) / "articast-ray" / place
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        changes: dict[str, Any] = {"out_dir": work / "show", "jobs": TASK_CPUS}
        for name, data in music.items():  # the command's own intro and outro files
            path = work / name
            path.write_bytes(data)
            changes[name] = path
        episode = produce(article, dataclasses.replace(settings, **changes), slug=slug)
        files = {suffix: (work / "show" / f"{slug}{suffix}").read_bytes() for suffix in _SUFFIXES}
        return Made(episode.title, episode.duration_ms, episode.chapters, episode.word_count, files)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class RayBatch(ArticleRunner):
    """Like :class:`articast.batch.Batch`, with each article produced by a task on the cluster."""

    def __init__(self, settings: Settings, address: str) -> None:
        self.settings = settings
        self.address = address
        self.ahead = 1  # (several articles are in hand at once: no per-article progress bar)
        self.wait_on_stop = False  # a task on the cluster cannot be called back: leave at once
        self._disconnect = connect(address)
        import ray

        self._ray = ray
        self._task = ray.remote(num_cpus=TASK_CPUS, max_retries=NODE_FAILURE_RETRIES,
                                retry_exceptions=False)(_produce_on_node)
        self.cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.threads = self.cpus + 1  # every CPU busy, and one article read ahead
        self._music = self._read_music(settings)
        self._writing = threading.Lock()

    @staticmethod
    def _read_music(settings: Settings) -> dict[str, bytes]:
        music = {}
        if settings.music:
            for name in ("intro", "outro"):
                path = getattr(settings, name)
                if path is not None:
                    try:
                        music[name] = Path(path).read_bytes()
                    except OSError as exc:
                        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        return music

    def produce(self, source: str | Path | Article, settings: Settings | None = None, *, title: str | None = None,
                slug: str | None = None, progress: Any = None) -> Episode:
        """Read the article here, make its episode on the cluster, and write its files into the show."""
        from .ingest import read_article
        from .naming import slugify, source_identity

        settings = settings or self.settings
        article = source if isinstance(source, Article) else read_article(source)
        if title:
            article = dataclasses.replace(article, title=title)
        named = slug
        slug = slug or slugify(article.title)
        made = self._run(article, settings, slug)
        return self._write(made, Path(settings.out_dir), named or None, slugify(article.title),
                           source_identity(article))

    def _run(self, article: Article, settings: Settings, slug: str) -> Made:
        ray = self._ray
        ref = self._task.remote(article, settings, slug, self._music)
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # the article itself failed on its node
            cause = getattr(exc, "cause", None)
            if isinstance(cause, BaseException):
                raise cause from None
            raise ArticastError(f"the cluster's task failed: {str(exc).splitlines()[0]}") from None
        except ray.exceptions.RayError as exc:  # nodes or workers lost more often than it retries
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ArticastError(f"the cluster lost this article {NODE_FAILURE_RETRIES + 1} times ({first})") from None

    def _write(self, made: Made, out_dir: Path, named: str | None, wanted: str, identity: str) -> Episode:
        """The episode's files moved into the show folder together, the MP3 last, under ``named`` or
        the free name for the article (see naming.free_slug)."""
        from .naming import move_episode_in

        with self._writing:
            out_dir.mkdir(parents=True, exist_ok=True)
            remove_stale_temps(out_dir)
            with staged_files(out_dir, _SUFFIXES) as staged:  # (_SUFFIXES ends with the MP3)
                for suffix, tmp in staged.items():
                    tmp.write_bytes(made.files[suffix])
                slug = move_episode_in(staged, out_dir, named, wanted, identity)
        return Episode(title=made.title, slug=slug, mp3_path=out_dir / f"{slug}.mp3",
                       vtt_path=out_dir / f"{slug}.vtt", chapters_path=out_dir / f"{slug}.chapters.json",
                       duration_ms=made.duration_ms, chapters=made.chapters, word_count=made.word_count)

    def close(self) -> None:
        """Leave the cluster (and stop it, for 'local')."""
        disconnect, self._disconnect = self._disconnect, lambda: None
        disconnect()


def make_batch(settings: Settings, articles: int) -> Any:
    """A RayBatch when ``settings.ray`` names a cluster, else a local :class:`~articast.batch.Batch`."""
    if settings.ray:
        return RayBatch(settings, settings.ray)
    from .batch import Batch

    return Batch(settings, articles)
