"""`articast serve`: ranges, HEAD, content types, and nothing outside the show folder."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from articast.publish.serve import make_server


@pytest.fixture
def served(tmp_path: Path):
    show = tmp_path / "show"
    show.mkdir()
    (show / "ep.mp3").write_bytes(bytes(range(256)) * 40)  # 10,240 bytes
    (show / "feed.xml").write_text("<rss/>")
    (show / "index.html").write_text("<!DOCTYPE html><title>x</title>")
    (show / "ep.vtt").write_text("WEBVTT\n")
    (show / ".articast.lock").write_text("")
    (tmp_path / "secret.txt").write_text("outside the show")
    (show / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (show / "inside-link.mp3").symlink_to(show / "ep.mp3")
    server = make_server(show, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def request(port: int, method: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.mark.slow
def test_get_head_and_content_types(served):
    status, headers, body = request(served, "GET", "/ep.mp3")
    assert status == 200 and len(body) == 10240 and headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    status, headers, body = request(served, "HEAD", "/ep.mp3")
    assert status == 200 and body == b"" and headers["content-length"] == "10240"
    assert request(served, "GET", "/feed.xml")[1]["content-type"].startswith("application/rss+xml")
    assert request(served, "GET", "/ep.vtt")[1]["content-type"].startswith("text/vtt")
    assert request(served, "GET", "/")[2].startswith(b"<!DOCTYPE html>")


@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.parametrize("range_header, status, content_range, first, length", [
    ("bytes=0-99", 206, "bytes 0-99/10240", 0, 100),
    ("bytes=10000-", 206, "bytes 10000-10239/10240", 10000 % 256, 240),
    ("bytes=-10", 206, "bytes 10230-10239/10240", 10230 % 256, 10),
    ("bytes=10200-99999", 206, "bytes 10200-10239/10240", 10200 % 256, 40),
    ("bytes=20000-", 416, "bytes */10240", None, 0),
    ("bytes=50-10", 416, "bytes */10240", None, 0),
    ("chunks=1-2", 200, None, 0, 10240),  # another unit, or several ranges: ignored, the whole file
    ("items=0-5", 200, None, 0, 10240),
    ("bytes=0-1,5-9", 200, None, 0, 10240),
])
def test_byte_ranges(served, range_header, status, content_range, first, length):
    got, headers, body = request(served, "GET", "/ep.mp3", {"Range": range_header})
    assert got == status
    assert headers.get("content-range") == content_range
    assert len(body) == length
    if first is not None:
        assert body[0] == first


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/escape.txt",
                                  "/.articast.lock", "/nope.mp3", "/%00", "/..\\secret.txt"])
def test_nothing_outside_the_folder(served, path):
    status, _, body = request(served, "GET", path)
    assert status == 404 and b"outside the show" not in body


@pytest.mark.slow
def test_a_symlink_inside_the_folder_is_fine(served):
    assert request(served, "GET", "/inside-link.mp3")[0] == 200


@pytest.mark.slow
def test_concurrent_range_requests_are_all_answered(served):
    def fetch(i: int) -> int:
        start = (i * 97) % 10000
        status, _, body = request(served, "GET", "/ep.mp3", {"Range": f"bytes={start}-{start + 199}"})
        return status if len(body) == 200 else -1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(fetch, range(200)))
    assert results == [206] * 200
    assert time.monotonic() - started < 60


def _serve(folder, *flags: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "articast", "serve", "--out", str(folder), "--port", "0", *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    line = proc.stdout.readline().strip()
    assert line.startswith("http://127.0.0.1:") and line.endswith("/feed.xml")
    return proc, int(line.split(":")[2].split("/")[0])


@pytest.mark.slow
def test_serve_command_binds_loopback_logs_each_request_and_ctrl_c_exits_130(tmp_path):
    (tmp_path / "feed.xml").write_text("<rss/>")
    (tmp_path / "ep.mp3").write_bytes(bytes(range(256)) * 40)
    proc, port = _serve(tmp_path)
    err: list[str] = []

    def answered() -> str:
        """The server's next request line. It is printed just after the answer is sent, so each
        request waits for its own line: the next request's thread could otherwise print first."""
        while True:
            err.append(proc.stderr.readline().rstrip("\n"))
            assert err[-1], f"the server printed no more: {err}"
            if err[-1][:2] == "20":
                return err[-1]

    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 127\.0\.0\.1"
    watchdog = threading.Timer(30, proc.kill)  # a line that never comes fails the test, not the run
    watchdog.start()
    try:
        assert request(port, "GET", "/feed.xml")[2] == b"<rss/>"
        assert re.fullmatch(rf"{stamp} GET /feed\.xml 200 6", answered())
        assert request(port, "GET", "/ep.mp3", {"Range": "bytes=100-199"})[0] == 206
        assert re.fullmatch(rf"{stamp} GET /ep\.mp3 206 100", answered())
        assert request(port, "HEAD", "/ep.mp3")[0] == 200
        assert re.fullmatch(rf"{stamp} HEAD /ep\.mp3 200 0", answered())
        assert request(port, "GET", "/no%20such.mp3")[0] == 404
        assert re.fullmatch(rf"{stamp} GET /no such\.mp3 404 0", answered())
        watchdog.cancel()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 130  # Ctrl-C, as the README's exit table says
        err += proc.stderr.read().splitlines()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert sum(line[:2] == "20" for line in err) == 4, err
    assert err[-1] == "stopped serving" and "Traceback" not in "\n".join(err)


