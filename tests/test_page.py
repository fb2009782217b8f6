"""The show's page in a real headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from articast import Settings
from articast.publish import publish_show

pytestmark = pytest.mark.slow  # subprocesses, servers, the browser or the real voice throughout

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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


def test_page_loads_offline_and_a_chapter_click_seeks(browser, stereo_episode, tmp_path: Path):
    folder = tmp_path / "show"
    shutil.copytree(stereo_episode.mp3_path.parent, folder)
    publish_show(Settings(out_dir=folder, show="Night Reading"))
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto((folder / "index.html").as_uri())
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert page.title() == "Night Reading"
    assert page.locator("article h2").first.inner_text() == "The Lighthouse Keeper's Notebook"
    chapters = page.locator("ol.chapters button.seek")
    assert chapters.count() == 4
    target = float(chapters.nth(2).get_attribute("data-start"))
    assert target > 10
    chapters.nth(2).click()
    page.wait_for_function(f"Math.abs(document.querySelector('audio').currentTime - {target}) < 1.5")
    page.locator("details summary").first.click()
    assert page.locator("p.cue").count() > 5
    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests  # nothing from the web
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    page.close()


@pytest.fixture
def served(stereo_episode, tmp_path: Path):
    """The show published and served by `articast serve`'s own server, on a free port, in a thread."""
    import threading

    from articast.publish.serve import make_server

    folder = tmp_path / "show"
    shutil.copytree(stereo_episode.mp3_path.parent, folder)
    publish_show(Settings(out_dir=folder, show="Night Reading", base_url="http://127.0.0.1"))
    server = make_server(folder, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_served_page_installs_saves_an_episode_and_plays_it_offline_where_it_left_off(browser, served):
    server, url = served
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone's screen
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # (A media element aborts its own range requests when it seeks or the page reloads: not a failure.)
    page.on("requestfailed", lambda req: problems.append(f"{req.url}: {req.failure}")
            if "ERR_ABORTED" not in (req.failure or "") else None)
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    manifest = page.evaluate("fetch('manifest.webmanifest').then(r => r.json())")
    assert manifest["name"] == "Night Reading" and {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    save = page.locator("button.save").first
    assert save.is_visible()
    save.click()
    page.wait_for_function("document.querySelector('button.save').dataset.saved === 'yes'", timeout=20_000)

    server.shutdown()  # the network is gone: no server, and the browser offline too
    server.server_close()
    context.set_offline(True)
    page.reload()
    assert page.locator("article h2").first.inner_text() == "The Lighthouse Keeper's Notebook"
    page.evaluate("document.querySelector('audio').play()")
    page.wait_for_function("document.querySelector('audio').currentTime > 1.5", timeout=20_000)
    page.evaluate("document.querySelector('audio').currentTime = 20")
    page.wait_for_function("document.querySelector('audio').currentTime > 20.5", timeout=20_000)
    page.evaluate("document.querySelector('audio').pause()")
    place = page.evaluate("document.querySelector('audio').currentTime")

    page.reload()  # still offline: the page comes back at the same place
    page.wait_for_function(f"Math.abs(document.querySelector('audio').currentTime - {place}) < 0.5",
                           timeout=20_000)
    assert problems == [], problems
    page.screenshot(path=str(Path.cwd() / "phone.png"), full_page=True)
    context.close()
