"""Progress on the terminal: the speech of one article, a batch of articles, a download.

Each draws a one-line bar on a terminal and says less, or nothing, when the stream is not one (a
log file, cron's mail), so that what is printed there stays readable."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .models import Progress


def _bar(done: int, total: int, width: int = 30) -> str:
    """``[#####.....]``: ``done`` of ``total`` as a bar of ``width`` cells."""
    filled = int(width * done / max(1, total))
    return f"[{'#' * filled}{'.' * (width - filled)}]"


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.active = False

    def __call__(self, event: Progress) -> None:
        if not self.enabled:
            return
        if event.stage == "speech":
            elapsed = time.monotonic() - self.started
            line = (f"\rspeaking  {_bar(event.done, event.total)} "
                    f"{event.done}/{event.total} segments  {elapsed:5.1f}s")
        elif event.stage == "read":
            line = f"\rreading   {_bar(event.done, event.total)} {event.done}/{event.total} pages{' ' * 12}"
        else:
            line = f"\r{'mixing' if event.stage == 'mix' else 'encoding'}...{' ' * 50}"
        self.stream.write(line)
        self.stream.flush()
        self.active = True

    def close(self) -> None:
        if self.enabled and self.active:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
            self.active = False


class ArticleBar:
    """The progress of a batch, counted in articles: a bar on a terminal, else a line as each starts."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total = stream, total
        self.enabled = stream.isatty()
        self.started = self.done = 0
        self._lock = threading.Lock()

    def _draw(self) -> None:
        self.stream.write(f"\rarticles {_bar(self.done, self.total)} {self.done}/{self.total} done, "
                          f"{self.started - self.done} in hand ")
        self.stream.flush()

    def start(self, number: int, source: str) -> None:
        """Article ``number`` (from 1) is being made."""
        with self._lock:
            self.started += 1
            if self.enabled:
                self._draw()
            else:
                print(f"[{number}/{self.total}] {source}", file=self.stream, flush=True)

    def finish(self) -> None:
        """One more article is done (or failed)."""
        with self._lock:
            self.done += 1
            if self.enabled:
                self._draw()

    def clear(self) -> None:
        """Take the bar off the line, so a message can be printed there."""
        if self.enabled:
            with self._lock:
                self.stream.write("\r" + " " * 72 + "\r")
                self.stream.flush()


def size_text(n: int) -> str:
    """A byte count as people read it: 512 kB, 63.2 MB, 1.05 GB."""
    if n < 1e6:
        return f"{n / 1e3:.0f} kB"
    return f"{n / 1e6:.1f} MB" if n < 1e9 else f"{n / 1e9:.2f} GB"


class DownloadBar:
    """A download's progress: a bar on a terminal, else a line per file started and finished."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.current: str | None = None
        self.last = 0.0

    def __call__(self, name: str, done: int, total: int) -> None:
        if name != self.current:
            self.current = name
            if not self.enabled:
                resumed = f", resuming at {size_text(done)}" if done else ""
                print(f"downloading {name} ({size_text(total)}{resumed})", file=self.stream, flush=True)
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        self.stream.write(f"\r{name[:36]:<36} {_bar(done, total)} "
                          f"{size_text(done)} / {size_text(total)} ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.current:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
        self.current = None
