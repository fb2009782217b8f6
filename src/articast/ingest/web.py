"""Fetch an article over HTTP(S): a timeout, a size limit, and clear errors for what is not a page."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import InputError, NotAPageError
from .decode import MAX_ARTICLE_BYTES

FETCH_TIMEOUT_S = 20.0
"""Longest time a whole download may take, from the connection to its last byte."""

USER_AGENT = "articast/0.1 (+https://pypi.org/project/articast/; turns articles into podcast episodes)"
_ACCEPTED = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/epub+zip",
             "application/vnd.oasis.opendocument.text", "application/pdf")


@dataclass(frozen=True)
class Fetched:
    """A downloaded document."""

    data: bytes
    """The body, at most the size limit."""

    content_type: str
    """Media type without parameters, lower case."""

    charset: str | None
    """Charset from the Content-Type header, if any."""

    url: str
    """The final URL after redirects."""

    etag: str | None = None
    """The server's ETag for the document, for a conditional GET next time."""

    last_modified: str | None = None
    """The server's Last-Modified for the document, for a conditional GET next time."""

    not_modified: bool = False
    """True when a conditional GET was answered 304 Not Modified: ``data`` is empty."""

    language: str | None = None
    """The server's Content-Language, when it names one language."""


def is_url(source: str) -> bool:
    """True for http:// and https:// addresses."""
    return source.lower().startswith(("http://", "https://"))


T = TypeVar("T")


def within(timeout_s: float, work: Callable[[], T], timed_out: Callable[[], Exception]) -> T:
    """``work()``, or ``timed_out()`` raised once ``timeout_s`` have passed, whatever the other side does.

    A socket's timeout bounds each read, not the whole: a server that drips a few bytes every few
    seconds (into its headers or its body) would keep a read going for ever. The work runs in a
    thread of its own, abandoned at the deadline (its socket times out by itself soon after)."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))

    thread = threading.Thread(target=run, name="articast-fetch", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not outcome:
        raise timed_out()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def fetch(url: str, *, timeout_s: float | None = None, max_bytes: int = MAX_ARTICLE_BYTES,
          accept: tuple[str, ...] = _ACCEPTED, etag: str | None = None, last_modified: str | None = None,
          what: str = "a web page or text") -> Fetched:
    """GET ``url``; raise InputError for HTTP errors, time-outs, redirect loops, wrong types or huge bodies.

    ``timeout_s`` bounds the whole download, however slowly the server sends. ``accept`` lists the
    media types wanted (anything else is refused, naming ``what`` was expected); with ``etag`` or
    ``last_modified`` the GET is conditional, and a 304 answer comes back as ``not_modified`` with
    no body."""
    timeout_s = FETCH_TIMEOUT_S if timeout_s is None else timeout_s
    return within(timeout_s + 0.5,  # (the download's own check comes first, when it can)
                  lambda: _fetch(url, timeout_s, max_bytes, accept, etag, last_modified, what),
                  lambda: InputError(f"{url}: timed out after {timeout_s:g} s"))


def _fetch(url: str, timeout_s: float, max_bytes: int, accept: tuple[str, ...], etag: str | None,
           last_modified: str | None, what: str) -> Fetched:
    import urllib.error  # here, not at the top: a produce from a file need not load it (15 ms)
    import urllib.request

    headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(accept)}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    deadline = time.monotonic() + timeout_s
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            content_type = response.headers.get_content_type().lower()
            if content_type not in accept:
                raise NotAPageError(f"{url}: is {content_type}, not {what}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise InputError(f"{url}: is {int(declared) / 1e6:.0f} MB, more than the "
                                 f"{max_bytes // 1_000_000} MB an article may be")
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise InputError(f"{url}: timed out after {timeout_s:g} s")
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(f"{url}: is larger than the {max_bytes // 1_000_000} MB an article may be")
                chunks.append(chunk)
            said = (response.headers.get("Content-Language") or "").strip()
            return Fetched(b"".join(chunks), content_type, response.headers.get_content_charset(), response.geturl(),
                           etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"),
                           language=said if said and "," not in said else None)
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and (etag or last_modified):
            return Fetched(b"", "", None, url, etag=exc.headers.get("ETag") or etag,
                           last_modified=exc.headers.get("Last-Modified") or last_modified, not_modified=True)
        if 300 <= exc.code < 400:
            raise InputError(f"{url}: redirects too many times") from None
        raise InputError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise InputError(f"{url}: timed out after {timeout_s:g} s") from None
        raise InputError(f"{url}: cannot be reached ({getattr(reason, 'strerror', None) or reason})") from None
    except TimeoutError:
        raise InputError(f"{url}: timed out after {timeout_s:g} s") from None
    except (ConnectionError, OSError) as exc:
        raise InputError(f"{url}: cannot be reached ({exc})") from None


__all__ = ["Fetched", "fetch", "within", "is_url", "FETCH_TIMEOUT_S", "USER_AGENT"]
