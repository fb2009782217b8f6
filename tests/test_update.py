"""articast update for real: a local HTTP server with feeds and pages, the Piper voice, the feed read back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from mutagen.id3 import ID3

from articast import Settings, produce
from articast.config import resolve_settings
from articast.follow import follow_source
from articast.follow.records import RECORDS_FILE, FollowRecords, ItemRecord
from articast.follow.update import UpdateEvent, update_show

from .feedserver import ARTICLES, FeedServer, day, page, rss

pytestmark = pytest.mark.slow  # subprocesses, servers, the browser or the real voice throughout

ARTICAST = [sys.executable, "-m", "articast"]
LONG_SENTENCE = "The whole story is carried in the feed itself, one sentence after another."


@pytest.fixture
def server():
    served = FeedServer().start()
    for key, (title, *paragraphs) in ARTICLES.items():
        served.add(f"/news/{key}.html", page(title, *paragraphs, author="Jo Marsh"))
    yield served
    served.stop()


def one_page_pdf(title: str, text: str) -> bytes:
    """A one-page PDF with a title in its information and one paragraph (made with ReportLab)."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setTitle(title)
    c.setFont("Helvetica", 11)
    c.drawString(72, 700, text)
    c.save()
    return out.getvalue()


def quick_show(folder: Path) -> Path:
    """A show folder whose episodes are mono and without music: the tests here are about what is made."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "articast.toml").write_text("[produce]\nmono = true\nmusic = false\n")
    return folder


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ARTICAST, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def mp3s(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in sorted(folder.glob("*.mp3"))}


def update(folder: Path) -> tuple[object, list[UpdateEvent]]:
    events: list[UpdateEvent] = []
    result = update_show(resolve_settings({"out_dir": folder}), report=events.append)
    return result, events


def test_follow_update_again_then_a_new_item_and_a_dead_link(server: FeedServer, tmp_path: Path):
    """The issue's check: follow, update (one episode per item, linked to the originals), update again
    (nothing touched, no voice loaded, the feed answered 304), then one good item and one dead link."""
    show = tmp_path / "show"
    items = [{"title": "Bread Before Dawn", "link": "../news/bread.html", "guid": "post-2", "pubDate": day(2),
              "description": "A baker's morning."},
             {"title": "The Ferry Comes Home", "link": "/news/ferry.html", "guid": "post-1", "pubDate": day(1),
              "description": "The ferry returns."},
             {"title": "The Ferry Comes Home", "link": "/news/ferry.html", "guid": "post-1", "pubDate": day(1)}]
    feed = server.add("/feeds/news.xml", rss(items), "application/rss+xml")
    assert run("follow", feed, "--out", str(show)).returncode == 0

    first = run("update", "--out", str(show))
    assert first.returncode == 0, first.stderr
    made = mp3s(show)
    assert sorted(made) == ["bread-before-dawn.mp3", "the-ferry-comes-home.mp3"]  # the duplicate once
    assert first.stdout.splitlines()[:2] == [str(show / "the-ferry-comes-home.mp3"),
                                             str(show / "bread-before-dawn.mp3")]
    assert "update: 2 new episodes from 1 source" in first.stderr
    parsed = feedparser.parse(str(show / "feed.xml"))
    assert not parsed.bozo
    links = {entry.title: entry.link for entry in parsed.entries}
    # Dated by the feed's items (the pages say no date), not by when they were voiced.
    assert {entry.title: tuple(entry.published_parsed[:3]) for entry in parsed.entries} == {
        "Bread Before Dawn": (2025, 12, 2), "The Ferry Comes Home": (2025, 12, 1)}
    assert links == {"Bread Before Dawn": server.url + "/news/bread.html",
                     "The Ferry Comes Home": server.url + "/news/ferry.html"}
    for entry in parsed.entries:
        assert entry.summary.endswith(entry.link)  # attribution ends the description
        tag = ID3(show / entry.enclosures[0].href.rsplit("/", 1)[-1])
        assert tag.getall("WOAS")[0].url == entry.link and str(tag["TPE1"]) == "Jo Marsh"
    import lxml.html

    shown = lxml.html.parse(str(show / "index.html")).getroot()
    assert sorted(a.get("href") for a in shown.xpath("//a[text()='Original article']")) == sorted(links.values())
    assert "A baker's morning." in shown.text_content() and "Original article:" not in shown.text_content()
    files = {p.name: p.stat().st_mtime_ns for p in show.iterdir() if not p.name.startswith(".")}
    assert {"follow.json", "episodes.json", "index.html", "feed.xml"} <= set(files)

    started = time.monotonic()
    again = subprocess.run([*ARTICAST, "update", "--out", str(show)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}, timeout=60)
    took = time.monotonic() - started
    assert again.returncode == 0 and again.stdout == "" and "update: nothing new in 1 source" in again.stderr
    assert "onnxruntime" not in again.stderr and "numpy" not in again.stderr and "piper" not in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in show.iterdir() if not p.name.startswith(".")} == files
    assert server.requests("/feeds/news.xml")[-1].status == 304
    assert len(server.requests("/news/ferry.html")) == 1  # each page fetched once, ever
    print(f"an update with nothing new took {took:.2f} s")

    items.insert(0, {"title": "Kites Over the Dunes", "link": "/news/kites.html", "guid": "post-3", "pubDate": day(3)})
    items.insert(0, {"title": "Gone Tomorrow", "link": "/news/gone.html", "guid": "post-4", "pubDate": day(4)})
    server.add("/feeds/news.xml", rss(items), "application/rss+xml")
    third = run("update", "--out", str(show))
    assert third.returncode == 1
    assert sorted(set(mp3s(show)) - set(made)) == ["kites-over-the-dunes.mp3"]
    printed = third.stdout.splitlines()  # the new MP3, then every file the publish wrote, the feed last
    assert printed[0] == str(show / "kites-over-the-dunes.mp3") and printed[-1] == str(show / "feed.xml")
    assert {str(show / name) for name in ("cover.jpg", "episodes.json", "index.html", "sw.js")} < set(printed)
    assert "1 failed:\n  Gone Tomorrow: " in third.stderr and "HTTP 404" in third.stderr
    assert "Traceback" not in third.stderr
    assert len(feedparser.parse(str(show / "feed.xml")).entries) == 3

    # The dead link is tried again by the next two updates, then given up on; the feed is then settled.
    fourth, fifth = run("update", "--out", str(show)), run("update", "--out", str(show))
    assert fourth.returncode == fifth.returncode == 1
    assert "try 2 of 3" in fourth.stderr and "gave up after 3 tries" in fifth.stderr
    last = run("update", "--out", str(show))
    assert last.returncode == 0 and "Gone Tomorrow" not in last.stderr
    assert server.requests("/feeds/news.xml")[-1].status == 304
    assert len(server.requests("/news/gone.html")) == 3
    listed = run("follow", "--list", "--out", str(show)).stdout
    assert "3 done" in listed and "1 gave-up" in listed


def test_full_articles_from_atom_and_json_feeds_in_an_opml_file_and_items_without_links(server: FeedServer,
                                                                                        tmp_path: Path):
    show = quick_show(tmp_path / "show")
    long = f"<p>{' '.join([LONG_SENTENCE] * 14)}</p>"
    server.add("/atom.xml", f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:atom</id>
<updated>2025-12-03T00:00:00Z</updated>
<entry><title>Carried Whole</title><id>urn:atom:1</id><link href="/moved/away.html"/>
  <updated>2025-12-03T10:00:00Z</updated><author><name>Rae Lin</name></author>
  <content type="html">{long.replace('<', '&lt;').replace('>', '&gt;')}</content></entry>
<entry><title>No Link At All</title><id>urn:atom:2</id><updated>2025-12-02T10:00:00Z</updated>
  <content type="html">&lt;p&gt;{ARTICLES['tides'][1]} {ARTICLES['tides'][2]}&lt;/p&gt;</content></entry>
<entry><title>Episode Five</title><id>urn:atom:3</id><updated>2025-12-01T10:00:00Z</updated>
  <link href="/pod/5"/><link rel="enclosure" type="audio/mpeg" length="9" href="/pod/5.mp3"/></entry>
</feed>""", "application/atom+xml")
    server.add("/feed.json", json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON news",
        "items": [{"id": "k1", "url": "/news/kites.html", "title": "Kites (feed title)",
                   "summary": "Kites on the dunes.", "date_published": "2025-12-04T08:00:00Z"},
                  {"id": "r1", "url": "/papers/report.pdf", "title": "Annual report"},
                  {"id": "s1", "url": "/papers/latest", "title": "Latest paper",
                   "date_published": "2025-12-02T08:00:00Z"}]}),
               "application/feed+json")
    server.add("/papers/latest", b"PK\x03\x04 not an article", "application/zip")
    server.add("/papers/report.pdf", one_page_pdf("Annual report", "The harbour handled more ships this year "
                                                  "than in any year before it."), "application/pdf")
    server.add("/subs.opml", '<?xml version="1.0"?><opml version="2.0"><body>'
                             '<outline text="Atom" xmlUrl="/atom.xml"/><outline text="JSON" xmlUrl="feed.json"/>'
                             "</body></opml>", "text/x-opml")
    follow_source(show, server.url + "/subs.opml")
    follow_source(show, server.url + "/feed.json")  # the same feed twice: its items are voiced once
    dead = FeedServer().start()  # a source that cannot be reached is warned about, and the others go on
    follow_source(show, dead.add("/f.xml", rss([]), "application/rss+xml"))
    dead.stop()
    result, events = update(show)
    titles = sorted(p.name for p in result.mp3_paths)
    assert titles == ["annual-report.mp3", "carried-whole.mp3", "kites-over-the-dunes.mp3", "no-link-at-all.mp3"]
    assert not server.requests("/moved/away.html")  # the feed carried the whole article
    warnings = [e.message for e in events if e.kind == "warning"]
    assert any("Episode Five: it is a podcast episode" in w for w in warnings)
    assert any("skipped Latest paper: " in w and "is application/zip, not a web page" in w for w in warnings)
    assert any("cannot be reached" in w for w in warnings)
    assert [f.what for f in result.failures] == [dead.url + "/f.xml"]
    carried = ID3(show / "carried-whole.mp3")
    assert str(carried["TPE1"]) == "Rae Lin" and carried.getall("WOAS")[0].url == server.url + "/moved/away.html"
    assert "dunes" in ID3(show / "kites-over-the-dunes.mp3").getall("COMM")[0].text[0]
    assert not ID3(show / "no-link-at-all.mp3").getall("WOAS")
    statuses = {r.title: r.status for feed in FollowRecords(show).load().feeds.values() for r in feed.items.values()}
    assert statuses["Latest paper"] == statuses["Episode Five"] == "skipped"
    assert statuses["Annual report"] == "done"  # a PDF linked from a feed is read


