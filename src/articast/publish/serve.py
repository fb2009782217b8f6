"""`articast serve`: the show folder over HTTP, with HEAD and byte ranges as podcast apps need.

Only the show's public files are served, the ones publish copies to a target (see
``publish.is_public``): never articast.toml, follow.json, locks or anything else in the folder, and
nothing outside it ('..', encoded traversal and symlinks that lead out are refused). It binds to
loopback unless told otherwise. Other sites' pages may read the show's files (CORS, for embed.js on
an article's page): any site by default, one with ``--cors ORIGIN``, none with ``--cors none``.
Every client is bounded: a connection idle for IDLE_TIMEOUT_S is
closed, and a request line longer than MAX_PATH_CHARS is answered 414.
"""

from __future__ import annotations

import datetime as dt
import http.server
import logging
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import is_public
from .headers import headers_for

log = logging.getLogger(__name__)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024

BACKLOG = 128
"""Connections the system queues while every thread is busy (socketserver's default of 5 made the 6th
of 50 clients at once wait for a SYN retry: latencies of 1, 3 and 7 s)."""

IDLE_TIMEOUT_S = 30.0
"""A connection that sends nothing for this long is closed, so idle sockets do not hold a thread each."""

MAX_PATH_CHARS = 2048
"""Longer request paths are answered 414 URI Too Long (no file of a show has a name near this)."""

ANY_ORIGIN = "*"

CORS_EXPOSED = "Accept-Ranges, Content-Length, Content-Range"
"""The response headers a page on another site may read (a player reading ranges needs these)."""

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters escaped (``\\x1b``), so a request cannot forge log lines or
    clear the terminal it is logged on."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True)
class Request:
    """One request the server answered, for the command to show."""

    time: dt.datetime
    client: str
    method: str
    path: str
    status: int
    bytes_sent: int


RequestReport = Callable[[Request], None]


def resolve_inside(root: Path, url_path: str) -> Path | None:
    """The file a URL path names inside ``root``, or None for anything that would leave it."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path, errors="strict")
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or any(p.startswith(".") for p in parts):
        return None  # traversal, and hidden files (locks, temporary files)
    if len(parts) > 1 or (parts and (len(parts[0]) > 255 or not is_public(root, parts[0]))):
        return None  # settings, records of followed sources and anything else that publish keeps back
    candidate = root.joinpath(*parts) if parts else root / "index.html"
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None
    if real != root and root not in real.parents:
        return None  # a symlink pointing out of the folder
    return real if real.is_file() else None


class ShowHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD with single byte ranges; nothing but files of the show folder."""

    root: Path = Path(".")
    report: RequestReport | None = None
    cors: str | None = ANY_ORIGIN
    """The site whose pages may read the show's files (``*``: any; None: only the show's own)."""
    server_version = "articast"
    timeout = IDLE_TIMEOUT_S

    raw_requestline: bytes
    """The request line as read (BaseHTTPRequestHandler sets it; typeshed does not declare it)."""

    def parse_request(self) -> bool:
        if len(self.raw_requestline) > MAX_PATH_CHARS + 32:
            self.requestline, self.command, self.path = "", "GET", "(too long)"
            self.request_version = "HTTP/1.0"
            self.close_connection = True
            self._status, self._sent = 0, 0
            self._error(414)
            self._log_answer()
            return False
        return super().parse_request()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (TimeoutError, ConnectionError):  # an idle or vanished client: its thread ends here
            self.close_connection = True

    def log_message(self, fmt: str, *args) -> None:
        log.info("%s %s", self.address_string(), fmt % args)

    def log_request(self, code="-", size="-") -> None:
        """Requests are reported once answered (see _answer), with the bytes really sent."""

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_OPTIONS(self) -> None:
        """A browser asking whether another site's page may read a file (a CORS preflight)."""
        self._status, self._sent = 0, 0
        try:
            self.send_response(204 if self._allowed_origin() else 403)
            self._cors_headers(preflight=True)
            self.send_header("Content-Length", "0")
            self.end_headers()
        finally:
            self._log_answer()

    def _allowed_origin(self) -> str | None:
        """The Access-Control-Allow-Origin this request gets, if any."""
        cors = type(self).cors
        if cors is None:
            return None
        if cors == ANY_ORIGIN:
            return ANY_ORIGIN
        origin = self.headers.get("Origin")
        return origin if origin and origin.rstrip("/") == cors.rstrip("/") else None

    def _cors_headers(self, preflight: bool = False) -> None:
        allowed = self._allowed_origin()
        if type(self).cors not in (None, ANY_ORIGIN):
            self.send_header("Vary", "Origin")
        if allowed is None:
            return
        self.send_header("Access-Control-Allow-Origin", allowed)
        if preflight:
            self.send_header("Access-Control-Allow-Methods", "GET, HEAD")
            self.send_header("Access-Control-Allow-Headers", "Range")
            self.send_header("Access-Control-Max-Age", "86400")
        else:
            self.send_header("Access-Control-Expose-Headers", CORS_EXPOSED)

    def _answer(self, body: bool) -> None:
        self._status, self._sent = 0, 0
        try:
            self._serve(body)
        finally:
            self._log_answer()

    def _log_answer(self) -> None:
        report = type(self).report
        if report is not None:
            path = urllib.parse.unquote(self.path, errors="replace")
            report(Request(dt.datetime.now().astimezone(), self.client_address[0], self.command,
                           printable(path if len(path) <= 200 else path[:200] + "..."), self._status,
                           self._sent))

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def _error(self, status: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if status != 414:
            self._cors_headers()
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _serve(self, body: bool) -> None:
        try:
            path = resolve_inside(self.root, self.path)
        except UnicodeDecodeError:
            path = None
        if path is None:
            self._error(404)
            return
        size = path.stat().st_size
        ctype, _ = headers_for(path.name)
        start, end = 0, size - 1
        status = 200
        header = self.headers.get("Range")
        # Only a single range of bytes is served as such: another unit, several ranges or a malformed
        # header are ignored and the whole file is sent, as RFC 9110 allows.
        match = _RANGE.match(header.strip()) if header else None
        if match and (match.group(1) or match.group(2)):
            first, last = match.group(1), match.group(2)
            if first:
                start = int(first)
                end = min(int(last), size - 1) if last else size - 1
            else:  # a suffix: the last N bytes
                start = max(0, size - int(last))
            if start >= size or start > end:
                self._error(416, {"Content-Range": f"bytes */{size}"})
                return
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self._cors_headers()
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not body:
            return
        try:
            with open(path, "rb") as fh:
                fh.seek(start)
                remaining = length
                while remaining > 0:
                    chunk = fh.read(min(_CHUNK, remaining))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    remaining -= len(chunk)
                    self._sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the app stopped listening: normal for seeking players


class ShowServer(http.server.ThreadingHTTPServer):
    """A thread per connection, with a real listen backlog."""

    request_queue_size = BACKLOG
    daemon_threads = True


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000,
                report: RequestReport | None = None, cors: str | None = ANY_ORIGIN) -> http.server.ThreadingHTTPServer:
    """A threaded server for the show folder (not yet serving); ``report`` hears of each request answered;
    ``cors`` is the site whose pages may read the files (``*`` any, None none)."""
    root = Path(folder).resolve()
    handler = type("BoundShowHandler", (ShowHandler,), {"root": root, "report": staticmethod(report) if report
                                                        else None, "cors": cors})
    return ShowServer((host, port), handler)


__all__ = ["ANY_ORIGIN", "Request", "ShowHandler", "ShowServer", "make_server", "printable", "resolve_inside"]
