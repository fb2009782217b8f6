"""Publishing: the feed read back by lxml and feedparser, idempotence, the store under concurrency."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from mutagen.mp3 import MP3

from articast import InputError, Settings, produce
from articast.publish import publish_show
from articast.publish.feed import podcast_guid

from .conftest import DATA

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom"}
BASE = "https://pod.example.org/shows/reading"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "articast", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def show(tmp_path_factory) -> Path:
    """Two articles produced with --publish into one show, then published once more."""
    folder = tmp_path_factory.mktemp("show")
    env = {"ARTICAST_BASE_URL": BASE}
    init = cli("init", "--out", str(folder), "--show", "The Reading List", "--author", "Ada Fielding",
               "--email", "ada@example.org", "--category", "News > Tech News", "--description", "Articles, aloud.")
    assert init.returncode == 0, init.stderr
    for article in ("short-article.md", "qa-article.txt"):
        result = cli("produce", str(DATA / article), "--out", str(folder), "--publish", "--mono", env=env)
        assert result.returncode == 0, result.stderr
    again = cli("publish", "--out", str(folder))  # no base URL given: the show remembers its own
    assert again.returncode == 0, again.stderr
    assert f"subscribe at {BASE}/feed.xml" in again.stderr
    return folder


@pytest.mark.slow
def test_feed_parses_and_has_what_apple_requires(show: Path):
    root = etree.parse(str(show / "feed.xml")).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for path in ("title", "link", "description", "language", "itunes:author", "itunes:image", "itunes:category",
                 "itunes:explicit", "itunes:owner/itunes:email", "itunes:type", "podcast:guid", "podcast:locked",
                 "atom:link[@rel='self']"):
        assert channel.find(path, NS) is not None, path
    assert channel.findtext("title") == "The Reading List"
    assert channel.find("itunes:category", NS).get("text") == "News"
    assert channel.find("itunes:category/itunes:category", NS).get("text") == "Tech News"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "ada@example.org"
    assert channel.find("podcast:locked", NS).get("owner") == "ada@example.org"
    assert channel.find("atom:link", NS).get("href") == f"{BASE}/feed.xml"
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(f"{BASE}/feed.xml")
    cover_url = channel.find("itunes:image", NS).get("href")
    cover = show / cover_url.removeprefix(BASE + "/")
    from PIL import Image

    with Image.open(cover) as img:
        assert img.format in ("JPEG", "PNG") and img.size[0] == img.size[1] and 1400 <= img.size[0] <= 3000


def test_items_match_the_files(show: Path):
    root = etree.parse(str(show / "feed.xml")).getroot()
    items = root.findall("channel/item")
    assert len(items) == 2
    for item in items:
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "audio/mpeg"
        mp3 = show / enclosure.get("url").removeprefix(BASE + "/")
        assert int(enclosure.get("length")) == mp3.stat().st_size
        assert int(item.findtext("itunes:duration", namespaces=NS)) == int(MP3(mp3).info.length)  # as players
        assert item.find("guid").get("isPermaLink") == "false"
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"
        kinds = {t.get("type") for t in item.findall("podcast:transcript", NS)}
        assert kinds == {"text/vtt", "application/x-subrip"}
        assert item.find("podcast:chapters", NS).get("type") == "application/json+chapters"
        # Every URL in the feed is a file at the same relative path in the show folder.
        for element in [enclosure, *item.findall("podcast:transcript", NS), item.find("podcast:chapters", NS)]:
            assert (show / element.get("url").removeprefix(BASE + "/")).is_file()
    chapters = show / items[0].find("podcast:chapters", NS).get("url").removeprefix(BASE + "/")
    assert json.loads(chapters.read_text())["version"] == "1.2.0"
    assert (show / "index.html").is_file()


def test_feedparser_reads_it_the_same_way(show: Path):
    parsed = feedparser.parse(str(show / "feed.xml"))
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title == "The Reading List"
    assert [e.title for e in parsed.entries] == ["How do bees find their way home?",
                                                 "The Lighthouse Keeper's Notebook"]  # newest first
    assert all(e.enclosures[0].type == "audio/mpeg" for e in parsed.entries)
    assert [e.itunes_episode for e in parsed.entries] == ["2", "1"]


@pytest.mark.slow
def test_episodes_are_dated_by_their_articles_and_a_shared_date_keeps_their_order(show: Path, tmp_path: Path):
    import calendar
    import os
    import time

    from mutagen.id3 import ID3, TIT2

    entries = {e.title: e for e in feedparser.parse(str(show / "feed.xml")).entries}
    dated = entries["The Lighthouse Keeper's Notebook"]  # front matter: date: 2025-03-14
    assert tuple(dated.published_parsed[:6]) == (2025, 3, 14, 0, 0, 0)
    undated = entries["How do bees find their way home?"]  # no date: when it was first published
    assert abs(calendar.timegm(undated.published_parsed) - time.time()) < 3600
    mp3 = show / "the-lighthouse-keeper-s-notebook.mp3"
    tag = ID3(mp3)
    assert str(tag["TDRC"]) == "2025-03-14" and str(tag["TXXX:ARTICLE DATE"]) == "2025-03-14"
    assert "March 14, 2025" in (show / "index.html").read_text()

    folder = tmp_path / "copy"
    shutil.copytree(show, folder)
    stamp = mp3.stat().st_mtime
    for offset, title in enumerate(["Second of the day", "Third of the day"], start=1):
        copy = folder / f"{title.lower().replace(' ', '-')}.mp3"
        shutil.copyfile(mp3, copy)
        tag = ID3(copy)
        tag.setall("TIT2", [TIT2(encoding=1, text=title)])
        tag.save(copy, v2_version=3)
        os.utime(copy, (stamp + 100 * offset, stamp + 100 * offset))  # made in this order
    settings = Settings(out_dir=folder, base_url=BASE, show="The Reading List")
    publish_show(settings)
    parsed = feedparser.parse(str(folder / "feed.xml"))
    same_day = [(e.title, e.itunes_episode, time.strftime("%H:%M:%S", e.published_parsed)) for e in parsed.entries
                if e.published_parsed[:3] == (2025, 3, 14)]
    assert same_day == [("Third of the day", "4", "00:00:02"), ("Second of the day", "3", "00:00:01"),
                        ("The Lighthouse Keeper's Notebook", "1", "00:00:00")]
    page = (folder / "index.html").read_text()
    headings = [page.index(f"<h2>{title}</h2>") for title in
                ("Third of the day", "Second of the day", "The Lighthouse Keeper&#x27;s Notebook")]
    assert headings == sorted(headings)
    feed = (folder / "feed.xml").read_bytes()
    publish_show(settings)
    assert (folder / "feed.xml").read_bytes() == feed  # the same dates and order every time


@pytest.mark.slow
def test_a_99_7_second_episode_is_1_39_on_the_page_and_in_the_feed_as_players_show_it(tmp_path: Path):
    import numpy as np

    from articast.audio.encode import encode_mp3
    from articast.tags import TagInfo, write_tags

    rng = np.random.default_rng(1)
    samples = (0.05 * rng.standard_normal((int(99.7 * 44100), 1))).astype(np.float32)
    mp3 = tmp_path / "long-enough.mp3"
    encode_mp3(samples, 44100, mp3)
    write_tags(mp3, TagInfo(title="Long enough", artist="A", album="S", duration_ms=99_700))
    assert 99.6 < MP3(mp3).info.length < 99.8
    publish_show(Settings(out_dir=tmp_path, base_url=BASE))
    item = etree.parse(str(tmp_path / "feed.xml")).getroot().find("channel/item")
    assert item.findtext("itunes:duration", namespaces=NS) == "99"
    assert " · 1:39</p>" in (tmp_path / "index.html").read_text()


def test_podcast_guid_follows_the_namespace_rule():
    # The namespace's own example vectors.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("podnews.net/rss////") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


@pytest.mark.slow
def test_publishing_again_keeps_guids_dates_and_never_duplicates(show: Path, tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(show, folder)
    settings = Settings(out_dir=folder, base_url=BASE, show="The Reading List")
    before = json.loads((folder / "episodes.json").read_text())["episodes"]
    publish_show(settings)
    publish_show(settings)
    after = json.loads((folder / "episodes.json").read_text())["episodes"]
    assert [(e["slug"], e["guid"], e["published"], e["number"]) for e in before] == \
        [(e["slug"], e["guid"], e["published"], e["number"]) for e in after]
    assert len(feedparser.parse(str(folder / "feed.xml")).entries) == 2
    feed, page = (folder / "feed.xml").read_bytes(), (folder / "index.html").read_bytes()
    publish_show(settings)  # nothing changed: the same bytes, so a copy of the show sends nothing
    assert (folder / "feed.xml").read_bytes() == feed and (folder / "index.html").read_bytes() == page


@pytest.mark.slow
def test_no_owner_email_leaves_the_element_out_and_warns_once(show: Path, tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(show, folder)
    (folder / "articast.toml").unlink()
    result = cli("publish", "--out", str(folder), "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    channel = etree.parse(str(folder / "feed.xml")).getroot().find("channel")
    assert channel.find("itunes:owner/itunes:email", NS) is None  # never an empty element
    assert channel.find("itunes:owner/itunes:name", NS) is not None
    assert channel.find("podcast:locked", NS).get("owner") is None
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: no owner e-mail set (--email, ARTICAST_EMAIL or email in articast.toml's [show]); "
                        "Apple Podcasts needs one to list the show"]
    printed = [Path(line).name for line in result.stdout.splitlines()]
    assert printed[-1] == "feed.xml" and {"cover.jpg", "episodes.json", "index.html", "embed.js"} <= set(printed)
    # The one line a site pastes into its pages, and what it finds there: each episode's article and transcript.
    assert f'  <script src="{BASE}/embed.js" async></script>' in result.stderr.splitlines()
    records = json.loads((folder / "episodes.json").read_text())["episodes"]
    assert all(r["transcript"] == f"{r['slug']}.vtt" and (folder / r["transcript"]).is_file() for r in records)


@pytest.mark.slow
def test_reproducing_an_edited_article_updates_its_episode_in_place(show: Path, tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(show, folder)
    # The article is one the writer keeps editing: the same file, produced again.
    edited = tmp_path / "qa-article.txt"
    edited.write_text((DATA / "qa-article.txt").read_text())
    for old in folder.glob("how-do-bees-find-their-way-home.*"):
        old.unlink()
    produce(edited, Settings(out_dir=folder, base_url=BASE, mono=True))
    publish_show(Settings(out_dir=folder, base_url=BASE))
    before = {e["slug"]: e for e in json.loads((folder / "episodes.json").read_text())["episodes"]}
    edited.write_text((DATA / "qa-article.txt").read_text().replace("They also remember landmarks along the way.",
                                                                    "They also remember landmarks."))
    produce(edited, Settings(out_dir=folder, base_url=BASE, mono=True))
    publish_show(Settings(out_dir=folder, base_url=BASE))
    after = {e["slug"]: e for e in json.loads((folder / "episodes.json").read_text())["episodes"]}
    slug = "how-do-bees-find-their-way-home"
    assert after[slug]["guid"] == before[slug]["guid"] and after[slug]["published"] == before[slug]["published"]
    assert after[slug]["length_bytes"] == (folder / f"{slug}.mp3").stat().st_size != before[slug]["length_bytes"]
    assert len(after) == 2


@pytest.mark.slow
def test_two_publishes_at_once_both_land(show: Path, tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(show, folder)
    (folder / "episodes.json").unlink()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            publish_show(Settings(out_dir=folder, base_url=BASE))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    records = json.loads((folder / "episodes.json").read_text())["episodes"]
    assert sorted(r["number"] for r in records) == [1, 2]
    assert not feedparser.parse(str(folder / "feed.xml")).bozo


def test_hostile_titles_are_escaped_and_round_trip(tmp_path: Path, monkeypatch):
    from articast.publish.feed import ShowInfo, render_feed
    from articast.publish.store import EpisodeRecord

    title = 'Ünïcode <b>&amp; "quotes"</b> \u202eRTL\u202c ../../etc/passwd'
    show_info = ShowInfo(title=title, description="a & b < c", author="Ann \"Q\" O'Neil", language="en",
                         category="News", subcategory=None, explicit=False, owner_email="a@b.c",
                         base_url=BASE, cover_name="cover.jpg", link=BASE + "/")
    record = EpisodeRecord(slug="x", guid="urn:uuid:1", number=1, published="2025-01-02T03:04:05+00:00",
                           title=title + "\x07", description="<script>alert(1)</script>", duration_s=5,
                           length_bytes=10)
    xml = render_feed(show_info, [record], {"x": {"mp3": "x.mp3"}})
    parsed = feedparser.parse(xml)
    assert not parsed.bozo
    assert parsed.feed.title == title
    assert parsed.entries[0].title == title  # the control character is dropped, the rest kept exactly
    assert etree.fromstring(xml).find("channel/item/description").text == "<script>alert(1)</script>"


def test_bad_category_lists_apples(tmp_path: Path):
    (tmp_path / "x.mp3").write_bytes(b"")
    with pytest.raises(InputError, match="not one of Apple's: Arts, Business"):
        publish_show(Settings(out_dir=tmp_path, category="Cooking"))


def test_init_refuses_to_overwrite(tmp_path: Path):
    assert cli("init", "--out", str(tmp_path), "--email", "a@b.c").returncode == 0
    again = cli("init", "--out", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_every_published_file_is_readable_by_a_web_server_running_as_another_user(show: Path):
    import os
    import stat

    umask = os.umask(0o022)
    os.umask(umask)
    files = [p for p in show.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert {p.suffix for p in files} >= {".mp3", ".xml", ".html", ".jpg", ".vtt", ".json"}
    for path in files:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o666 & ~umask, (path.name, oct(mode))  # not mkstemp's private 0600
