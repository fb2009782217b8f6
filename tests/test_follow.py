"""Following sources: what each kind of source lists (no speech), and follow/unfollow's articast.toml."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from articast.errors import InputError
from articast.follow import list_followed
from articast.follow.sources import (
    FULL_CONTENT_WORDS,
    Remembered,
    identify,
    list_folder,
    parse_feed,
    parse_json_feed,
    parse_opml,
    parse_reading_list,
    read_source,
)
from articast.follow.update import _newest_first, _unique

from .feedserver import ARTICLES, FeedServer, day, page, rss

ARTICAST = [sys.executable, "-m", "articast"]
LONG = " ".join(["The whole article is in the feed, sentence after sentence."] * (FULL_CONTENT_WORDS // 9 + 2))


@pytest.fixture
def server():
    served = FeedServer().start()
    yield served
    served.stop()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ARTICAST, *args], capture_output=True, text=True, timeout=300)


def test_rss_links_are_resolved_against_the_feed_and_ids_are_kept_as_written():
    data = rss([{"title": "One", "link": "posts/one.html", "guid": "one-1", "pubDate": day(2)},
                {"title": "Two", "link": "/two.html", "pubDate": day(1)},
                {"title": "Three", "description": "no link, no id"}]).encode()
    listing = parse_feed(data, "https://news.example/feeds/all.xml")
    one, two, three = listing.items
    assert (one.identity, one.link, one.date) == ("one-1", "https://news.example/feeds/posts/one.html", "2025-12-02")
    assert (two.identity, two.link) == ("https://news.example/two.html",) * 2  # no id: the link is the identity
    assert three.link is None and three.identity.startswith("sha256:")  # neither: a hash of the content
    assert listing.title == "The Harbour Post"
    assert one.content is None  # a summary is not the article


def test_full_content_is_taken_from_the_feed_but_a_teaser_is_not():
    data = rss([{"title": "Whole", "link": "https://a.example/1", "content": f"<p>{LONG}</p>"},
                {"title": "Teaser", "link": "https://a.example/2", "content": f"<p>{LONG} Read more…</p>"},
                {"title": "Short", "link": "https://a.example/3", "content": "<p>Just a line.</p>"},
                {"title": "Only here", "content": "<p>Just a line, and no link to read instead.</p>"}]).encode()
    whole, teaser, short, only = parse_feed(data, "https://a.example/feed").items
    assert whole.content and LONG[:40] in whole.content
    assert teaser.content is None and short.content is None
    assert only.content  # with no link, the feed's content is all there is


def test_atom_and_json_feed():
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:x</id><updated>2025-12-03T00:00:00Z</updated>
<entry><title>First</title><id>tag:a,2025:1</id><link href="/a/1"/><updated>2025-12-03T10:00:00Z</updated>
<author><name>Rae Lin</name></author><content type="html">&lt;p&gt;{LONG}&lt;/p&gt;</content></entry></feed>"""
    [entry] = parse_feed(atom.encode(), "https://atom.example/feed.atom").items
    assert (entry.identity, entry.link, entry.author, entry.date) == (
        "tag:a,2025:1", "https://atom.example/a/1", "Rae Lin", "2025-12-03")
    assert entry.content and entry.content_kind == "html"
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "JSON news",
           "authors": [{"name": "Desk"}],
           "items": [{"id": "7", "url": "posts/7", "title": "Seven", "content_text": LONG,
                      "date_published": "2025-12-04T09:00:00+01:00"},
                     {"id": "8", "external_url": "https://elsewhere.example/8", "summary": "A summary",
                      "authors": [{"name": "Ann"}]}]}
    seven, eight = parse_json_feed(json.dumps(doc).encode(), "https://json.example/feed.json").items
    assert (seven.identity, seven.link, seven.author, seven.date) == ("7", "https://json.example/posts/7", "Desk",
                                                                      "2025-12-04")
    assert seven.content == LONG and seven.content_kind == "text"
    assert (eight.link, eight.author, eight.summary, eight.content) == (
        "https://elsewhere.example/8", "Ann", "A summary", None)
    with pytest.raises(InputError, match="not a JSON Feed"):
        parse_json_feed(b'{"items": []}', "https://json.example/other.json")


