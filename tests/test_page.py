"""The show page and embed.js in a real headless Chromium (Debian's package) driven by Playwright,
against `articast serve`'s own server, with axe-core checking them in light and dark schemes."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from articast import Settings, produce
from articast.publish import publish_show
from articast.publish.serve import make_server

pytestmark = pytest.mark.slow  # subprocesses, servers, the browser or the real voice throughout

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BLOG = Path(__file__).parent / "data" / "blog"
WIDTHS = (390, 1280)  # a phone, a laptop
TITLE = "The Lighthouse Keeper's Notebook"

# Every capture of a Media Session action handler the page sets, so the test can press them as the
# lock screen and headphones do.
CAPTURE_HANDLERS = """
window.__handlers = {};
if ('mediaSession' in navigator) {
  const set = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
  navigator.mediaSession.setActionHandler = (name, handler) => { window.__handlers[name] = handler; set(name, handler); };
}
"""


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (apt-get install chromium); CI always runs this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"])
        yield browser
        browser.close()


def watch(page) -> list[str]:
    """Console errors, page errors and failed requests, as they happen."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # (A media element aborts its own range requests when it seeks or the page reloads: not a failure.)
    page.on("requestfailed", lambda req: problems.append(f"{req.url}: {req.failure}")
            if "ERR_ABORTED" not in (req.failure or "") else None)
    return problems


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 A/AA violations on the page (shadow roots included)."""
    import axe_playwright_python

    # (colours measured once a change of scheme has finished its transitions)
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    page.evaluate((Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text())
    result = page.evaluate("""axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""")
    return [f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


FOCUSED = """(() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el ? (el.getAttribute('aria-label') || (el.tagName === 'SELECT' ? 'select' : el.textContent.trim().slice(0, 40)))
    : '';
})()"""


def tab_through(page, presses: int) -> list[str]:
    """What Tab reaches, in order, shadow roots included."""
    reached = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    return reached


def fits(page, widths=(320, 1440)) -> None:
    """The layout holds from a small phone to a wide screen: nothing scrolls sideways."""
    size = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
    page.set_viewport_size(size)


def current_time(page, audio: str = "document.querySelector('audio')") -> float:
    return page.evaluate(f"{audio}.currentTime")


def test_page_opened_from_disk_reads_along_and_a_chapter_click_seeks(browser, stereo_episode, tmp_path: Path):
    folder = tmp_path / "show"
    shutil.copytree(stereo_episode.mp3_path.parent, folder)
    publish_show(Settings(out_dir=folder, show="Night Reading"))
    page = browser.new_page()
    problems = watch(page)
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto((folder / "index.html").as_uri())
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert page.title() == "Night Reading"
    assert page.locator("article h2").first.inner_text() == TITLE
    assert page.locator("audio").first.get_attribute("controls") is None  # the player's own controls instead
    chapters = page.locator("button.ac-chapter")
    assert chapters.count() == 4
    target = float(chapters.nth(2).get_attribute("data-start"))
    assert target > 10
    chapters.nth(2).click()
    page.wait_for_function(f"Math.abs(document.querySelector('audio').currentTime - {target}) < 1.5")
    assert chapters.nth(2).get_attribute("aria-current") == "true"
    assert page.locator("details.ac-details").first.evaluate("d => d.open")  # the playing episode's transcript
    assert page.locator("a.ac-s").count() > 5
    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests  # nothing from the web
    page.close()


@pytest.fixture
def served(stereo_episode, tmp_path: Path):
    """The show (the episode, and a copy of it as a second episode) published and served by
    `articast serve`'s own server, on a free port, in a thread."""
    folder = tmp_path / "show"
    shutil.copytree(stereo_episode.mp3_path.parent, folder)
    for path in list(folder.iterdir()):
        if path.name.startswith(stereo_episode.mp3_path.stem):
            shutil.copyfile(path, folder / path.name.replace(stereo_episode.mp3_path.stem, "second-listen"))
    publish_show(Settings(out_dir=folder, show="Night Reading", base_url="http://127.0.0.1"))
    server = make_server(folder, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


MARKED = """() => {
  const audio = document.querySelector('#%s audio'), t = audio.currentTime;
  const marked = [...document.querySelectorAll('.ac-s[aria-current="true"]')];
  const all = [...document.querySelectorAll('#%s .ac-s')].map(s => parseFloat(s.dataset.start));
  return {t, count: marked.length, start: marked.length ? parseFloat(marked[0].dataset.start) : null,
          end: marked.length ? parseFloat(marked[0].dataset.end) : null, starts: all,
          chapters: document.querySelectorAll('.ac-chapter[aria-current="true"]').length};
}"""


def check_marked(page, episode: str) -> dict:
    """The one sentence marked is the one being heard at currentTime (paused, so the time stands still)."""
    state = page.evaluate(MARKED % (episode, episode))
    assert state["count"] == 1, state
    later = [s for s in state["starts"] if s > state["start"] + 0.001]
    assert state["start"] <= state["t"] + 0.02 and (not later or state["t"] < later[0]), state
    assert state["chapters"] == 1
    return state


def test_show_page_reads_along_with_speed_skip_keys_and_media_session(browser, served, tmp_path: Path):
    """The whole of it on a phone's screen; then the look and axe-core at each width, light and dark."""
    server, url = served
    width = WIDTHS[0]
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_init_script(CAPTURE_HANDLERS)
    page = context.new_page()
    problems = watch(page)
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    fits(page)
    # Every control is reached by keyboard, in order.
    reached = tab_through(page, 12)
    assert reached[:8] == ["Subscribe (RSS)", "Play", "Seek", "Back 15 seconds", "Forward 30 seconds", "select",
                           "Save for offline", f"{TITLE} 0:00"], reached
    # (the chapter's time is where its speech begins: about 0:15, a little either way, as Piper's
    # timing varies from one synthesis to the next)
    assert any(re.fullmatch(r"Weather before breakfast 0:1\d", control) for control in reached), reached
    assert "Transcript" in reached
    newest = page.locator("article.episode").first
    episode = newest.get_attribute("id")
    audio = f"document.querySelector('#{episode} audio')"
    newest.get_by_role("button", name="Play").click()
    page.wait_for_function(f"{audio}.currentTime > 5", timeout=20_000)
    assert newest.get_by_role("button", name="Pause").is_visible()
    assert newest.locator("details.ac-details").evaluate("d => d.open")
    newest.get_by_role("button", name="Pause").click()
    first = check_marked(page, episode)

    # Clicking another sentence plays from its start; Enter on one does the same.
    sentence = newest.locator("a.ac-s").nth(8)
    start = float(sentence.get_attribute("data-start"))
    assert start > first["start"] + 5
    sentence.click()
    page.wait_for_function(f"{audio}.currentTime >= {start} && !{audio}.paused", timeout=20_000)
    page.evaluate(f"{audio}.pause()")
    assert abs(check_marked(page, episode)["start"] - start) < 0.01
    other = newest.locator("a.ac-s").nth(3)
    other.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"Math.abs({audio}.currentTime - {other.get_attribute('data-start')}) < 1", timeout=20_000)
    page.evaluate(f"{audio}.pause()")
    check_marked(page, episode)

    # The sentence being heard is kept in view in the transcript, unless the reader scrolled away.
    box = f"document.querySelector('#{episode} .ac-transcript')"
    in_view = f"""(() => {{ const box = {box}, s = box.querySelector('.ac-s[aria-current="true"]');
        const a = s.getBoundingClientRect(), b = box.getBoundingClientRect();
        return a.top >= b.top - 1 && a.bottom <= b.bottom + 1; }})()"""
    page.evaluate(f"{box}.scrollTop = 0")
    newest.locator("button.ac-chapter").last.click()  # the last chapter, far down the transcript
    page.wait_for_function(in_view, timeout=20_000)
    page.evaluate(f"{box}.scrollTo({{top: 0, behavior: 'instant'}})")  # the reader scrolls back up
    heard = page.evaluate(f"{box}.querySelector('.ac-s[aria-current=\"true\"]').dataset.start")
    page.wait_for_function(f"{box}.querySelector('.ac-s[aria-current=\"true\"]').dataset.start !== '{heard}'",
                           timeout=20_000)
    assert page.evaluate(f"{box}.scrollTop") == 0 and not page.evaluate(in_view)
    page.evaluate(f"{audio}.pause()")

    # Skip buttons, by their names; the speed, remembered across a reload.
    page.evaluate(f"{audio}.currentTime = 40")
    newest.get_by_role("button", name="Back 15 seconds").click()
    assert abs(current_time(page, audio) - 25) < 0.5
    newest.get_by_role("button", name="Forward 30 seconds").click()
    assert abs(current_time(page, audio) - 55) < 0.5
    newest.get_by_label("Speed").select_option("1.5")
    assert page.evaluate("[...document.querySelectorAll('audio')].map(a => a.playbackRate)") == [1.5, 1.5]

    # The lock screen: what it shows and the buttons it has.
    page.evaluate(f"{audio}.currentTime = 20")
    newest.get_by_role("button", name="Play").click()
    page.wait_for_function("navigator.mediaSession.playbackState === 'playing'")
    meta = page.evaluate("""(() => { const m = navigator.mediaSession.metadata;
        return {title: m.title, artist: m.artist, album: m.album, artwork: m.artwork.map(a => a.src)}; })()""")
    assert meta["title"] == TITLE and meta["artist"] == "Night Reading"
    assert meta["album"] == "Weather before breakfast"  # the chapter being heard
    assert any(src.endswith("/icon-512.png") for src in meta["artwork"])
    handlers = page.evaluate("Object.keys(window.__handlers).sort()")
    assert handlers == sorted(["play", "pause", "seekbackward", "seekforward", "seekto", "previoustrack", "nexttrack"])
    page.evaluate("window.__handlers.pause({action: 'pause'})")
    assert page.evaluate(f"{audio}.paused")
    page.evaluate("window.__handlers.seekto({action: 'seekto', seekTime: 30})")
    assert abs(current_time(page, audio) - 30) < 0.5
    page.evaluate("window.__handlers.seekforward({action: 'seekforward'})")
    assert abs(current_time(page, audio) - 60) < 0.5
    page.evaluate("window.__handlers.seekbackward({action: 'seekbackward'})")
    assert abs(current_time(page, audio) - 45) < 0.5
    chapter_starts = [float(s) for s in newest.locator("button.ac-chapter").evaluate_all(
        "buttons => buttons.map(b => b.dataset.start)")]
    page.evaluate("window.__handlers.previoustrack({action: 'previoustrack'})")  # back to this chapter's start
    assert abs(current_time(page, audio) - chapter_starts[2]) < 0.3
    page.evaluate("window.__handlers.nexttrack({action: 'nexttrack'})")
    assert abs(current_time(page, audio) - chapter_starts[3]) < 0.3
    page.wait_for_function("navigator.mediaSession.metadata.album === 'What the notebook teaches'")

    # The keys the page lists: space plays and pauses, the arrows skip, with Shift by chapter.
    assert "Space" in page.locator("footer.keys").inner_text()
    page.locator("h1").click()
    page.keyboard.press("Space")
    page.wait_for_function(f"!{audio}.paused")
    page.keyboard.press("Space")
    page.wait_for_function(f"{audio}.paused")
    page.evaluate(f"{audio}.currentTime = 10")
    page.keyboard.press("ArrowRight")
    assert abs(current_time(page, audio) - 40) < 0.5
    page.keyboard.press("ArrowLeft")
    assert abs(current_time(page, audio) - 25) < 0.5
    page.keyboard.press("Shift+ArrowRight")
    assert abs(current_time(page, audio) - chapter_starts[2]) < 0.3

    page.reload()
    assert page.locator("article.episode").first.get_by_label("Speed").input_value() == "1.5"
    assert page.evaluate(f"{audio}.playbackRate") == 1.5
    assert problems == [], problems
    page.locator("details.ac-details").first.evaluate("d => d.open = true")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        newest.get_by_role("button", name="Play").click()
        page.wait_for_function(f"{audio}.currentTime > 12 && !{audio}.paused", timeout=20_000)
        newest.get_by_role("button", name="Pause").click()
        check_marked(page, episode)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert axe_violations(page) == [], (width, scheme)
            page.screenshot(path=str(tmp_path / f"page-{width}-{scheme}.png"), full_page=True)
    assert problems == [], problems
    context.close()


