"""Bad days: every bad input tried, kills at random moments, hostile metadata, properties that must hold."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from articast import InputError
from articast.ingest import parse_article, read_article

from .conftest import DATA

ARTICAST = [sys.executable, "-m", "articast"]


def run(*args: str, stdin: bytes | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*ARTICAST, *args], input=stdin, capture_output=True, timeout=timeout)


def _bad_inputs(tmp: Path) -> dict[str, Path]:
    cases = {
        "missing": tmp / "missing.txt",
        "folder": tmp / "folder",
        "fifo": tmp / "pipe",
        "empty": tmp / "empty.txt",
        "whitespace": tmp / "blank.txt",
        "binary": tmp / "binary.txt",
        "punctuation": tmp / "punct.txt",
        "emoji": tmp / "emoji.txt",
        "code-only": tmp / "code.md",
        "html-no-article": tmp / "menu.html",
        "too-many-words": tmp / "huge.txt",
        "too-many-bytes": tmp / "enormous.txt",
    }
    cases["folder"].mkdir()
    os.mkfifo(cases["fifo"])
    cases["empty"].write_bytes(b"")
    cases["whitespace"].write_text(" \n\t\n   \n")
    cases["binary"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50)
    cases["punctuation"].write_text("... !!! ??? --- *** ;;; ,,,\n")
    cases["emoji"].write_text("🎉🎉🎉 🚀 ✨✨ 👍\n")
    cases["code-only"].write_text("```python\nprint('hello')\n```\n\n```\nmore code\n```\n")
    cases["html-no-article"].write_text("<html><body><nav><a href='/'>Home</a> <a href='/x'>More</a></nav>"
                                        "<footer>© 2025</footer></body></html>")
    cases["too-many-words"].write_text("Title\n\n" + ("word " * 20 + "end.\n") * 8000)
    with open(cases["too-many-bytes"], "wb") as fh:
        fh.truncate(25_000_000)  # sparse: instant to make, refused by size before it is read
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("case", ["missing", "folder", "fifo", "empty", "whitespace", "binary", "punctuation",
                                  "emoji", "code-only", "html-no-article", "too-many-words", "too-many-bytes"])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path: Path, case: str):
    path = _bad_inputs(tmp_path)[case]
    out = tmp_path / "show"
    started = time.monotonic()
    result = run("produce", str(path), "--out", str(out), timeout=60)
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 2, (case, lines)
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in lines[0], lines
    assert not out.exists()
    assert time.monotonic() - started < 30


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text("Some words.\n")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)  # tests run as root, where chmod cannot lock a file
    with pytest.raises(InputError, match="locked.txt: permission denied"):
        read_article(path)


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_legacy_encodings_make_good_episodes(tmp_path: Path, encoding: str):
    text = "Café Notes\n\nThe naïve barista served crème brûlée at the café on Tuesday.\n"
    if encoding == "cp1252":
        text = text.replace("Tuesday.", "Tuesday \u2013 twice.")
    source = tmp_path / "notes.txt"
    source.write_bytes(text.encode(encoding))
    doc = json.loads(run("script", str(source), "--json").stdout)
    assert doc["title"] == "Café Notes"
    assert "crème brûlée" in doc["chapters"][0]["segments"][-1]["text"]
    result = run("produce", str(source), "--out", str(tmp_path / "show"), "--no-music", "--mono")
    assert result.returncode == 0, result.stderr
    assert MP3(tmp_path / "show" / "cafe-notes.mp3").info.length > 3


@pytest.mark.slow
def test_a_run_on_paragraph_becomes_an_episode(tmp_path: Path):
    source = tmp_path / "runon.txt"
    source.write_text("and then " * 150 + "it was over")
    result = run("produce", str(source), "--out", str(tmp_path / "show"), "--no-music", "--mono")
    assert result.returncode == 0, result.stderr
    doc = json.loads(run("script", str(source), "--json").stdout)
    segments = [s["text"] for c in doc["chapters"] for s in c["segments"]]
    assert len(segments) > 1 and all(len(s) <= 400 for s in segments)


# --- kills at random moments -------------------------------------------------------------------

def _long_article(path: Path) -> Path:
    paragraph = "The harbour was quiet at dawn, and the boats rocked gently on their moorings. " * 4
    path.write_text("A Morning at the Harbour\n\n" + "\n\n".join(paragraph for _ in range(10)))
    return path


def _check_show_is_sound(folder: Path) -> None:
    """What an app or a reader sees is whole: every MP3, feed, page and record is complete."""
    if not folder.exists():
        return
    for mp3 in folder.glob("*.mp3"):
        assert MP3(mp3).info.length > 1
    feed = folder / "feed.xml"
    if feed.exists():
        assert etree.parse(str(feed)).getroot().tag == "rss"
    page = folder / "index.html"
    if page.exists():
        assert page.read_text().rstrip().endswith("</html>")
    store = folder / "episodes.json"
    if store.exists():
        json.loads(store.read_text())
    visible = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert not [p for p in visible if p.suffix == ".tmp"]


@pytest.mark.slow
def test_kill_9_during_produce_never_leaves_a_broken_episode(tmp_path: Path):
    article = _long_article(tmp_path / "harbour.txt")
    out = tmp_path / "show"
    rng = random.Random(7)
    env = {**os.environ, "ARTICAST_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(4):
        proc = subprocess.Popen([*ARTICAST, "produce", str(article), "--out", str(out), "--publish"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0.5, 8.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _check_show_is_sound(out)
    final = subprocess.run([*ARTICAST, "produce", str(article), "--out", str(out), "--publish"],
                           capture_output=True, env=env, timeout=300)
    assert final.returncode == 0, final.stderr
    _check_show_is_sound(out)
    assert len(feedparser.parse(str(out / "feed.xml")).entries) == 1


@pytest.fixture(scope="module")
def published_show(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("published")
    for article in ("short-article.md", "qa-article.txt"):
        result = run("produce", str(DATA / article), "--out", str(folder), "--no-music", "--mono")
        assert result.returncode == 0, result.stderr
    assert run("publish", "--out", str(folder)).returncode == 0
    return folder


@pytest.mark.slow
def test_kill_9_during_publish_never_corrupts_feed_page_or_records(published_show: Path, tmp_path: Path):
    folder = tmp_path / "show"
    shutil.copytree(published_show, folder)
    rng = random.Random(11)
    for _ in range(8):
        proc = subprocess.Popen([*ARTICAST, "publish", "--out", str(folder), "--show", f"Show {rng.random()}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _check_show_is_sound(folder)
    assert run("publish", "--out", str(folder)).returncode == 0
    assert len(feedparser.parse(str(folder / "feed.xml")).entries) == 2


@pytest.mark.slow
def test_publishes_from_several_processes_at_once_all_land(published_show: Path, tmp_path: Path):
    folder = tmp_path / "show"
    shutil.copytree(published_show, folder)
    (folder / "episodes.json").unlink()
    procs = [subprocess.Popen([*ARTICAST, "publish", "--out", str(folder)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    records = json.loads((folder / "episodes.json").read_text())["episodes"]
    assert sorted(r["number"] for r in records) == [1, 2]
    assert len(feedparser.parse(str(folder / "feed.xml")).entries) == 2


# --- hostile metadata -------------------------------------------------------------------------

@pytest.mark.slow
def test_hostile_title_is_escaped_sluged_and_kept_exactly(tmp_path: Path):
    title = '<script>alert("x")</script> & Co\'s "best" ../../etc/passwd \u202eevil\u202c ünï'
    out = tmp_path / "show"
    result = run("produce", str(DATA / "qa-article.txt"), "--out", str(out), "--title", title, "--publish",
                 "--no-music", "--mono")
    assert result.returncode == 0, result.stderr
    mp3s = list(out.glob("*.mp3"))
    assert len(mp3s) == 1 and mp3s[0].parent == out
    assert mp3s[0].name.isascii() and "/" not in mp3s[0].stem and ".." not in mp3s[0].stem
    parsed = feedparser.parse(str(out / "feed.xml"))
    assert not parsed.bozo and parsed.entries[0].title == title
    assert etree.parse(str(out / "feed.xml")).getroot().find("channel/item/title").text == title
    page = (out / "index.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert not (tmp_path / "etc").exists()


@pytest.mark.slow
def test_a_ten_thousand_character_title_is_trimmed_not_fatal(tmp_path: Path):
    title = ("Very long title " * 700)[:10_000]
    out = tmp_path / "show"
    result = run("produce", str(DATA / "qa-article.txt"), "--out", str(out), "--title", title, "--publish",
                 "--no-music", "--mono")
    assert result.returncode == 0, result.stderr
    assert b"embed.js" not in result.stderr  # the line for the site's pages is publish's to give, not each produce's
    (mp3,) = out.glob("*.mp3")
    assert len(mp3.name) <= 64
    feed_title = feedparser.parse(str(out / "feed.xml")).entries[0].title
    assert 100 < len(feed_title) <= 255 and title.startswith(feed_title.rstrip("…").rstrip())
    # One title everywhere, and a bounded one to say: not ten minutes of it before the article.
    assert str(ID3(mp3)["TIT2"]) == feed_title
    assert mp3.with_suffix(".vtt").read_text().split("\n\n")[1].splitlines()[-1] == feed_title


# --- properties -------------------------------------------------------------------------------

_xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                    min_size=1, max_size=200).filter(lambda t: t.strip() == t and t.strip())


@settings(max_examples=80, deadline=None)
@given(_xml_text, _xml_text)
def test_any_text_round_trips_through_the_feed(title: str, description: str):
    from articast.publish.feed import ShowInfo, render_feed
    from articast.publish.store import EpisodeRecord

    show = ShowInfo(title=title, description=description, author=title, language="en", category="News",
                    subcategory=None, explicit=False, owner_email="a@b.c", base_url="https://x.example",
                    cover_name="cover.jpg", link="https://x.example/")
    record = EpisodeRecord(slug="e", guid="urn:uuid:0", number=1, published="2025-01-01T00:00:00+00:00",
                           title=title, description=description, duration_s=1, length_bytes=1)
    root = etree.fromstring(render_feed(show, [record], {"e": {"mp3": "e.mp3"}}))
    assert root.findtext("channel/title") == title
    assert root.findtext("channel/item/title") == title
    assert root.findtext("channel/item/description") == description


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_speech_normalisation_never_fails_and_is_deterministic(text: str):
    from articast.script import to_spoken

    first = to_spoken(text)
    assert first == to_spoken(text)
    assert isinstance(first, str)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.text(max_size=600), st.sampled_from(["text", "markdown", "html"]))
def test_ingest_accepts_or_refuses_cleanly_and_is_deterministic(text: str, kind: str):
    try:
        first = parse_article(text, kind=kind)
    except InputError:
        return
    assert parse_article(text, kind=kind) == first


def test_temporary_files_left_by_a_killed_run_are_cleared_later(tmp_path: Path):
    from articast.fsutil import remove_stale_temps

    old = tmp_path / ".feed.xml.abc123.tmp"
    fresh = tmp_path / ".feed.xml.def456.tmp"
    for path in (old, fresh):
        path.write_text("half a feed")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert remove_stale_temps(tmp_path) == 1
    assert not old.exists() and fresh.exists()  # a fresh one may belong to a run still going