@pytest.mark.slow
def test_serve_quiet_prints_no_request_lines(tmp_path):
    (tmp_path / "feed.xml").write_text("<rss/>")
    proc, port = _serve(tmp_path, "--quiet")
    try:
        assert request(port, "GET", "/feed.xml")[0] == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 130
        err = proc.stderr.read().splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert [line for line in err if "/feed.xml" in line] == [] and err[-1] == "stopped serving"


@pytest.mark.slow
def test_only_the_shows_public_files_are_served(tmp_path):
    """What publish would upload, and nothing else: settings, follow records, notes and temporary files stay private."""
    show = tmp_path / "show"
    show.mkdir()
    public = {"ep.mp3": b"ID3" + b"\0" * 100, "ep.vtt": b"WEBVTT\n", "ep.srt": b"1\n", "ep.chapters.json": b"{}",
              "feed.xml": b"<rss/>", "index.html": b"<!DOCTYPE html>", "episodes.json": b"{}", "cover.jpg": b"\xff\xd8",
              "icon-192.png": b"\x89PNG", "manifest.webmanifest": b"{}", "sw.js": b"//"}
    private = {"articast.toml": b'[show]\npublish_to = "s3://me:secret@bucket/pod"\nemail = "me@example.org"\n',
               "follow.json": b'{"feeds": {"https://private.example/feed?token=abc": {}}}',
               "notes.txt": b"draft", "orphan.vtt": b"WEBVTT\n", ".ep.mp3.abc.tmp": b"half",
               ".articast-upload.json": b"{}"}
    for name, data in {**public, **private}.items():
        (show / name).write_bytes(data)
    server = make_server(show, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        for name, data in public.items():
            assert request(port, "GET", f"/{name}") == (200, request(port, "GET", f"/{name}")[1], data), name
        for name in private:
            status, _, body = request(port, "GET", "/" + name.replace(".", "%2E", 1))
            assert status == 404 and body == b"", name
            assert request(port, "GET", f"/{name}")[0] == 404, name
        assert request(port, "GET", "/")[2] == b"<!DOCTYPE html>"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_hostile_requests_control_characters_long_paths_and_idle_sockets(tmp_path, monkeypatch):
    """Control characters in a path are escaped in the log; an over-long path is answered 414; an idle
    connection is closed after the idle timeout; the listen backlog is not socketserver's 5."""
    import socket

    from articast.publish import serve

    (tmp_path / "feed.xml").write_text("<rss/>")
    seen: list = []
    monkeypatch.setattr(serve.ShowHandler, "timeout", 1.0)
    server = make_server(tmp_path, "127.0.0.1", 0, report=seen.append)
    assert server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
    assert server.request_queue_size >= 128
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        assert request(port, "GET", "/x%0a2026-01-01%2000:00:00%2010.0.0.1%20GET%20/forged%20200%201%1b[2J")[0] == 404
        assert request(port, "GET", "/" + "a" * 5000)[0] == 414
        idle = socket.create_connection(("127.0.0.1", port), timeout=20)
        assert idle.recv(100) == b""  # closed by the server, not by our 20 s
        idle.close()
        assert request(port, "GET", "/feed.xml")[0] == 200
    finally:
        server.shutdown()
        server.server_close()
    paths = [r.path for r in seen]
    assert "\n" not in "".join(paths) and "\x1b" not in "".join(paths)
    assert any("\\x0a2026-01-01" in p and "\\x1b[2J" in p for p in paths), paths
    # (each is reported just after its answer is sent: the two may be reported in either order)
    assert sorted(r.status for r in seen[:2]) == [404, 414]
    assert all(len(r.path) < 300 for r in seen if r.status == 414)


def serve_with(tmp_path: Path, cors):
    show = tmp_path / "show"
    show.mkdir(exist_ok=True)
    (show / "episodes.json").write_text('{"episodes": []}')
    (show / "articast.toml").write_text("secret = 1")
    server = make_server(show, "127.0.0.1", 0, cors=cors)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_other_sites_pages_may_read_the_shows_files_by_default(tmp_path: Path):
    server = serve_with(tmp_path, "*")
    port = server.server_address[1]
    try:
        status, headers, body = request(port, "GET", "/episodes.json", {"Origin": "https://blog.example"})
        assert status == 200 and headers["access-control-allow-origin"] == "*"
        assert "Content-Range" in headers["access-control-expose-headers"]
        status, headers, _ = request(port, "GET", "/articast.toml", {"Origin": "https://blog.example"})
        assert status == 404  # CORS opens nothing that is not public
        status, headers, body = request(port, "OPTIONS", "/episodes.json", {
            "Origin": "https://blog.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range"})
        assert status == 204 and body == b"" and headers["access-control-allow-origin"] == "*"
        assert headers["access-control-allow-methods"] == "GET, HEAD" and headers["access-control-allow-headers"] == "Range"
    finally:
        server.shutdown()
        server.server_close()


def test_cors_for_one_site_or_none(tmp_path: Path):
    server = serve_with(tmp_path, "https://blog.example")
    port = server.server_address[1]
    try:
        status, headers, _ = request(port, "GET", "/episodes.json", {"Origin": "https://blog.example"})
        assert headers["access-control-allow-origin"] == "https://blog.example" and headers["vary"] == "Origin"
        status, headers, _ = request(port, "GET", "/episodes.json", {"Origin": "https://evil.example"})
        assert status == 200 and "access-control-allow-origin" not in headers
        assert request(port, "OPTIONS", "/episodes.json", {"Origin": "https://evil.example"})[0] == 403
    finally:
        server.shutdown()
        server.server_close()
    server = serve_with(tmp_path, None)
    try:
        status, headers, _ = request(server.server_address[1], "GET", "/episodes.json", {"Origin": "https://a.example"})
        assert status == 200 and "access-control-allow-origin" not in headers
    finally:
        server.shutdown()
        server.server_close()


def test_cors_option_takes_an_origin_any_or_none():
    from articast.commands.serve import cors_origin

    assert cors_origin("*") == "*" and cors_origin("none") is None
    assert cors_origin("https://Blog.Example:8443/") == "https://blog.example:8443"
    for bad in ("blog.example", "ftp://blog.example", "https://blog.example/posts", "https://u@blog.example"):
        with pytest.raises(Exception, match="is not an origin"):
            cors_origin(bad)


@pytest.mark.slow
def test_serve_refuses_a_bad_cors_origin_in_one_line(tmp_path: Path):
    (tmp_path / "show").mkdir()
    done = subprocess.run([sys.executable, "-m", "articast", "serve", "--out", str(tmp_path / "show"), "--cors",
                           "blog.example"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("error: articast serve: argument --cors: 'blog.example' is not an origin: give *, "
                                   "none or one like https://blog.example.com; see 'articast serve --help'")