def test_reading_list_and_folder(server: FeedServer, tmp_path: Path):
    show = quick_show(tmp_path / "show")
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    for number, key in enumerate(("bread", "tides")):
        title, *paragraphs = ARTICLES[key]
        path = drafts / f"{key}.md"
        path.write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n")
        os.utime(path, (1_700_000_000 + number, 1_700_000_000 + number))
    (drafts / "picture.png").write_bytes(b"\x89PNG")
    reading = tmp_path / "lists" / "reading.txt"
    reading.parent.mkdir()
    reading.write_text("# for the walk\n\n../drafts/bread.md\n")
    follow_source(show, str(reading))
    follow_source(show, str(drafts))
    # A reading list on the web: its relative lines are resolved against its own address.
    follow_source(show, server.add("/lists/walk.txt", "# Sunday\n../news/ferry.html  # the long one\n",
                                   "text/plain; charset=utf-8"))
    result, events = update(show)
    assert not result.failures, result.failures
    # bread.md is listed twice (in the list and in the folder): one episode.
    assert sorted(p.name for p in result.mp3_paths) == ["bread-before-dawn.mp3", "reading-the-tides.mp3",
                                                        "the-ferry-comes-home.mp3"]
    assert any("already voiced from the same address" in e.message for e in events)
    (drafts / "kites.md").write_text("# Kites Over the Dunes\n\n" + "\n\n".join(ARTICLES["kites"][1:]) + "\n")
    again, _ = update(show)
    assert [p.name for p in again.mp3_paths] == ["kites-over-the-dunes.mp3"]
    assert len(feedparser.parse(str(show / "feed.xml")).entries) == 4