def test_served_page_saves_episodes_says_why_a_save_failed_and_what_cannot_play_offline(browser, served):
    server, url = served
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone's screen
    page = context.new_page()
    problems = watch(page)
    page.goto(url)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    manifest = page.evaluate("fetch('manifest.webmanifest').then(r => r.json())")
    assert manifest["name"] == "Night Reading" and {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    episodes = page.locator("article.episode")
    assert episodes.count() == 2
    kept, unsaved = episodes.nth(1), episodes.nth(0)  # (the copy is the newer)
    kept.get_by_role("button", name="Save for offline").click()
    page.wait_for_function("document.querySelectorAll('.ac-save[data-saved=\"yes\"]').length === 1", timeout=20_000)

    server.shutdown()  # the server is gone: a save now fails, and says why
    server.server_close()
    unsaved.get_by_role("button", name="Save for offline").click()
    status = unsaved.locator(".ac-status")
    status.get_by_text("Could not save for offline").wait_for(timeout=20_000)
    assert status.inner_text() == "Could not save for offline: there is no connection to the server."
    assert unsaved.get_by_role("button", name="Save for offline").is_visible()  # to try again
    problems.clear()  # (the failed download is the browser's console error: this one was meant)

    context.set_offline(True)
    page.reload()
    episodes = page.locator("article.episode")
    kept, unsaved = episodes.nth(1), episodes.nth(0)
    kept_audio = "document.querySelectorAll('audio')[1]"
    # The episode that was not saved says so, and offers nothing that cannot play.
    unsaved.locator(".ac-status").get_by_text("not saved on this device").wait_for(timeout=20_000)
    assert not unsaved.get_by_role("button", name="Play").is_visible()
    assert unsaved.locator("button.ac-chapter").evaluate_all("bs => bs.every(b => b.disabled)")
    assert unsaved.locator("a.ac-s[href]").count() == 0
    unsaved.locator("details.ac-details").evaluate("d => d.open = true")  # the transcript is still there to read
    assert axe_violations(page) == []
    assert kept.locator(".ac-status").inner_text() == ""
    # The saved one plays and seeks offline, and comes back where it was left.
    kept.get_by_role("button", name="Play").click()
    page.wait_for_function(f"{kept_audio}.currentTime > 1.5", timeout=20_000)
    page.evaluate(f"{kept_audio}.currentTime = 20")
    page.wait_for_function(f"{kept_audio}.currentTime > 20.5", timeout=20_000)
    page.evaluate(f"{kept_audio}.pause()")
    place = page.evaluate(f"{kept_audio}.currentTime")
    page.reload()
    page.wait_for_function(f"Math.abs({kept_audio}.currentTime - {place}) < 0.5", timeout=20_000)
    assert problems == [], problems
    context.close()


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory):
    """A blog on one origin, its post produced from its URL, and the show served from another origin
    by `articast serve`'s server; the posts carry only the one script tag publish prints."""
    root = tmp_path_factory.mktemp("blog")
    show, site = root / "show", root / "site"
    show.mkdir()
    site.mkdir()
    show_server = make_server(show, "127.0.0.1", 0)
    show_url = f"http://127.0.0.1:{show_server.server_address[1]}"
    site_server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    site_url = f"http://localhost:{site_server.server_address[1]}"
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (show_server, site_server)]
    for thread in threads:
        thread.start()
    for path in BLOG.iterdir():
        (site / path.name).write_text(path.read_text().replace("__EMBED__", f"{show_url}/embed.js")
                                      .replace("__BLOG__", site_url))
    post = (site / "post.html").read_text()
    canonical = f'<link rel="canonical" href="{site_url}/posts/orchard-ledger/">'
    # The same post at its canonical address, with no canonical link: the page's own address finds it.
    (site / "posts" / "orchard-ledger").mkdir(parents=True)
    (site / "posts" / "orchard-ledger" / "index.html").write_text(
        post.replace(canonical, "").replace('href="theme.css"', 'href="/theme.css"'))
    # Its AMP copy says where it belongs through og:url, and has a place for the player.
    (site / "amp.html").write_text(post.replace(canonical, f'<meta property="og:url" content="{site_url}/posts/'
                                                           'orchard-ledger/">')
                                   .replace("</article>", '<div id="slot" data-articast-player></div></article>'))
    # A dark theme of the same post: the player takes the page's scheme.
    (site / "dark.html").write_text(post.replace("</head>", "<style>body, article { background: #15171c !important; }"
                                                            " * { color: #e4e4e4 !important; }</style></head>"))
    produce(f"{site_url}/post.html", Settings(out_dir=show))
    result = publish_show(Settings(out_dir=show, show="The Slow Blog, read aloud", base_url=show_url))
    assert result.embed == f'<script src="{show_url}/embed.js" async></script>'
    # The episode's article is the post's own address for itself (its rel=canonical), not the one fetched.
    assert json.loads((show / "episodes.json").read_text())["episodes"][0]["link"] == f"{site_url}/posts/orchard-ledger/"
    yield site_url, show_url, show
    for server in (show_server, site_server):
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


