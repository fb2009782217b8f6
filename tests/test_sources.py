"""Sources beyond plain files: HTML pages, URLs from a local server, stdin, and the script command."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from articast import InputError
from articast.ingest import read_article
from articast.ingest import web as fetch_module
from articast.ingest.html import strip_site_name

from .conftest import DATA

PAGE = (DATA / "news-page.html").read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, ctype: str, body: bytes, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/story.html":
            self._send(200, "text/html; charset=utf-8", PAGE)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/story.html")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/photo.png":
            self._send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, "text/html", PAGE)
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"word " * 2000 + b"</p>\n"
            try:
                for _ in range(3000):  # about 30 MB, more than the limit, with no Content-Length
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path in ("/drip", "/drip-headers"):  # a few bytes every 0.2 s: no read ever waits long
            try:
                self.wfile.write(b"HTTP/1.0 200 OK\r\n")
                if self.path == "/drip":
                    self.wfile.write(b"Content-Type: text/html\r\n\r\n<html><body><p>")
                for _ in range(100):  # (bounded: 20 s at most)
                    self.wfile.write(b"X-Slow: 1\r\n" if self.path == "/drip-headers" else b"word " * 5)
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/latin1.html":  # the header says UTF-8; the bytes are Windows-1252
            body = ("<html><head><title>Caf\u00e9 cr\u00e8me</title></head><body><article><h1>Caf\u00e9 "
                    "cr\u00e8me</h1><p>" + "Le caf\u00e9 \u00e9tait ferm\u00e9, mais la cr\u00e8me "
                    "br\u00fbl\u00e9e \u00e9tait l\u00e0. " * 6 + "</p></article></body></html>")
            self._send(200, "text/html; charset=utf-8", body.encode("cp1252"))
        elif self.path == "/escenic.html":  # a CMS's name in the metadata's title, the headline in og:title and h1
            headline = "Cold wave alert: temperatures to plunge across the north"
            body = (f'<html><head><title>escenic</title><meta name="title" content="escenic">'
                    f'<meta property="og:title" content="{headline}"><meta name="author" content="No Author">'
                    f'<meta name="generator" content="Escenic Content Engine"></head><body><article>'
                    f'<h1>{headline}</h1><p>' + "Forecasters say the cold will last into the weekend. " * 6
                    + "</p></article></body></html>")
            self._send(200, "text/html; charset=utf-8", body.encode())
        elif self.path == "/nothing.html":
            self._send(200, "text/html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
        else:
            self._send(404, "text/html", b"<h1>Not Found</h1>")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_html_file_keeps_the_article_and_drops_the_furniture():
    article = read_article(DATA / "news-page.html")
    assert article.title == "City Opens Its First Night Library"
    assert article.author == "Priya Natarajan"
    assert article.date == "2025-10-02"
    assert article.language == "en"
    assert [s.title for s in article.sections] == [None, "Why open at night?", "What comes next"]
    text = " ".join(p for s in article.sections for p in s.paragraphs)
    assert "4,200 visitors" in text and "March 12" in text
    for furniture in ("cookies", "ADVERTISEMENT", "Related stories", "Share this", "All rights reserved",
                      "Weather", "tracking", "font-family"):
        assert furniture not in text


def test_site_name_is_stripped_from_titles():
    assert strip_site_name("Story | The Gazette", "The Gazette") == "Story"
    assert strip_site_name("The Gazette - Story", "The Gazette") == "Story"
    assert strip_site_name("A - B", None) == "A - B"


def test_url_is_fetched_and_redirects_followed(server: str):
    article = read_article(f"{server}/moved")
    assert article.title == "City Opens Its First Night Library"
    assert article.source == f"{server}/story.html"


@pytest.mark.parametrize("path, message", [
    ("/missing", "HTTP 404"),
    ("/loop", "redirects too many times"),
    ("/photo.png", "image/png, not a web page"),
    ("/huge", "larger than"),
    ("/nothing.html", "no article text"),
])
def test_bad_urls_give_clear_errors(server: str, path: str, message: str):
    with pytest.raises(InputError, match=message):
        read_article(f"{server}{path}")


@pytest.mark.slow
def test_slow_server_times_out(server: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fetch_module, "FETCH_TIMEOUT_S", 1.0)
    started = time.monotonic()
    with pytest.raises(InputError, match="timed out"):
        read_article(f"{server}/slow")
    assert time.monotonic() - started < 2.5


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline_of_the_whole_download(server: str, path: str,
                                                                           monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fetch_module, "FETCH_TIMEOUT_S", 1.0)
    started = time.monotonic()
    with pytest.raises(InputError, match="timed out after 1 s"):
        read_article(f"{server}{path}")
    assert time.monotonic() - started < 10  # (it dripped for 20 s; each read waited 0.2 s at most)


def test_latin1_bytes_under_a_utf8_header_are_read_as_latin1(server: str):
    article = read_article(f"{server}/latin1.html")
    text = " ".join(p for s in article.sections for p in s.paragraphs)
    assert article.title == "Café crème" and "crème brûlée était là" in text and "\ufffd" not in text


def test_a_cms_name_is_never_the_title_and_no_author_is_nobody(server: str):
    article = read_article(f"{server}/escenic.html")
    assert article.title == "Cold wave alert: temperatures to plunge across the north"
    assert article.author is None


def test_unreachable_address_fails_at_once():
    with pytest.raises(InputError, match="cannot be reached"):
        read_article("http://127.0.0.1:9/story.html")


def _script_json(*args: str, stdin: bytes | None = None) -> dict:
    result = subprocess.run([sys.executable, "-m", "articast", "script", *args, "--json"], input=stdin,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_script_json_has_exactly_the_promised_shape(server: str):
    doc = _script_json(f"{server}/story.html")
    assert set(doc) == {"title", "author", "date", "language", "chapters"}  # (language and voice: issue 34)
    assert doc["date"] is None or len(doc["date"]) == 10  # YYYY-MM-DD, when the article says
    assert doc["title"] == "City Opens Its First Night Library" and doc["author"] == "Priya Natarajan"
    for chapter in doc["chapters"]:
        assert set(chapter) == {"title", "segments"}
        for segment in chapter["segments"]:
            assert set(segment) == {"text", "spoken", "voice"}
    spoken = " ".join(s["spoken"] for c in doc["chapters"] for s in c["segments"])
    assert "two hundred fifty thousand dollars" in spoken and "sixty percent" in spoken


def test_script_reads_stdin_and_author_is_null():
    doc = _script_json("-", stdin=b"Short Title\n\nIt cost $5 in 2024.\n")
    assert doc["author"] is None
    assert doc["title"] == "Short Title"
    assert doc["chapters"][0]["segments"][-1] == {"text": "It cost $5 in 2024.",
                                                  "spoken": "It cost five dollars in twenty twenty-four.",
                                                  "voice": "joe"}  # the voice that will speak it (issue 34)


@pytest.mark.slow
def test_lexicon_from_the_show_settings_and_a_file(tmp_path):
    show = tmp_path / "show"
    show.mkdir()
    (show / "articast.toml").write_text('[lexicon]\nOkafor = "oh-KAH-for"\n')
    lexicon = tmp_path / "names.toml"
    lexicon.write_text('Quay = "key"\n')
    doc = _script_json(str(DATA / "news-page.html"), "--out", str(show), "--lexicon", str(lexicon))
    spoken = " ".join(s["spoken"] for c in doc["chapters"] for s in c["segments"])
    assert "Tom oh-KAH-for" in spoken and "key Street" in spoken