def test_the_first_update_voices_only_the_newest_items(server: FeedServer, tmp_path: Path):
    show = quick_show(tmp_path / "show")
    keys = ["ferry", "bread", "kites"]
    items = [{"title": f"Old story {n}", "link": f"/archive/{n}.html", "guid": f"old-{n}", "pubDate": day(n)}
             for n in range(1, 10)]
    items += [{"title": ARTICLES[k][0], "link": f"/news/{k}.html", "guid": f"new-{k}", "pubDate": day(20 + i)}
              for i, k in enumerate(keys)]
    items.reverse()  # the feed's order is not trusted: dates say which are newest
    items.insert(5, items.pop(0))
    follow_source(show, server.add("/feed.xml", rss(items), "application/rss+xml"))
    result, events = update(show)
    assert sorted(p.name for p in result.mp3_paths) == sorted(f"{ARTICLES[k][0].lower().replace(' ', '-')}.mp3"
                                                              for k in keys)
    assert [p.name for p in result.mp3_paths][0] == "the-ferry-comes-home.mp3"  # oldest of the three first
    notes = [e.message for e in events if e.kind == "note"]
    assert any("first update: voicing the newest 3 of 12 items; 9 older ones are marked as seen" in n for n in notes)
    assert not any(r.path.startswith("/archive/") for r in server.log)
    records = json.loads((show / RECORDS_FILE).read_text())["feeds"][server.url + "/feed.xml"]["items"]
    assert sorted(r["status"] for r in records.values()) == ["done"] * 3 + ["seen"] * 9