def test_opml_reading_list_and_folder(tmp_path: Path):
    opml = b"""<?xml version="1.0"?><opml version="2.0"><head><title>Subs</title></head><body>
      <outline text="Tech"><outline text="A" type="rss" xmlUrl="https://a.example/feed"/>
      <outline text="B" type="rss" xmlUrl="b/feed.xml"/></outline><outline text="no feed"/></body></opml>"""
    assert parse_opml(opml, "https://lists.example/subs.opml") == (
        "https://a.example/feed", "https://lists.example/b/feed.xml")
    with pytest.raises(InputError, match="lists no feeds"):
        parse_opml(b"<opml><body><outline text='x'/></body></opml>", "x.opml")
    (tmp_path / "notes.md").write_text("# Notes\n\nSome words.\n")
    listing = parse_reading_list("# to read\n\nhttps://a.example/1\n  notes.md  # my draft\nhttps://a.example/r.pdf\n",
                                 str(tmp_path / "list.txt"))
    assert [i.link for i in listing.items] == ["https://a.example/1", str(tmp_path / "notes.md"),
                                              "https://a.example/r.pdf"]
    assert listing.items[2].not_article is None  # a PDF is read
    assert [i.link for i in parse_reading_list("one.html\n", "https://lists.example/me/list.txt").items] == [
        "https://lists.example/me/one.html"]
    (tmp_path / ".hidden.md").write_text("x")
    (tmp_path / "photo.jpg").write_bytes(b"x")
    for document in ("draft.docx", "draft.odt", "book.epub", "paper.pdf"):
        (tmp_path / document).write_bytes(b"PK")
    assert sorted(Path(i.link).name for i in list_folder(tmp_path).items) == [
        "book.epub", "draft.docx", "draft.odt", "notes.md", "paper.pdf"]


def test_duplicates_and_newest_first():
    data = rss([{"title": "A", "link": "https://x.example/a", "guid": "a", "pubDate": day(1)},
                {"title": "B", "link": "https://x.example/b", "guid": "b", "pubDate": day(3)},
                {"title": "A again", "link": "https://x.example/a", "guid": "a2", "pubDate": day(1)},
                {"title": "B repeated", "link": "https://x.example/b2", "guid": "b", "pubDate": day(3)},
                {"title": "C", "link": "https://x.example/c", "guid": "c", "pubDate": day(2)}]).encode()
    listing = parse_feed(data, "https://x.example/feed")
    assert [i.title for i in _unique(_newest_first(listing, "feed"))] == ["B", "C", "A"]


def test_podcast_episodes_and_images_are_not_articles_and_pdfs_are():
    data = rss([{"title": "Episode 5", "link": "https://pod.example/5", "enclosure": "https://pod.example/5.mp3"},
                {"title": "Report", "link": "https://x.example/report.pdf"},
                {"title": "Photo", "link": "https://x.example/p.JPG"},
                {"title": "Story", "link": "https://x.example/story"}]).encode()
    kinds = [i.not_article for i in parse_feed(data, "https://x.example/feed").items]
    assert kinds == ["a podcast episode", None, "an image", None]


@pytest.mark.slow
def test_a_document_that_is_not_a_feed(server: FeedServer, tmp_path: Path):
    server.add("/feed.xml", "this is not a feed at all { }\n<<<", "application/rss+xml")
    with pytest.raises(InputError, match="is not a feed"):
        read_source(server.url + "/feed.xml", "feed", lambda key: Remembered())
    bad = tmp_path / "notes.txt"
    bad.write_text("Dear diary, today I went to the shops.\nIt rained.\n")
    with pytest.raises(InputError, match="not a feed, an OPML file or a reading list"):
        identify(str(bad))


@pytest.mark.slow
def test_identify_finds_the_feed_a_page_names(server: FeedServer):
    feed = server.add("/feed.xml", rss([{"title": "One", "link": "/one"}]), "application/rss+xml")
    server.add("/", '<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
                    'href="/feed.xml"></head><body>Hello</body></html>')
    found = identify(server.url + "/")
    assert (found.source, found.kind, found.items) == (feed, "feed", 1)
    server.add("/plain", "<!DOCTYPE html><html><body>No feed here</body></html>")
    with pytest.raises(InputError, match="names no feed"):
        identify(server.url + "/plain")