SHADOW = "document.querySelector('articast-player').shadowRoot"


def test_embed_on_a_post_from_another_origin_plays_and_marks_the_posts_paragraph(browser, blog, tmp_path: Path):
    """The whole of it on a phone's screen; then the look and axe-core at each width, light and dark."""
    site_url, show_url, show = blog
    width = WIDTHS[0]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = watch(page)
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(f"{site_url}/post.html?utm_source=newsletter")  # shared with a tracking parameter
    play = page.get_by_role("button", name="Play")
    play.wait_for(timeout=20_000)
    # Placed before the article's first paragraph; the host's `button {display: none !important}` and
    # `div {border}` rules do not reach in, and its own styles do not reach out.
    assert page.evaluate("document.querySelector('articast-player').nextElementSibling.tagName") == "P"
    assert page.locator("articast-player").count() == 1  # the tag is in the post twice
    assert play.is_visible() and play.bounding_box()["width"] >= 24
    assert page.evaluate("getComputedStyle(document.querySelector('article p')).fontFamily").startswith("Georgia")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    region = page.get_by_role("region", name="Listen to this article")
    assert region.is_visible()
    fits(page)
    page.locator("h1").click()
    assert tab_through(page, 7) == ["Play", "Seek", "Back 15 seconds", "Forward 30 seconds", "select", "Follow along",
                                    "Transcript"]
    length = json.loads((show / "episodes.json").read_text())["episodes"][0]["duration_s"]
    assert f"0:{length:02d}" in region.inner_text() and 30 < length < 60  # the episode's length
    assert region.get_by_role("link", name="Subscribe").get_attribute("href") == f"{show_url}/feed.xml"
    assert region.get_by_role("button", name="Back 15 seconds").is_visible()
    assert region.get_by_role("button", name="Forward 30 seconds").is_visible()

    audio = f"{SHADOW}.querySelector('audio')"
    play.click()
    page.wait_for_function(f"{audio}.currentTime > 10", timeout=20_000)
    page.get_by_role("button", name="Pause").click()
    marked = page.evaluate(f"""(() => {{
        const host = [...document.querySelectorAll('[data-articast-current]')].map(e => e.textContent);
        const spoken = {SHADOW}.querySelector('.ac-s[aria-current="true"]').textContent;
        return {{host, spoken}}; }})()""")
    assert len(marked["host"]) == 1 and marked["spoken"] in " ".join(marked["host"][0].split()), marked

    # A sentence of the transcript plays from its start, and the post's own paragraph follows it.
    region.get_by_text("Transcript").click()
    assert region.locator(".ac-transcript h3").all_inner_texts() == [
        "The Orchard Ledger", "Frost and blossom", "What the trees remember"]  # the chapters, as headings
    last = region.locator("a.ac-s").last
    last.click()
    page.wait_for_function("document.querySelector('[data-articast-current]') && document.querySelector("
                           "'[data-articast-current]').textContent.includes('still bloom')", timeout=20_000)
    page.evaluate(f"{audio}.pause()")
    follow = region.get_by_role("button", name="Follow along")
    page.evaluate("window.scrollTo(0, 0)")
    follow.click()  # scrolls the post's paragraph being heard into view
    assert follow.get_attribute("aria-pressed") == "true"
    page.wait_for_function("(() => { const r = document.querySelector('[data-articast-current]')"
                           ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()",
                           timeout=10_000)
    region.get_by_label("Speed").select_option("2")
    assert page.evaluate(f"{audio}.playbackRate") == 2

    assert problems == [], problems
    assert all(url.startswith((site_url, show_url, "data:")) for url in requests), requests
    assert {f"{show_url}/embed.js", f"{show_url}/episodes.json"} <= set(requests)
    assert page.evaluate("document.cookie") == ""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width and play.is_visible()
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert axe_violations(page) == [], (width, scheme)
            page.screenshot(path=str(tmp_path / f"post-{width}-{scheme}.png"), full_page=True)

    # A post with no episode gets nothing, and nothing is logged.
    said: list[str] = []
    page.on("console", lambda msg: said.append(msg.text))
    asked = requests.count(f"{show_url}/episodes.json")
    page.goto(f"{site_url}/other.html")
    page.wait_for_load_state("networkidle")
    assert requests.count(f"{show_url}/episodes.json") == asked + 1  # it looked, and found nothing
    assert page.locator("articast-player").count() == 0 and page.locator("[data-articast-embed]").count() == 0
    assert said == [] and problems == [], (said, problems)
    context.close()


def test_embed_finds_the_post_by_its_own_address_or_og_url_and_fills_the_sites_slot(browser, blog):
    site_url, show_url, show = blog
    page = browser.new_page()
    problems = watch(page)
    page.goto(f"{site_url}/posts/orchard-ledger/#comments")
    page.get_by_role("region", name="Listen to this article").wait_for(timeout=20_000)
    page.goto(f"{site_url}/amp.html")
    page.get_by_role("region", name="Listen to this article").wait_for(timeout=20_000)
    assert page.evaluate("document.getElementById('slot').shadowRoot !== null")  # in the place the site made
    assert page.locator("articast-player").count() == 0
    page.goto(f"{site_url}/dark.html")
    region = page.get_by_role("region", name="Listen to this article")
    region.wait_for(timeout=20_000)
    assert "ac-dark" in region.get_attribute("class")
    assert axe_violations(page) == []
    assert problems == [], problems
    page.close()