def test_a_killed_update_is_carried_on_and_nothing_is_made_twice(server: FeedServer, tmp_path: Path):
    show = quick_show(tmp_path / "show")
    keys = ["ferry", "bread", "kites", "tides"]
    items = [{"title": ARTICLES[k][0], "link": f"/news/{k}.html", "guid": k, "pubDate": day(i + 1)}
             for i, k in enumerate(keys)]
    follow_source(show, server.add("/feed.xml", rss(items), "application/rss+xml"), max_new=4)
    process = subprocess.Popen([*ARTICAST, "update", "--out", str(show)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not list(show.glob("*.mp3")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    before = mp3s(show)
    assert 1 <= len(before) < 4, before
    resumed = run("update", "--out", str(show))
    assert resumed.returncode == 0, resumed.stderr
    after = mp3s(show)
    assert sorted(after) == sorted(f"{ARTICLES[k][0].lower().replace(' ', '-')}.mp3" for k in keys)
    assert all(after[name] == when for name, when in before.items())  # what was made is not made again
    records = FollowRecords(show).load().feed(server.url + "/feed.xml").items
    assert sorted(r.status for r in records.values()) == ["done"] * 4
    assert len(feedparser.parse(str(show / "feed.xml")).entries) == 4


def test_an_episode_finished_just_before_a_kill_is_recorded_not_made_again(server: FeedServer, tmp_path: Path):
    show = quick_show(tmp_path / "show")
    feed = server.add("/feed.xml", rss([{"title": "The Ferry Comes Home", "link": "/news/ferry.html", "guid": "f"}]),
                      "application/rss+xml")
    follow_source(show, feed)
    # The killed run had written its episode (any complete MP3 will do) but not yet recorded it.
    made = produce(_article_file(tmp_path), Settings(out_dir=tmp_path / "other", mono=True, music=False))
    records = FollowRecords(show).load()
    records.set_item(feed, "f", ItemRecord("producing", title="The Ferry Comes Home",
                                           link=server.url + "/news/ferry.html", slug="ferry-episode"))
    shutil.copy(made.mp3_path, show / "ferry-episode.mp3")
    stamp = (show / "ferry-episode.mp3").stat().st_mtime
    result, _ = update(show)
    assert [p.name for p in result.mp3_paths] == ["ferry-episode.mp3"]
    assert (show / "ferry-episode.mp3").stat().st_mtime == stamp and len(mp3s(show)) == 1
    assert not server.requests("/news/ferry.html")
    assert FollowRecords(show).load().feed(feed).items["f"].status == "done"
    assert result.published is not None and result.published.episodes == 1


def _article_file(folder: Path) -> Path:
    path = folder / "ferry.md"
    title, *paragraphs = ARTICLES["ferry"]
    path.write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n")
    return path


def test_produce_several_articles_goes_on_after_a_failure(tmp_path: Path):
    show = quick_show(tmp_path / "show")
    first, second = _article_file(tmp_path), tmp_path / "tides.md"
    title, *paragraphs = ARTICLES["tides"]
    second.write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n")
    result = run("produce", str(first), str(tmp_path / "missing.md"), str(second), "--out", str(show))
    assert result.returncode == 1
    assert sorted(mp3s(show)) == ["reading-the-tides.mp3", "the-ferry-comes-home.mp3"]
    lines = result.stdout.splitlines()
    assert lines[3] == str(show / "the-ferry-comes-home.mp3") and lines[-1] == str(show / "reading-the-tides.mp3")
    assert [Path(line).suffix for line in lines] == [".vtt", ".srt", ".json", ".mp3"] * 2  # every file, MP3 last
    assert f"error: {tmp_path / 'missing.md'}: no such file" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"2 produced, 1 failed: {tmp_path / 'missing.md'}"
    assert run("produce", str(first), str(second), "--out", str(show)).returncode == 0
    twice = run("produce", "-", "-", "--out", str(show))
    assert twice.returncode == 2 and twice.stderr.startswith("error: - (standard input)")
    titled = run("produce", str(first), str(second), "--title", "One", "--out", str(show))
    assert titled.returncode == 2 and "--title" in titled.stderr


def test_max_new_0_voices_nothing_old_and_a_publish_a_stopped_run_missed_is_made(server: FeedServer, tmp_path: Path):
    show = quick_show(tmp_path / "show")
    feed = server.add("/feed.xml", rss([{"title": "The Ferry Comes Home", "link": "/news/ferry.html"}]),
                      "application/rss+xml")
    follow_source(show, feed, max_new=0)
    result, events = update(show)
    assert not result.mp3_paths and result.published is None and not (show / "feed.xml").exists()
    assert any("voicing the newest 0 of 1 items; 1 older one is marked as seen" in e.message for e in events)
    records = FollowRecords(show).load()
    records.unpublished = True  # as a run killed after its last episode, before it published, leaves it
    records.save()
    result, _ = update(show)
    assert not result.mp3_paths and result.published is not None and (show / "feed.xml").is_file()
    written = (show / "feed.xml").stat().st_mtime_ns
    result, _ = update(show)
    assert result.published is None and (show / "feed.xml").stat().st_mtime_ns == written


def test_a_reading_list_item_is_new_when_added_and_update_names_items_by_title(server: FeedServer, tmp_path: Path):
    """An old article added to a reading list is dated when it was added (its own date is in its
    description), so it tops the feed; progress names items by title; a dead link is named once."""
    import datetime as dt

    show = quick_show(tmp_path / "show")
    title, *paragraphs = ARTICLES["tides"]
    server.add("/old/tides.html", page(title, *paragraphs, date="2019-03-01"))
    reading = server.add("/lists/walk.txt", "/old/tides.html\n", "text/plain; charset=utf-8")
    assert run("follow", reading, "--out", str(show)).returncode == 0
    first = run("update", "--out", str(show))
    assert first.returncode == 0, first.stderr
    assert f"[1/1] {title}" in first.stderr and "[1/1] http" not in first.stderr
    parsed = feedparser.parse(str(show / "feed.xml"))
    entry = parsed.entries[0]
    added = dt.datetime(*entry.published_parsed[:6], tzinfo=dt.timezone.utc)
    assert abs((dt.datetime.now(dt.timezone.utc) - added).total_seconds()) < 3600, entry.published
    assert entry.summary.startswith("2019-03-01\n") or "2019-03-01" in entry.summary
    listed = run("follow", "--list", "--out", str(show)).stdout
    assert "1 done" in listed and "first update voices" not in listed

    server.add("/lists/walk.txt", "/old/tides.html\n/old/gone.html\n", "text/plain; charset=utf-8")
    dead = run("update", "--out", str(show))
    assert dead.returncode == 1
    gone = f"{server.url}/old/gone.html"
    failure = [line for line in dead.stderr.splitlines() if line.startswith("  ")]
    assert failure == [f"  {gone}: the server answered HTTP 404 Not Found"], dead.stderr
    assert "update: no new episode from 1 source" in dead.stderr and "nothing new" not in dead.stderr
    assert dead.stderr.count(gone) == 2  # the warning and the summary, each naming it once


def test_an_update_whose_copy_failed_copies_the_show_next_time(server: FeedServer, tmp_path: Path):
    show = quick_show(tmp_path / "show")
    settings = show / "articast.toml"
    settings.write_text(settings.read_text() + '[show]\nbase_url = "https://pod.example.org"\n'
                        'publish_to = "sftp://pod@127.0.0.1:9/srv/podcast"\n')
    feed = server.add("/feed.xml", rss([{"title": "The Ferry Comes Home", "link": "/news/ferry.html",
                                         "guid": "ferry", "pubDate": day(1)}]), "application/rss+xml")
    assert run("follow", feed, "--out", str(show)).returncode == 0
    failed = run("update", "--out", str(show))
    assert failed.returncode == 1 and "cannot reach it" in failed.stderr.strip().splitlines()[-1]
    target = tmp_path / "target"
    settings.write_text(settings.read_text().replace("sftp://pod@127.0.0.1:9/srv/podcast", f"file://{target}"))
    again = run("update", "--out", str(show))  # nothing new, but the show never reached its target
    assert again.returncode == 0, again.stderr
    assert (target / "feed.xml").is_file() and (target / "the-ferry-comes-home.mp3").is_file()
    last = run("update", "--out", str(show))
    assert last.returncode == 0 and "published" not in last.stderr