@pytest.mark.slow
def test_follow_list_and_unfollow_keep_the_settings_file(server: FeedServer, tmp_path: Path):
    show = tmp_path / "show"
    show.mkdir()
    (show / "articast.toml").write_text('# my show\n[show]\ntitle = "Harbour"  # the name\n')
    feed = server.add("/feed.xml", rss([{"title": t, "link": f"/{k}"} for k, (t, *_) in ARTICLES.items()]),
                      "application/rss+xml")
    (tmp_path / "drafts").mkdir()
    result = run("follow", feed, "--out", str(show))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == feed and "following a feed (The Harbour Post): 4 items" in result.stderr
    assert run("follow", str(tmp_path / "drafts"), "--out", str(show), "--max-new", "10").returncode == 0
    text = (show / "articast.toml").read_text()
    assert text.startswith('# my show\n[show]\ntitle = "Harbour"  # the name\n')  # the user's comments stay
    assert [(f.source, f.kind, f.max_new) for f in list_followed(show)] == [
        (feed, "feed", 3), (str((tmp_path / "drafts").resolve()), "folder", 10)]
    again = run("follow", feed, "--out", str(show), "--max-new", "5")
    assert again.returncode == 0 and "already following" in again.stderr
    assert [f.max_new for f in list_followed(show)] == [5, 10]
    listed = run("follow", "--list", "--out", str(show))
    assert feed in listed.stdout and "not updated yet" in listed.stdout
    assert run("unfollow", feed, "--out", str(show)).returncode == 0
    assert [f.kind for f in list_followed(show)] == ["folder"]
    missing = run("unfollow", feed, "--out", str(show))
    assert missing.returncode == 2 and missing.stderr.startswith("error: ") and "is not followed" in missing.stderr
    for bad in (["follow", server.url + "/nothing", "--out", str(show)],
                ["follow", str(tmp_path / "no-such.xml"), "--out", str(show)],
                ["follow", "--out", str(show)], ["update", "--out", str(tmp_path / "empty")]):
        result = run(*bad)
        assert result.returncode != 0 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_page_helper_is_an_article_trafilatura_reads():
    from articast.ingest import parse_article

    article = parse_article(page(*ARTICLES["ferry"]), kind="html")
    assert article.title == "The Ferry Comes Home"
    text = " ".join(p for s in article.sections for p in s.paragraphs)
    assert "last season" in text and "Share this story" not in text and "Council" not in text


@pytest.mark.slow
def test_a_conditional_get_by_last_modified():
    served = FeedServer(etags=False, last_modified="Mon, 01 Dec 2025 08:00:00 GMT").start()
    try:
        feed = served.add("/feed.xml", rss([{"title": "One", "link": "/one", "guid": "1"}]), "application/rss+xml")
        [first] = read_source(feed, "feed", lambda key: Remembered())
        assert (first.etag, first.last_modified, len(first.items)) == (None, "Mon, 01 Dec 2025 08:00:00 GMT", 1)
        [again] = read_source(feed, "feed", lambda key: Remembered(last_modified=first.last_modified))
        assert again.not_modified and not again.items
        assert [r.status for r in served.requests("/feed.xml")] == [200, 304]
    finally:
        served.stop()


def test_an_article_the_feed_carries_is_read_in_the_feeds_language():
    from articast.follow.update import _article

    text = " ".join(["Le bateau revient chaque printemps au passage de la rivière, et tout le village l'attend."] * 12)
    data = rss([{"title": "Le bac", "content": f"<p>{text}</p>", "guid": "1"}]).replace(
        "<description>Local news</description>", "<description>Nouvelles</description><language>fr</language>")
    listing = parse_feed(data.encode(), "https://fr.example/feed")
    assert listing.language == "fr"
    article = _article(listing.items[0], listing.language)
    assert (article.title, article.language) == ("Le bac", "fr")
    assert "passage de la rivière" in article.sections[0].paragraphs[0]
